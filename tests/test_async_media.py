"""Real speech through the HTTP API: uploads, URLs (mp4 from a local server), appends, verbose words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Api
from tests.support import file_server, make_mp4, shared, wer

JFK_TEXT_FILE = "asr_short/jfk.txt"


def _submit_file(api: Api, path: Path, kind: str = "audio", content_type: str = "audio/wav", **params: str):
    response = api.client.post(
        f"/v1/process/{kind}",
        params=params,
        content=path.read_bytes(),
        headers=api.headers | {"Content-Type": content_type},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_uploaded_speech_is_transcribed_with_word_timings(api: Api) -> None:
    accepted = _submit_file(api, shared("asr_short/jfk.wav"), name="Inaugural")
    assert accepted["conversationId"].isdigit() and len(accepted["conversationId"]) == 16

    assert api.wait(accepted["jobId"])["status"] == "completed"
    conversation = api.get(f"/v1/conversations/{accepted['conversationId']}").json()
    assert conversation["name"] == "Inaugural"
    messages = api.get(f"/v1/conversations/{accepted['conversationId']}/messages?verbose=true").json()[
        "messages"
    ]
    text = " ".join(message["text"] for message in messages)
    assert wer(shared(JFK_TEXT_FILE).read_text(), text) < 0.1

    words = [word for message in messages for word in message["words"]]
    offsets = [word["timeOffset"] for word in words]
    assert offsets == sorted(offsets) and 0 <= offsets[0] < offsets[-1] <= 11.1
    assert all(0 < word["score"] <= 1 and word["duration"] >= 0 for word in words)
    for message in messages:
        assert message["conversationId"] == accepted["conversationId"]
        assert message["startTime"].endswith("Z") and message["duration"] > 0
    plain = api.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
    assert "words" not in plain[0]


def test_video_url_job_fetches_an_mp4_from_a_local_server(api: Api, tmp_path: Path) -> None:
    make_mp4(shared("asr_short/jfk.wav"), tmp_path / "talk.mp4")
    with file_server(tmp_path) as base:
        response = api.client.post(
            "/v1/process/video/url", json={"url": f"{base}/talk.mp4", "name": "Video"}, headers=api.headers
        )
        assert response.status_code == 201, response.text
        job = api.wait(response.json()["jobId"])
    assert job["status"] == "completed", job
    messages = api.get(f"/v1/conversations/{response.json()['conversationId']}/messages").json()["messages"]
    assert wer(shared(JFK_TEXT_FILE).read_text(), " ".join(m["text"] for m in messages)) < 0.15


def test_appended_audio_follows_the_earlier_content(sqlite_api: Api) -> None:
    api = sqlite_api
    first = _submit_file(api, shared("asr_short/sb_spk1_snt1.wav"))
    api.wait(first["jobId"])
    conversation_id = first["conversationId"]
    response = api.client.put(
        f"/v1/process/audio/{conversation_id}",
        content=shared("asr_short/jfk.mp3").read_bytes(),
        headers=api.headers | {"Content-Type": "audio/mpeg"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["conversationId"] == conversation_id
    assert api.wait(response.json()["jobId"])["status"] == "completed"

    messages = api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    first_end = messages[0]["timeOffset"] + messages[0]["duration"]
    assert len(messages) >= 2
    assert "country" in messages[-1]["text"].lower()
    assert messages[1]["timeOffset"] >= first_end
    assert len({message["id"] for message in messages}) == len(messages)


def test_delete_removes_the_conversation_and_its_media(sqlite_api: Api) -> None:
    api = sqlite_api
    accepted = _submit_file(api, shared("asr_short/sb_spk2_snt1.wav"))
    api.wait(accepted["jobId"])
    media_dir = api.runtime.settings.media_dir / api.app_id / accepted["conversationId"]
    assert any(media_dir.iterdir())

    response = api.client.delete(f"/v1/conversations/{accepted['conversationId']}", headers=api.headers)
    assert response.status_code == 200
    assert not media_dir.exists()
    assert api.get(f"/v1/conversations/{accepted['conversationId']}").status_code == 404
    assert api.get(f"/v1/conversations/{accepted['conversationId']}/messages").status_code == 404


def test_raw_video_upload_and_audio_url(sqlite_api: Api, tmp_path: Path) -> None:
    api = sqlite_api
    video = make_mp4(shared("asr_short/jfk.wav"), tmp_path / "clip.mp4")
    uploaded = _submit_file(api, video, kind="video", content_type="video/mp4")
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "jfk.mp3").write_bytes(shared("asr_short/jfk.mp3").read_bytes())
    with file_server(tmp_path / "served") as base:
        fetched = api.client.post(
            "/v1/process/audio/url", json={"url": f"{base}/jfk.mp3"}, headers=api.headers
        ).json()
        jobs = [api.wait(uploaded["jobId"]), api.wait(fetched["jobId"])]
    assert [job["status"] for job in jobs] == ["completed", "completed"]
    reference = shared(JFK_TEXT_FILE).read_text()
    for accepted in (uploaded, fetched):
        messages = api.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
        assert wer(reference, " ".join(m["text"] for m in messages)) < 0.15
