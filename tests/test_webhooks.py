"""Job status webhooks: every change is POSTed, in order, signed when the app has a secret."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from parley.accounts import service as accounts
from parley.notify.webhooks import verify
from tests.conftest import Api, token_for


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((json.loads(body), dict(self.headers) | {"raw": body.decode()}))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_every_status_change_is_posted_and_signed(api: Api) -> None:
    with api.runtime.session() as session:
        credentials = accounts.create(session, name="signed", webhook_secret="hook-secret")
    headers = {"x-api-key": token_for(api.client, credentials.app_id, credentials.app_secret)}
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
        body = {"messages": [{"payload": {"content": "Hello."}}], "webhookUrl": hook}
        job_id = api.client.post("/v1/process/text", json=body, headers=headers).json()["jobId"]
        deadline = time.monotonic() + 20
        while len(_Receiver.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.shutdown()
    statuses = [payload["status"] for payload, _ in _Receiver.received]
    assert statuses == ["scheduled", "in_progress", "completed"]
    for payload, received_headers in _Receiver.received:
        assert payload["jobId"] == job_id
        signature = received_headers["X-Parley-Signature"]
        assert verify(
            received_headers["raw"].encode(), "hook-secret", received_headers["X-Parley-Timestamp"], signature
        )
