"""Wrong requests get the documented status and a message naming the problem; bad media fails the job."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from parley.models import Conversation, Job
from tests.conftest import Api, make_settings, open_api
from tests.support import file_server, shared


def _count(api: Api, model: type) -> int:
    with api.runtime.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"confidenceThreshold": "0.2"}, "confidenceThreshold"),
        ({"confidenceThreshold": "high"}, "confidenceThreshold"),
        ({"mode": "radio"}, "mode"),
        ({"enableSpeakerDiarization": "maybe"}, "enableSpeakerDiarization"),
        ({"diarizationSpeakerCount": "zero"}, "diarizationSpeakerCount"),
        ({"languageCode": "english please"}, "languageCode"),
        ({"webhookUrl": "not a url"}, "webhookUrl"),
        ({"enableSpeakerDiarisation": "true"}, "enableSpeakerDiarisation"),
        ({"entities": '[{"customType": "X"}]'}, "entities"),
        ({"trackers": '[{"name": "no vocabulary"}]'}, "trackers"),
        ({"channelMetadata": '[{"channel": 1, "speaker": {"name": "A"}}]'}, "channelMetadata"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(sqlite_api: Api, params: dict, named: str) -> None:
    response = sqlite_api.client.post(
        "/v1/process/audio",
        params=params,
        content=b"RIFF....",
        headers=sqlite_api.headers | {"Content-Type": "audio/wav"},
    )
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
    assert _count(sqlite_api, Job) == 0 and _count(sqlite_api, Conversation) == 0


def test_json_body_errors(sqlite_api: Api) -> None:
    api = sqlite_api

    def post(path: str, **kwargs):  # type: ignore[no-untyped-def]
        return api.client.post(path, headers=api.headers | kwargs.pop("headers", {}), **kwargs)

    assert post("/v1/process/audio/url", json={"name": "no url"}).json()["message"].startswith("url:")
    assert post("/v1/process/audio/url", json={"url": "ftp://x.example/a.mp3"}).status_code == 400
    bad_json = post("/v1/process/video/url", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and "JSON" in bad_json.json()["message"]
    assert post("/v1/process/text", json={"messages": []}).status_code == 400
    no_content = post("/v1/process/text", json={"messages": [{"payload": {}}]})
    assert no_content.status_code == 400 and "messages.0.payload.content" in no_content.json()["message"]
    bad_time = post(
        "/v1/process/text",
        json={"messages": [{"payload": {"content": "Hi."}, "duration": {"startTime": "yesterday"}}]},
    )
    assert bad_time.status_code == 400 and "startTime" in bad_time.json()["message"]
    assert _count(api, Job) == 0


def test_upload_shape_errors(sqlite_api: Api) -> None:
    api = sqlite_api
    wrong_type = api.client.post(
        "/v1/process/audio", content=b"abc", headers=api.headers | {"Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    empty = api.client.post(
        "/v1/process/audio", content=b"", headers=api.headers | {"Content-Type": "audio/wav"}
    )
    assert empty.status_code == 400 and "empty" in empty.json()["message"]
    missing = api.client.put(
        "/v1/process/audio/1234567890123456",
        content=b"abc",
        headers=api.headers | {"Content-Type": "audio/wav"},
    )
    assert missing.status_code == 404
    assert _count(api, Job) == 0


def test_english_only_model_refuses_other_languages(sqlite_api: Api) -> None:
    response = sqlite_api.client.post(
        "/v1/process/audio",
        params={"languageCode": "de-DE"},
        content=b"x",
        headers=sqlite_api.headers | {"Content-Type": "audio/wav"},
    )
    assert response.status_code == 400
    assert (
        "multilingual" in response.json()["message"] and "PARLEY_WHISPER_MODEL" in response.json()["message"]
    )


def test_oversized_upload_is_413_and_leaves_nothing(tmp_path: Path, sqlite_url: str) -> None:
    for api in open_api(make_settings(tmp_path / "data", sqlite_url, max_upload_bytes=1000)):

        def chunks():  # no Content-Length: the cap must hold while streaming
            for _ in range(10):
                yield b"\0" * 500

        response = api.client.post(
            "/v1/process/audio", content=chunks(), headers=api.headers | {"Content-Type": "audio/wav"}
        )
        assert response.status_code == 413, response.text
        assert _count(api, Job) == 0
        assert os.listdir(api.runtime.settings.tmp_dir) == []
        assert not any(api.runtime.settings.media_dir.rglob("*.*"))


def _failed_reason(api: Api, content: bytes, content_type: str = "audio/mpeg") -> str:
    response = api.client.post(
        "/v1/process/audio", content=content, headers=api.headers | {"Content-Type": content_type}
    )
    assert response.status_code == 201, response.text
    job = api.wait(response.json()["jobId"])
    assert job["status"] == "failed", job
    return job["message"]


def test_undecodable_media_fails_the_job_with_a_reason(sqlite_api: Api) -> None:
    api = sqlite_api
    assert _failed_reason(api, os.urandom(50_000))
    assert _failed_reason(api, b"just some text, not audio\n" * 100, "audio/wav")
    mp3 = shared("asr_short/fw_multilingual.mp3").read_bytes()
    reason = _failed_reason(api, mp3[: len(mp3) // 3])
    assert "truncated" in reason or "corrupt" in reason


def test_private_urls_are_refused_unless_allowed(tmp_path: Path, sqlite_url: str) -> None:
    for api in open_api(make_settings(tmp_path / "data", sqlite_url, allow_private_urls=False)):
        for url in (
            "http://127.0.0.1/a.mp3",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/x.wav",
        ):
            response = api.client.post("/v1/process/audio/url", json={"url": url}, headers=api.headers)
            assert response.status_code == 400, url
            assert "PARLEY_ALLOW_PRIVATE_URLS" in response.json()["message"]
        webhook = api.client.post(
            "/v1/process/text",
            json={"messages": [{"payload": {"content": "Hi."}}], "webhookUrl": "http://127.0.0.1:9/hook"},
            headers=api.headers,
        )
        assert webhook.status_code == 400 and "webhookUrl" in webhook.json()["message"]
        assert _count(api, Job) == 0


def test_failed_fetch_fails_the_job_with_the_status(sqlite_api: Api, tmp_path: Path) -> None:
    with file_server(tmp_path) as base:
        response = sqlite_api.client.post(
            "/v1/process/audio/url", json={"url": f"{base}/missing.mp3"}, headers=sqlite_api.headers
        )
        job = sqlite_api.wait(response.json()["jobId"])
    assert job["status"] == "failed" and "404" in job["message"]


def test_concurrent_job_limit_answers_429(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path / "data", sqlite_url, max_concurrent_jobs_per_app=2)
    from fastapi.testclient import TestClient

    from parley.app import create_app

    # No workers: jobs stay scheduled, so the limit is reached deterministically.
    with TestClient(create_app(settings, run_jobs=False)) as client:
        from parley.accounts import service as accounts
        from tests.conftest import token_for

        with client.app.state.runtime.session() as session:  # type: ignore[attr-defined]
            credentials = accounts.create(session, name="limited")
        headers = {"x-api-key": token_for(client, credentials.app_id, credentials.app_secret)}
        body = {"messages": [{"payload": {"content": "Hello."}}]}
        for _ in range(2):
            assert client.post("/v1/process/text", json=body, headers=headers).status_code == 201
        refused = client.post("/v1/process/text", json=body, headers=headers)
        assert refused.status_code == 429
        assert refused.json()["statusCode"] == 429 and "concurrent jobs" in refused.json()["message"]
