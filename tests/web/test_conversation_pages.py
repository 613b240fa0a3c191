"""The conversation page (transcript, speakers, insights, charts), its actions, and the upload form."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.intel.model import Analysis, Assignee, Insight, MessageRef, SummarySentence, Topic
from parley.models import Job, JobStatus
from parley.web.charts import BAR_SPACE, Bar, bar_chart
from tests.support import shared
from tests.web.conftest import Said, Web

LINES = [
    Said("Speaker 1", "I will send the contract to Dana by Friday.", 0.0, 3.0),
    Said("Speaker 2", "Can we <b>lower</b> the price?", 3.5, 5.5),
]


@pytest.fixture
def meeting(web: Web) -> str:
    conversation_id = web.add_conversation("Contract review", LINES, media=shared("asr_short/jfk.wav"))
    first, second = web.message_ids(conversation_id)
    analysis = Analysis(
        insights=[
            Insight(
                id="a1",
                type="action_item",
                text="I will send the contract to Dana by Friday.",
                score=0.9,
                messageIds=[first],
                assignee=Assignee(name="Dana"),
                dueBy="2025-06-06T17:00:00Z",
            ),
            Insight(id="q1", type="question", text="Can we lower the price?", score=0.9, messageIds=[second]),
        ],
        topics=[Topic(id="t1", text="contract", score=0.8, messageIds=[first])],
        summary=[
            SummarySentence(id="s1", text="The contract goes out Friday.", messageRefs=[MessageRef(id=first)])
        ],
    )
    web.set_analysis(conversation_id, analysis)
    return conversation_id


def test_the_page_shows_transcript_speakers_insights_and_charts(web: Web, meeting: str) -> None:
    web.sign_in()
    page = web.client.get(f"/conversations/{meeting}")
    assert page.status_code == 200
    html = page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    first, second = web.message_ids(meeting)
    assert f'<li id="m-{first}" class="sentence speaker-0">' in html
    assert f'<li id="m-{second}" class="sentence speaker-1">' in html
    assert 'data-seek="3.5" data-start="3.5" data-end="5.5"' in html
    assert "&lt;b&gt;lower&lt;/b&gt;" in html and "<b>lower</b>" not in html  # transcript text is escaped
    assert "<audio data-player" in html and f'src="/conversations/{meeting}/media"' in html
    assert "Assignee: Dana" in html and "Due Fri 06 Jun 2025" in html
    assert f'<a class="moment" href="#m-{second}" data-seek="3.5">0:03</a>' in html
    assert "The contract goes out Friday." in html
    assert html.count('<svg class="chart"') == 3 and 'role="img"' in html
    assert "Talk time per speaker" in html and "wpm" in html


def test_renaming_a_speaker_renames_them_in_the_transcript(web: Web, meeting: str) -> None:
    token = web.sign_in()
    html = web.client.get(f"/conversations/{meeting}").text
    member_id = html.split(f"/conversations/{meeting}/members/")[1].split('"')[0]
    renamed = web.client.post(
        f"/conversations/{meeting}/members/{member_id}", data={"csrf": token, "name": "Dana"}
    )
    assert renamed.status_code == 200
    assert '<span class="who">Dana</span>' in renamed.text
    assert '<span class="who">Speaker 1</span>' not in renamed.text
    blank = web.client.post(
        f"/conversations/{meeting}/members/{member_id}", data={"csrf": token, "name": " "}
    )
    assert blank.status_code == 400


def test_exports_come_as_downloads_in_each_format(web: Web, meeting: str) -> None:
    web.sign_in()
    srt = web.client.get(f"/conversations/{meeting}/export.srt")
    assert srt.status_code == 200
    assert srt.headers["content-disposition"] == f'attachment; filename="conversation-{meeting}.srt"'
    assert srt.text.startswith("1\n00:00:00,000 --> 00:00:03,000\nSpeaker 1: I will send")
    assert web.client.get(f"/conversations/{meeting}/export.vtt").text.startswith("WEBVTT")
    assert web.client.get(f"/conversations/{meeting}/export.md").text.startswith("# Contract review")
    assert web.client.get(f"/conversations/{meeting}/export.json").json()["messages"][1]["timeOffset"] == 3.5
    assert web.client.get(f"/conversations/{meeting}/export.exe").status_code == 404


def test_delete_removes_the_conversation_and_its_media(web: Web, meeting: str) -> None:
    token = web.sign_in()
    media_dir = web.runtime.settings.media_dir / web.app_id / meeting
    assert any(media_dir.iterdir())
    response = web.client.post(f"/conversations/{meeting}/delete", data={"csrf": token})
    assert response.status_code == 200 and "was deleted" in response.text
    assert web.client.get(f"/conversations/{meeting}").status_code == 404
    assert not media_dir.exists()


def test_a_running_conversation_shows_live_progress_and_cannot_be_deleted(web: Web, meeting: str) -> None:
    with web.runtime.session() as session:
        job = session.query(Job).filter_by(conversation_id=meeting).one()
        job.status, job.progress = JobStatus.in_progress, 0.42
    token = web.sign_in()
    page = web.client.get(f"/conversations/{meeting}").text
    assert "Processing 42%" in page and f'data-status-url="/conversations/{meeting}/status"' in page
    status = web.client.get(f"/conversations/{meeting}/status").json()
    assert status == {
        "state": "processing",
        "progress": 0.42,
        "error": None,
        "active": True,
        "url": f"/conversations/{meeting}",
    }
    refused = web.client.post(f"/conversations/{meeting}/delete", data={"csrf": token})
    assert refused.status_code == 400 and "job running" in refused.text


def test_charts_label_every_bar_and_escape_names() -> None:
    svg = str(
        bar_chart("k", "Talk", "Who talked", [Bar("<Ann>", 30.0, "0:30 · 60%", 0), Bar("Bob", 0.0, "0:00")])
    )
    assert "&lt;Ann&gt;" in svg and "<Ann>" not in svg
    assert f'width="{BAR_SPACE:.1f}"' in svg and 'width="0.0"' in svg  # the largest bar spans the chart
    assert svg.count("chart-value") == 2 and 'aria-labelledby="k-title k-desc"' in svg


def _upload(web: Web, fields: dict[str, str], file: Path | None, accept: str = "text/html"):  # type: ignore[no-untyped-def]
    files = {"file": (file.name, file.read_bytes(), "audio/wav")} if file else {"file": ("", b"", "")}
    return web.client.post(
        "/upload", data=fields, files=files, headers={"Accept": accept}, follow_redirects=False
    )


def test_upload_streams_the_file_into_a_queued_job(web: Web) -> None:
    token = web.sign_in()
    jfk = shared("asr_short/jfk.wav")
    fields = {"csrf": token, "name": "JFK", "diarization": "on", "speakers": "1", "summary": "on"}
    response = _upload(web, fields, jfk)
    assert response.status_code == 303
    conversation_id = response.headers["location"].rsplit("/", 1)[1]
    with web.runtime.session() as session:
        job = session.query(Job).filter_by(conversation_id=conversation_id).one()
        assert job.options["enableSpeakerDiarization"] is True and job.options["diarizationSpeakerCount"] == 1
        assert job.kind == "audio" and job.media_path and job.media_path.endswith(".wav")
        assert web.runtime.blobs.local_path(job.media_path).read_bytes() == jfk.read_bytes()
    as_json = _upload(web, fields, jfk, accept="application/json")
    assert as_json.status_code == 201
    assert as_json.json()["statusUrl"].endswith("/status")
    assert list(web.runtime.settings.tmp_dir.iterdir()) == []  # the temporary upload was handed over


def test_upload_refuses_bad_requests_before_storing_anything(web: Web) -> None:
    token = web.sign_in()
    jfk = shared("asr_short/jfk.wav")
    forged = _upload(web, {"csrf": "forged"}, jfk)
    assert forged.status_code == 403
    wrong = _upload(web, {"csrf": token, "speakers": "2"}, jfk)
    assert wrong.status_code == 400 and "only accepted with enableSpeakerDiarization" in wrong.text
    unknown = _upload(web, {"csrf": token, "tracker": "no-such-tracker"}, jfk, accept="application/json")
    assert unknown.status_code == 400 and "no tracker with id" in unknown.json()["error"]
    nothing = _upload(web, {"csrf": token}, None)
    assert nothing.status_code == 400 and "choose a file" in nothing.text
    with web.runtime.session() as session:
        assert session.query(Job).count() == 0
    assert list(web.runtime.settings.tmp_dir.iterdir()) == []
    assert not web.runtime.settings.media_dir.exists() or not any(web.runtime.settings.media_dir.iterdir())


def test_a_url_is_submitted_as_a_job(web: Web) -> None:
    token = web.sign_in()
    response = _upload(web, {"csrf": token, "url": "http://127.0.0.1:9/talk.mp4"}, None)
    assert response.status_code == 303
    with web.runtime.session() as session:
        job = session.query(Job).one()
        assert job.source_url == "http://127.0.0.1:9/talk.mp4" and job.kind == "video"
