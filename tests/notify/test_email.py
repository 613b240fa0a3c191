"""Mail over SMTP against a real aiosmtpd server on 127.0.0.1: plain, STARTTLS and implicit TLS."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from tests.conftest import free_port
from tests.notify.smtp_server import smtp_server

from parley.notify.email import MailError, send_mail


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), trusted through SSL_CERT_FILE in the tests."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def test_plain_smtp() -> None:
    with smtp_server() as box:
        send_mail(box.url, sender="parley@x.test", to=["a@x.test"], subject="Hi", text="Body\n")
    assert box.messages[0]["Subject"] == "Hi" and box.messages[0].get_payload().strip() == "Body"


def test_starttls(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with smtp_server(tls_context=_server_context(certificate), require_starttls=True) as box:
        send_mail(f"{box.url}?starttls=true", sender="p@x.test", to=["a@x.test"], subject="S", text="t")
        assert len(box.messages) == 1
        # Without STARTTLS this server refuses the mail: the option really switched TLS on.
        with pytest.raises(MailError, match="could not send"):
            send_mail(box.url, sender="p@x.test", to=["a@x.test"], subject="S", text="t")


def test_implicit_tls(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with smtp_server(ssl_context=_server_context(certificate)) as box:
        send_mail(f"smtps://127.0.0.1:{box.port}", sender="p@x.test", to=["a@x.test"], subject="T", text="t")
        assert box.messages[0]["Subject"] == "T"


def test_unreachable_server_and_bad_urls() -> None:
    with pytest.raises(MailError, match="could not send"):
        send_mail(
            f"smtp://127.0.0.1:{free_port()}", sender="p@x.test", to=["a@x.test"], subject="S", text="t"
        )
    with pytest.raises(MailError, match="smtp://host"):
        send_mail("http://127.0.0.1", sender="p@x.test", to=["a@x.test"], subject="S", text="t")
