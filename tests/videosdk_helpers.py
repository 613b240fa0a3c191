"""Helpers for the VideoSDK face's tests: keys, signed tokens, and a program that joins a room over WebRTC."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from parley.rooms import keys
from parley.runtime import Runtime


@dataclass
class Key:
    api_key: str
    secret: str
    app_id: str

    def token(self, **claims: Any) -> str:
        return keys.sign(self.api_key, self.secret, **claims)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.token()}


def new_key(runtime: Runtime) -> Key:
    with runtime.session() as session:
        created = keys.create(session)
    return Key(created.api_key, created.secret, created.app_id)


def cli_key(env: dict[str, str]) -> Key:
    """A key made with `parley videosdk-keys create --json`, as an operator of a real server would."""
    parley = str(Path(sys.executable).parent / "parley")
    done = subprocess.run(
        [parley, "videosdk-keys", "create", "--json"], env=env, capture_output=True, check=True
    )
    created = json.loads(done.stdout)
    return Key(created["apiKey"], created["secret"], created["appId"])


class ProgramParticipant:
    """Joins a room from a thread of its own with aiortc, sending the given tracks, until `leave()`."""

    def __init__(
        self, post: Callable[[dict[str, Any]], dict[str, Any]], tracks: list[MediaStreamTrack]
    ) -> None:
        self.post, self.tracks = post, tracks
        self.loop = asyncio.new_event_loop()
        self.joined = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.participant_id = asyncio.run_coroutine_threadsafe(self._join(), self.loop).result(30)

    async def _join(self) -> str:
        self.connection = RTCPeerConnection()
        for track in self.tracks:
            self.connection.addTrack(track)
        await self.connection.setLocalDescription(await self.connection.createOffer())
        offer = self.connection.localDescription
        answer = await asyncio.to_thread(self.post, {"sdp": offer.sdp, "type": offer.type})
        await self.connection.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        return str(answer["participantId"])

    @classmethod
    def over_http(
        cls, base_url: str, room_id: str, key: Key, name: str, tracks: list[MediaStreamTrack]
    ) -> ProgramParticipant:
        """Join a room of a real server, as the join page does."""

        def post(offer: dict[str, Any]) -> dict[str, Any]:
            body = offer | {"token": key.token(), "name": name}
            answer = httpx.post(f"{base_url}/rooms/{room_id}/participants", json=body, timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.json()

        return cls(post, tracks)

    def leave(self) -> None:
        asyncio.run_coroutine_threadsafe(self.connection.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A local HTTP server that keeps every request: webhooks (POST), presigned uploads (PUT), and an
    OpenAI-compatible `/chat/completions` that answers `reply`.

    After `hold_next_put()`, the next PUT is held: its headers are kept in `held`, `put_held` is set, and
    once `release()` is called the connection is dropped with the body unread and no answer, as an object
    store drops an upload it never got whole. Only PUTs read whole and answered land in `requests`."""

    def __init__(self, reply: str = "The meeting was about asking what you can do for your country.") -> None:
        self.requests: list[Received] = []
        self.held: list[Received] = []
        self.put_held = threading.Event()
        self._hold = threading.Lock()
        self._holding = False
        self._released = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _keep(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(
                    Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
                )

            def do_PUT(self) -> None:
                if outer._take_hold():
                    outer.held.append(Received(self.command, self.path, dict(self.headers), b""))
                    outer.put_held.set()
                    outer._released.wait(300)
                    self.close_connection = True
                    return
                self._keep()
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                self._keep()
                answer = b"{}"
                if self.path.endswith("/chat/completions"):
                    answer = json.dumps(
                        {"choices": [{"message": {"role": "assistant", "content": reply}}]}
                    ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def hold_next_put(self) -> None:
        with self._hold:
            self._holding = True

    def _take_hold(self) -> bool:
        with self._hold:
            holding, self._holding = self._holding, False
        return holding

    def release(self) -> None:
        self._released.set()

    def of(self, method: str, path: str) -> list[Received]:
        return [request for request in self.requests if request.method == method and request.path == path]

    def webhook_types(self, path: str = "/hook") -> list[str]:
        return [request.json()["webhookType"] for request in self.of("POST", path)]

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
