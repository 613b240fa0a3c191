"""An OpenAI-compatible chat completions server on 127.0.0.1 that records each request and answers a set
reply: the far end for the LLM paths (abstractive summaries, action items written by the model)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeChatServer:
    """An OpenAI-compatible `/v1/chat/completions` that checks each request and answers `reply`."""

    def __init__(self, reply: str, status: int = 200) -> None:
        self.reply, self.status, self.requests = reply, status, []  # type: ignore[var-annotated]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                answer: dict[str, Any] = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": server.reply}}],
                }
                payload = json.dumps(answer if server.status == 200 else {"error": "overloaded"}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@contextmanager
def chat_server(**kwargs: Any) -> Iterator[FakeChatServer]:
    fake = FakeChatServer(**kwargs)
    thread = threading.Thread(target=fake.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.httpd.shutdown()
        fake.httpd.server_close()
