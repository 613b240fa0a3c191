from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from media_host import PUBLIC_NAME, MediaServer, fake_resolve

from parley.net.guard import GuardedTransport, UnsafeURLError, check_url, resolve_host

PUBLIC_IP = "93.184.216.34"

REFUSED = [
    ("http://127.0.0.1/x", "127.0.0.1 is a loopback address"),
    ("http://localhost:8000/x", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://2130706433/x", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://10.1.2.3/x", "10.1.2.3 is a private address"),
    ("http://172.16.0.1/x", "172.16.0.1 is a private address"),
    ("https://192.168.1.10/x", "192.168.1.10 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata address"),
    ("http://169.254.10.1/x", "169.254.10.1 is a link-local address"),
    ("http://0.0.0.0/x", "0.0.0.0 is the unspecified address"),
    ("http://224.0.0.1/x", "224.0.0.1 is a multicast address"),
    ("http://100.64.0.1/x", "100.64.0.1 is not a public address"),
    ("http://[::1]/x", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/x", "::ffff:127.0.0.1 is a loopback address"),
    ("http://[::ffff:10.0.0.1]/x", "::ffff:10.0.0.1 is a private address"),
    ("http://[64:ff9b::a00:1]/x", "64:ff9b::a00:1 is a private address"),
    ("http://[fe80::1]/x", "fe80::1 is a link-local address"),
    ("http://[fc00::1]/x", "fc00::1 is a private address"),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        "metadata.google.internal is a cloud metadata host",
    ),
]


def never_resolve(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host} should not need resolving")


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refuses_private_addresses(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=False)

    assert (
        str(caught.value)
        == f"refusing to connect to {url}: {reason} (set PARLEY_ALLOW_PRIVATE_URLS=1 to allow)"
    )
    assert caught.value.url == url
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_allow_private_lets_them_through(url: str, reason: str) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["169.254.169.254"] if host == "metadata.google.internal" else resolve_host(host, port)

    assert check_url(url, allow_private=True, resolve=resolve)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://files.example.test/talk.mp3", "only http and https URLs are allowed"),
        ("file:///etc/passwd", "only http and https URLs are allowed"),
        ("//media.example.test/talk.mp3", "only http and https URLs are allowed"),
        ("http:///talk.mp3", "it has no host"),
    ],
)
def test_refuses_what_is_not_a_web_url(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=True)

    assert str(caught.value) == f"refusing to connect to {url}: {reason}"


def test_public_addresses_pass_and_are_returned() -> None:
    def resolve(host: str, port: int) -> list[str]:
        assert (host, port) == (PUBLIC_NAME, 443)
        return [PUBLIC_IP, "2606:2800:220:1:248:1893:25c8:1946"]

    addresses = check_url(f"https://{PUBLIC_NAME}/talk.mp3", allow_private=False, resolve=resolve)

    assert addresses == [
        ipaddress.ip_address(PUBLIC_IP),
        ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"),
    ]
    assert check_url(f"http://{PUBLIC_IP}/", allow_private=False, resolve=never_resolve) == [
        ipaddress.ip_address(PUBLIC_IP)
    ]
    # DNS64 answers for IPv4-only public hosts must keep working on IPv6-only servers.
    assert check_url("http://[64:ff9b::5db8:d822]/", allow_private=False, resolve=never_resolve)


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_IP, "10.0.0.7"]

    with pytest.raises(UnsafeURLError, match=f"{PUBLIC_NAME} resolves to 10.0.0.7, a private address"):
        check_url(f"http://{PUBLIC_NAME}/", allow_private=False, resolve=resolve)


def test_allow_hosts_trusts_only_the_hosts_named() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    assert check_url(
        f"http://{PUBLIC_NAME}/", allow_private=False, allow_hosts={PUBLIC_NAME}, resolve=resolve
    )
    # Names compare like DNS does: without case and without the root's trailing dot.
    assert check_url(
        f"http://{PUBLIC_NAME}./", allow_private=False, allow_hosts={"Media.Example.Test"}, resolve=resolve
    )
    with pytest.raises(UnsafeURLError, match="loopback"):
        check_url(
            "http://other.example.test/", allow_private=False, allow_hosts={PUBLIC_NAME}, resolve=resolve
        )


def test_the_resolver_sees_the_idna_name_httpx_connects_to() -> None:
    seen: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        seen.append(host)
        return [PUBLIC_IP]

    check_url("http://bücher.example.test/", allow_private=False, resolve=resolve)

    assert seen == ["xn--bcher-kva.example.test"]


def test_unresolvable_host_raises_oserror() -> None:
    with pytest.raises(OSError):
        check_url("http://nowhere.example.test/", allow_private=False, resolve=fake_resolve)
    with pytest.raises(OSError, match="no addresses"):
        check_url("http://nowhere.example.test/", allow_private=False, resolve=lambda host, port: [])


def test_transport_connects_to_the_address_it_checked(media_server: MediaServer) -> None:
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return fake_resolve(host, port)

    # The system resolver does not know PUBLIC_NAME, so an answer proves httpx did not look it up again.
    transport = GuardedTransport(allow_private=False, allow_hosts={PUBLIC_NAME}, resolve=resolve)
    with httpx.Client(transport=transport, trust_env=False) as client:
        response = client.get(media_server.url("/small.bin"))

    assert response.status_code == 200
    assert calls == [PUBLIC_NAME]


def test_transport_refuses_before_connecting(media_server: MediaServer) -> None:
    url = media_server.url("/small.bin?never", host="127.0.0.1")

    with (
        httpx.Client(transport=GuardedTransport(allow_private=False), trust_env=False) as client,
        pytest.raises(UnsafeURLError, match="loopback"),
    ):
        client.get(url)

    assert "/small.bin?never" not in media_server.paths


def test_transport_tries_the_next_address_when_one_refuses(media_server: MediaServer) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.2", "127.0.0.1"]  # the server listens on 127.0.0.1 only

    transport = GuardedTransport(allow_private=True, resolve=resolve)
    with httpx.Client(transport=transport, trust_env=False) as client:
        assert client.get(media_server.url("/small.bin")).status_code == 200


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate names only PUBLIC_NAME."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = (
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        f" -subj /CN={PUBLIC_NAME} -addext subjectAltName=DNS:{PUBLIC_NAME}"
    )
    subprocess.run([*command.split(), "-keyout", key, "-out", cert], check=True, capture_output=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], cert
    server.shutdown()
    server.server_close()


def test_tls_is_verified_against_the_hostname_not_the_pinned_ip(https_server: tuple[int, Path]) -> None:
    port, cert = https_server
    trust = ssl.create_default_context(cafile=cert)
    transport = GuardedTransport(
        allow_private=False, allow_hosts={PUBLIC_NAME}, resolve=fake_resolve, verify=trust
    )

    with httpx.Client(transport=transport, trust_env=False) as client:
        response = client.get(f"https://{PUBLIC_NAME}:{port}/")

    assert response.text == f"{PUBLIC_NAME}:{port}"


def test_tls_still_refuses_a_certificate_for_another_name(https_server: tuple[int, Path]) -> None:
    port, cert = https_server
    trust = ssl.create_default_context(cafile=cert)

    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    transport = GuardedTransport(allow_private=True, resolve=resolve, verify=trust)
    with (
        httpx.Client(transport=transport, trust_env=False) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(f"https://impostor.example.test:{port}/")
