"""The VideoSDK face: JWT auth, rooms, and refused recording requests (over SQLite, in process)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from parley.app import create_app
from tests.conftest import make_settings
from tests.videosdk_helpers import Key, new_key


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path / "data", sqlite_url))) as client:
        yield client


@pytest.fixture
def key(client: TestClient) -> Key:
    return new_key(client.app.state.runtime)  # type: ignore[attr-defined]


def _room(client: TestClient, key: Key) -> str:
    response = client.post("/v2/rooms", headers=key.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["roomId"])


def _refused(response: object, status: int, words: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["statusCode"] == status and words in body["message"], body
    assert set(body) == {"statusCode", "error", "message"}


def test_tokens_are_checked_with_the_keys_secret_and_expiry(client: TestClient, key: Key) -> None:
    assert client.get("/v2/rooms", headers=key.headers).status_code == 200
    _refused(client.get("/v2/rooms"), 401, "Authorization header")
    _refused(
        client.get("/v2/rooms", headers={"Authorization": f"Bearer {key.token()}"}), 401, "without a prefix"
    )
    expired = key.token(exp=int(time.time()) - 10)
    _refused(client.get("/v2/rooms", headers={"Authorization": expired}), 401, "expired")
    forged = jwt.encode(
        {"apikey": key.api_key, "permissions": ["allow_join"], "exp": 2**31},
        "not-the-secret-of-this-key-at-all",
    )
    _refused(client.get("/v2/rooms", headers={"Authorization": forged}), 401, "signature")
    unknown = jwt.encode({"apikey": "nobody", "permissions": ["allow_join"], "exp": 2**31}, key.secret)
    _refused(client.get("/v2/rooms", headers={"Authorization": unknown}), 401, "not a key")
    no_permissions = key.token(permissions=[])
    _refused(client.get("/v2/rooms", headers={"Authorization": no_permissions}), 401, "permissions")
    never_expires = jwt.encode({"apikey": key.api_key, "permissions": ["allow_join"]}, key.secret)
    _refused(client.get("/v2/rooms", headers={"Authorization": never_expires}), 401, "exp")
    _refused(client.get("/v2/rooms", headers={"Authorization": "garbage"}), 401, "not a JWT")


def test_rooms_are_created_read_listed_and_deactivated_per_account(client: TestClient, key: Key) -> None:
    created = client.post("/v2/rooms", headers=key.headers, json={"customRoomId": "standup"}).json()
    assert len(created["roomId"]) == 14 and created["roomId"].count("-") == 2
    assert created["customRoomId"] == "standup" and created["disabled"] is False
    assert created["links"]["join"].endswith(f"/rooms/{created['roomId']}")
    room_id = created["roomId"]
    assert client.get(f"/v2/rooms/{room_id}", headers=key.headers).json()["id"] == created["id"]
    listed = client.get("/v2/rooms", headers=key.headers).json()
    assert listed["pageInfo"]["total"] == 1 and listed["data"][0]["roomId"] == room_id

    other = new_key(client.app.state.runtime)  # type: ignore[attr-defined]
    _refused(client.get(f"/v2/rooms/{room_id}", headers=other.headers), 404, "no room")
    assert client.get("/v2/rooms", headers=other.headers).json()["data"] == []
    limited = {"Authorization": key.token(roomId="aaaa-bbbb-cccc")}
    _refused(client.get(f"/v2/rooms/{room_id}", headers=limited), 404, "limited to room")

    deactivated = client.post("/v2/rooms/deactivate", headers=key.headers, json={"roomId": room_id})
    assert deactivated.json()["disabled"] is True
    page = client.get(f"/rooms/{room_id}", params={"token": key.token(), "name": "Ann"})
    _refused(page, 400, "deactivated")


def test_the_join_page_needs_a_joining_token(client: TestClient, key: Key) -> None:
    room_id = _room(client, key)
    page = client.get(f"/rooms/{room_id}", params={"token": key.token(), "name": "Ann"})
    assert page.status_code == 200 and "RTCPeerConnection" in page.text and '"Ann"' in page.text
    asking = client.get(f"/rooms/{room_id}", params={"token": key.token(permissions=["ask_join"])})
    _refused(asking, 403, "allow_join")
    state = client.get(f"/rooms/{room_id}/state", params={"token": key.token()}).json()
    assert state == {"roomId": room_id, "recording": False, "participants": []}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "roomId"),
        ({"roomId": ""}, 400, "roomId"),
        ({"roomId": "zzzz-zzzz-zzzz"}, 404, "no room"),
        ({"roomId": "ROOM", "config": {"layout": {"gridSize": 5}}}, 400, "gridSize"),
        ({"roomId": "ROOM", "config": {"layout": {"type": "MOSAIC"}}}, 400, "layout.type"),
        ({"roomId": "ROOM", "config": {"theme": "PINK"}}, 400, "theme"),
        ({"roomId": "ROOM", "config": {"mode": "video"}}, 400, "mode"),
        ({"roomId": "ROOM", "config": {"quality": "ultra"}}, 400, "quality"),
        ({"roomId": "ROOM", "config": {"orientation": "square"}}, 400, "orientation"),
        ({"roomId": "ROOM", "transcription": {"enabled": True, "sumary": {}}}, 400, "sumary"),
        ({"roomId": "ROOM", "awsDirPath": "meetings/"}, 400, "S3"),
        ({"roomId": "ROOM"}, 400, "nobody is in room"),
    ],
)
def test_bad_recording_requests_say_what_is_wrong(
    client: TestClient, key: Key, body: dict[str, object], status: int, words: str
) -> None:
    room_id = _room(client, key)
    if body.get("roomId") == "ROOM":
        body = body | {"roomId": room_id}
    _refused(client.post("/v2/recordings/start", headers=key.headers, json=body), status, words)


def test_ending_a_room_not_being_recorded_is_refused(client: TestClient, key: Key) -> None:
    room_id = _room(client, key)
    _refused(
        client.post("/v2/recordings/end", headers=key.headers, json={"roomId": room_id}), 400, "not being"
    )
    assert client.get("/v2/recordings", headers=key.headers, params={"roomId": room_id}).json()["data"] == []
