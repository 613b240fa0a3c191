"""Helpers for the VideoSDK face's tests: keys, signed tokens, and a program that joins a room over WebRTC."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
    OpenAI-compatible `/chat/completions` that answers `reply`."""

    def __init__(self, reply: str = "The meeting was about asking what you can do for your country.") -> None:
        self.requests: list[Received] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _keep(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(
                    Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
                )

            def do_PUT(self) -> None:
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

    def of(self, method: str, path: str) -> list[Received]:
        return [request for request in self.requests if request.method == method and request.path == path]

    def webhook_types(self, path: str = "/hook") -> list[str]:
        return [request.json()["webhookType"] for request in self.of("POST", path)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
