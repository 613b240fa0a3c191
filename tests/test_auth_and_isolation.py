"""Tokens, and every id of one app answering 404 to another app."""

from __future__ import annotations

import time

import jwt

from parley.accounts.secrets import issue_token
from tests.conftest import Api

TEXT_JOB = {"messages": [{"payload": {"content": "Private words."}, "from": {"name": "Ann"}}]}


def test_token_generation_and_use(sqlite_api: Api) -> None:
    api = sqlite_api
    bad = api.client.post(
        "/oauth2/token:generate", json={"type": "application", "appId": api.app_id, "appSecret": "no"}
    )
    assert bad.status_code == 401
    unknown = api.client.post(
        "/oauth2/token:generate", json={"type": "application", "appId": "x", "appSecret": "y"}
    )
    assert unknown.status_code == 401
    good = api.client.post(
        "/oauth2/token:generate",
        json={"type": "application", "appId": api.app_id, "appSecret": api.app_secret},
    )
    assert good.status_code == 200 and good.json()["expiresIn"] > 0
    claims = jwt.decode(good.json()["accessToken"], options={"verify_signature": False})
    assert claims["sub"] == api.app_id and claims["exp"] > time.time()

    assert api.client.get("/v1/job/none").status_code == 401
    assert api.client.get("/v1/job/none", headers={"Authorization": "Bearer garbage"}).status_code == 401
    for headers in ({"Authorization": f"Bearer {api.token}"}, {"x-api-key": api.token}):
        assert api.client.get("/v1/job/none", headers=headers).status_code == 404


def test_expired_and_foreign_tokens_are_refused(sqlite_api: Api) -> None:
    api = sqlite_api
    expired = issue_token(api.app_id, key=api.runtime.settings.token_secret(), ttl_seconds=-10)
    response = api.client.get("/v1/job/x", headers={"x-api-key": expired})
    assert response.status_code == 401 and "expired" in response.json()["message"]
    forged = issue_token(api.app_id, key="some-other-server-key-" + "z" * 20, ttl_seconds=60)
    assert api.client.get("/v1/job/x", headers={"x-api-key": forged}).status_code == 401


def test_another_apps_ids_answer_404(api: Api) -> None:
    accepted = api.client.post("/v1/process/text", json=TEXT_JOB, headers=api.headers).json()
    api.wait(accepted["jobId"])
    _, _, other_token = api.new_app("intruder")
    other = {"x-api-key": other_token}
    conversation = f"/v1/conversations/{accepted['conversationId']}"
    for path in (
        f"/v1/job/{accepted['jobId']}",
        conversation,
        f"{conversation}/messages",
        f"{conversation}/members",
    ):
        assert api.client.get(path, headers=other).status_code == 404, path
    assert api.client.delete(conversation, headers=other).status_code == 404
    assert api.client.get("/v1/conversations", headers=other).json() == {"conversations": []}
    listed = api.get("/v1/conversations").json()["conversations"]
    assert [c["id"] for c in listed] == [accepted["conversationId"]]
    appended = api.client.put(f"/v1/process/text/{accepted['conversationId']}", json=TEXT_JOB, headers=other)
    assert appended.status_code == 404
    assert api.get(f"{conversation}/messages").json()["messages"][0]["text"] == "Private words."


def test_health_and_api_docs_are_public(sqlite_api: Api) -> None:
    assert sqlite_api.client.get("/healthz").json()["status"] == "ok"
    assert sqlite_api.client.get("/docs").status_code == 200
    paths = sqlite_api.client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/process/audio",
        "/v1/process/video/url/{conversation_id}",
        "/v1/process/text",
        "/v1/job/{job_id}",
    ):
        assert path in paths
