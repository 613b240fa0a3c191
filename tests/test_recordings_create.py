"""POST /v1/recordings: the seed's shape, precise refusals, authors' permissions, keys, quotas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley.models import Recording, Workspace, WorkspaceRole
from parley.recordings import workspaces
from tests.recordings_helpers import AUTHOR, Claap, make_workspace, open_claap

MEETING = {
    "startedAt": "2025-03-01T09:00:00Z",
    "endedAt": "2025-03-01T09:30:00Z",
    "participants": [{"name": "Ada", "email": AUTHOR, "isOrganizer": True}, {"name": "Bob"}],
}


@pytest.fixture
def claap(tmp_path: Path, database_url: str) -> Iterator[Claap]:
    """Over SQLite and PostgreSQL: these tests are mostly about rows and queries."""
    yield from open_claap(
        tmp_path, database_url, claap_max_recordings_per_author=3, claap_quota_window_days=30
    )


def test_creation_answers_in_the_seed_shape(claap: Claap) -> None:
    response = claap.create(
        title="Weekly sync", channelId=claap.workspace.channels[1], transcript={"type": "upload"}
    )
    assert response.status_code == 200, response.text
    recording = response.json()["result"]["recording"]
    assert set(recording) == {
        "createdAt", "id", "recorder", "state", "url", "workspace", "channel", "title", "upload",
    }  # fmt: skip
    assert recording["state"] == "Empty" and recording["title"] == "Weekly sync"
    assert set(recording["recorder"]) == {"attended", "email", "id", "name"}
    assert recording["recorder"]["email"] == AUTHOR and recording["recorder"]["attended"] is False
    assert recording["workspace"] == {"id": claap.workspace.id, "name": "Acme"}
    assert recording["channel"] == {"id": claap.workspace.channels[1], "name": "Sales"}
    assert set(recording["upload"]) == {"url", "metaUrl"}
    assert recording["url"].startswith("http://testserver/conversations/")
    assert datetime.fromisoformat(recording["createdAt"]).tzinfo is not None


def test_defaults_and_stored_meeting_and_deal(claap: Claap) -> None:
    with claap.runtime.session() as session:
        workspaces.set_crm(
            workspace=workspaces.get_required(session, workspace_id=claap.workspace.id), crm="attio"
        )
    created = claap.created_recording(meeting=MEETING, deal={"id": "deal-7", "type": "attio"})
    assert set(created["upload"]) == {"url"}  # no transcript announced: no metaUrl
    assert created["channel"]["name"] == "General"  # the oldest channel is the default
    assert created["recorder"]["attended"] is True  # the author is a participant
    read = claap.recording(created["id"])
    assert read["deal"] == {"id": "deal-7", "type": "attio"}
    assert read["meeting"]["participants"][1] == {"name": "Bob", "isOrganizer": False}
    assert read["title"] == "Recording by ada"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"authorEmail": "not-an-email"}, "authorEmail"),
        ({"titel": "typo"}, "titel"),
        ({"transcript": {"type": "asr"}}, "transcript.type"),
        ({"meeting": MEETING | {"endedAt": "2025-03-01T08:00:00Z"}}, "endedAt must be after startedAt"),
        ({"meeting": MEETING | {"startedAt": "yesterday"}}, "meeting.startedAt"),
        ({"meeting": MEETING | {"participants": [{"isOrganizer": True}]}}, "name or an email"),
        ({"downloadUrl": "ftp://example.com/a.mp4"}, "downloadUrl"),
        ({"deal": {"id": "d1", "type": "attio"}}, "deal: a deal can only be linked when meeting"),
        ({"deal": {"id": "d1", "type": "attio"}, "meeting": MEETING}, "not connected to a CRM"),
        ({"channelId": "nope"}, "channelId: workspace 'Acme' has no channel 'nope'"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(claap: Claap, body: dict, field: str) -> None:
    response = claap.create(**body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request" and field in error["message"]


def test_authors_need_permission(claap: Claap) -> None:
    viewer = make_workspace(claap.runtime, "Viewers", members=(("vic@example.com", WorkspaceRole.viewer),))
    refused = claap.create(viewer, authorEmail="vic@example.com")
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "forbidden",
        "message": "authorEmail: vic@example.com is a viewer of workspace 'Viewers'; "
        "only admins and members can create recordings",
    }
    stranger = claap.create(authorEmail="eve@example.com")
    assert stranger.status_code == 403 and "is not a user of workspace" in stranger.json()["error"]["message"]
    assert claap.create(authorEmail=AUTHOR.upper()).status_code == 200  # e-mails match case-insensitively


def test_keys_and_tokens_open_only_their_own_face(claap: Claap) -> None:
    missing = claap.api.client.post("/v1/recordings", json={"authorEmail": AUTHOR}, headers=claap.api.headers)
    assert missing.status_code == 401
    assert (
        "X-Claap-Key" in missing.json()["error"]["message"] and "Symbl" in missing.json()["error"]["message"]
    )
    wrong = claap.api.client.get("/v1/recordings", headers={"X-Claap-Key": claap.api.token})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    # A Claap key is no Symbl token, and the workspace's internal app can never get one.
    symbl = claap.api.client.get("/v1/conversations", headers={"x-api-key": claap.workspace.key})
    assert symbl.status_code == 401 and set(symbl.json()) == {"statusCode", "message"}
    recording = claap.created_recording()
    with claap.runtime.session() as session:
        row = session.get_one(Recording, recording["id"])
        app_id = session.get_one(Workspace, row.workspace_id).app_id
    token = claap.api.client.post(
        "/oauth2/token:generate", json={"type": "application", "appId": app_id, "appSecret": "!workspace"}
    )
    assert token.status_code == 401
    listed = claap.api.get("/v1/conversations").json()["conversations"]
    assert row.conversation_id not in {item["id"] for item in listed}
    assert claap.api.get(f"/v1/conversations/{row.conversation_id}").status_code == 404


def test_workspaces_are_isolated(claap: Claap) -> None:
    other = make_workspace(claap.runtime, "Other")
    mine = claap.created_recording()
    theirs = claap.create(other)
    assert theirs.status_code == 200
    assert claap.get(f"/v1/recordings/{mine['id']}", other).status_code == 404
    for suffix in ("", "/transcript", "/insights", "/media"):
        response = claap.get(f"/v1/recordings/{mine['id']}{suffix}", other)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    ids = [item["id"] for item in claap.get("/v1/recordings", other).json()["result"]["recordings"]]
    assert ids == [theirs.json()["result"]["recording"]["id"]]


def test_quota_counts_a_rolling_window_per_author(claap: Claap) -> None:
    start = datetime(2025, 3, 1, 9, tzinfo=UTC)
    for day in range(3):  # the fixture allows 3 per author in 30 days
        claap.set_time(start + timedelta(days=day))
        assert claap.create().status_code == 200
    claap.set_time(start + timedelta(days=10))
    refused = claap.create()
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "the next one can be created from 2025-03-31T09:00:00+00:00" in error["message"]
    claap.set_time(start + timedelta(days=30, seconds=1))  # the first one has left the window
    assert claap.create().status_code == 200
    assert claap.create().status_code == 429


def test_listing_is_newest_first_paged_and_filtered(claap: Claap) -> None:
    start = datetime(2025, 3, 1, 9, tzinfo=UTC)
    ids = []
    for index in range(3):
        claap.set_time(start + timedelta(minutes=index // 2))  # two share a creation time
        ids.append(claap.created_recording(channelId=claap.workspace.channels[index % 2])["id"])
    pages, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        result = claap.get("/v1/recordings", params=params).json()["result"]
        pages.append([item["id"] for item in result["recordings"]])
        if not (cursor := result.get("nextCursor")):
            break
    flat = [item for page in pages for item in page]
    assert len(pages) == 2 and sorted(flat) == sorted(ids) and flat[0] == ids[2]
    sales = claap.get("/v1/recordings", params={"channelId": claap.workspace.channels[1]}).json()
    assert [item["id"] for item in sales["result"]["recordings"]] == [ids[1]]
    empty = claap.get("/v1/recordings", params={"state": "Empty"}).json()["result"]["recordings"]
    assert len(empty) == 3 and empty[0]["state"] == "Empty"
    assert claap.get("/v1/recordings", params={"state": "Ready"}).json()["result"]["recordings"] == []
    bad = claap.get("/v1/recordings", params={"state": "Done"})
    assert bad.status_code == 400 and "state" in bad.json()["error"]["message"]
    assert claap.get("/v1/recordings", params={"cursor": "%%%"}).status_code == 400


def test_errors_keep_one_shape_and_are_documented(claap: Claap) -> None:
    unknown = claap.get("/v1/recordings/abc/nowhere")
    assert unknown.status_code == 404 and set(unknown.json()["error"]) == {"code", "message"}
    symbl = claap.api.get("/v1/nowhere")
    assert symbl.status_code == 404 and "error" not in symbl.json()
    schema = claap.api.client.get("/openapi.json").json()
    post = schema["paths"]["/v1/recordings"]["post"]
    for status in ("400", "401", "403", "429"):
        ref = post["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
    assert "X-Claap-Key".lower() in {p["name"].lower() for p in post["parameters"]}
