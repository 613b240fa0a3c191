"""The media route's Range responses, and the signed, expiring, read-only share links."""

from __future__ import annotations

import re
import time

import pytest

from parley.conversations import sharing
from parley.errors import Forbidden
from parley.web.media import ByteRange, Unsatisfiable, parse_range
from tests.support import shared
from tests.web.conftest import Said, Web

LINES = [Said("Ann", "And so my fellow Americans ask not.", 0.0, 4.0)]
KEY = "k" * 48


@pytest.fixture
def jfk() -> bytes:
    return shared("asr_short/jfk.wav").read_bytes()


def test_parse_range_reads_the_forms_browsers_send() -> None:
    assert parse_range(None, 1000) is None
    assert parse_range("bytes=0-", 1000) == ByteRange(0, 999)
    assert parse_range("bytes=100-199", 1000) == ByteRange(100, 199)
    assert parse_range("bytes=900-5000", 1000) == ByteRange(900, 999)
    assert parse_range("bytes=-100", 1000) == ByteRange(900, 999)
    assert parse_range("bytes=0-1,5-9", 1000) is None  # several ranges: the whole file is fine
    assert parse_range("items=0-5", 1000) is None
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=1000-", 1000)


def test_media_is_streamed_whole_or_by_range(web: Web, jfk: bytes) -> None:
    conversation_id = web.add_conversation("JFK", LINES, media=shared("asr_short/jfk.wav"))
    web.sign_in()
    url = f"/conversations/{conversation_id}/media"
    whole = web.client.get(url)
    assert whole.status_code == 200
    assert whole.content == jfk
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"].startswith("audio/")

    part = web.client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(jfk)}"
    assert part.headers["content-length"] == "1000"
    assert part.content == jfk[1000:2000]

    tail = web.client.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == jfk[-10:]
    rest = web.client.get(url, headers={"Range": f"bytes={len(jfk) - 5}-"})
    assert rest.content == jfk[-5:]

    beyond = web.client.get(url, headers={"Range": f"bytes={len(jfk)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(jfk)}"


def test_share_tokens_open_only_what_they_sign_until_they_expire() -> None:
    now = time.time()
    token = sharing.sign(KEY, sharing.SharedConversation("app1", "123", int(now) + 60))
    assert sharing.verify(KEY, token, now=now) == sharing.SharedConversation("app1", "123", int(now) + 60)
    with pytest.raises(Forbidden, match="expired"):
        sharing.verify(KEY, token, now=now + 61)
    with pytest.raises(Forbidden, match="not valid"):
        sharing.verify("another key" * 5, token, now=now)
    payload, signature = token.split(".")
    forged_payload = sharing._b64(b"app1:456:" + str(int(now) + 60).encode())
    for tampered in (f"{forged_payload}.{signature}", f"{payload}.{signature[:-2]}AA", "garbage", ""):
        with pytest.raises(Forbidden):
            sharing.verify(KEY, tampered, now=now)


def test_the_share_button_makes_a_read_only_link_that_works_signed_out(web: Web, jfk: bytes) -> None:
    conversation_id = web.add_conversation("JFK speech", LINES, media=shared("asr_short/jfk.wav"))
    token = web.sign_in()
    response = web.client.post(f"/conversations/{conversation_id}/share", data={"csrf": token, "days": "7"})
    assert response.status_code == 200
    link = re.search(r'id="share-url" value="([^"]+)"', response.text)
    assert link, "the page shows the new link"
    path = "/share/" + link.group(1).split("/share/")[1]

    web.client.cookies.clear()  # a person without an account
    page = web.client.get(path)
    assert page.status_code == 200
    assert "JFK speech" in page.text and ">Americans<" in page.text
    assert "read-only" in page.text
    assert "/members/" not in page.text and "/delete" not in page.text and 'name="csrf"' not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    media = web.client.get(f"{path}/media", headers={"Range": "bytes=0-99"})
    assert media.status_code == 206 and media.content == jfk[:100]


def test_expired_or_tampered_share_links_answer_a_403_page(web: Web) -> None:
    conversation_id = web.add_conversation("Old", LINES)
    expired = sharing.sign(
        web.runtime.token_key, sharing.SharedConversation(web.app_id, conversation_id, int(time.time()) - 1)
    )
    for token in (expired, expired[:-3] + "abc", "not-a-token"):
        for path in (f"/share/{token}", f"/share/{token}/media"):
            response = web.client.get(path)
            assert response.status_code == 403, path
            assert "text/html" in response.headers["content-type"]
    assert "expired" in web.client.get(f"/share/{expired}").text


def test_a_share_link_dies_with_its_conversation(web: Web) -> None:
    conversation_id = web.add_conversation("Short-lived", LINES)
    token = sharing.new_link(
        web.runtime.token_key, app_id=web.app_id, conversation_id=conversation_id, days=1
    )
    assert web.client.get(f"/share/{token}").status_code == 200
    csrf = web.sign_in()
    web.client.post(f"/conversations/{conversation_id}/delete", data={"csrf": csrf})
    assert web.client.get(f"/share/{token}").status_code == 404
