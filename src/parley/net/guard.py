"""Refuse URLs that point into the server's own network, and connect only to the address that was checked.

Parley fetches media from URLs that API callers give it and posts webhooks to URLs they choose. Without a
guard a caller could make the server read its cloud metadata endpoint (169.254.169.254), an admin port on
localhost or a database on the private network (server-side request forgery).

:func:`check_url` resolves the host and refuses the URL if any address it resolves to is not public. A name
can resolve to a different address on the next lookup (DNS rebinding), so checking and then letting httpx
resolve again is not enough: :class:`GuardedTransport` runs the check on every request it sends, redirect
hops included, and connects to the very address it approved. TLS still verifies the certificate against the
hostname, which it sends as SNI.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Collection, Iterable

import httpx

__all__ = ["GuardedTransport", "IPAddress", "Resolver", "UnsafeURLError", "check_url", "resolve_host"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
"""Maps (host, port) to the host's IP addresses as strings; raises OSError when the name does not resolve."""

ALLOW_HINT = "set PARLEY_ALLOW_PRIVATE_URLS=1 to allow"

# Names that reach a cloud provider's instance metadata service from inside the instance.
_METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Most specific first: ipaddress counts loopback and link-local as private too.
_CATEGORIES = (
    ("is_unspecified", "the unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_private", "a private address"),
    ("is_reserved", "a reserved address"),
)


class UnsafeURLError(ValueError):
    """A URL Parley will not connect to; the message says why and, where it applies, how to allow it."""

    def __init__(self, url: str, reason: str, *, private: bool = False) -> None:
        hint = f" ({ALLOW_HINT})" if private else ""
        super().__init__(f"refusing to connect to {url}: {reason}{hint}")
        self.url = url
        self.reason = reason


def resolve_host(host: str, port: int) -> list[str]:
    """Every address (A and AAAA) the system resolver gives for `host`, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(
    url: str | httpx.URL,
    *,
    allow_private: bool,
    allow_hosts: Collection[str] = frozenset(),
    resolve: Resolver = resolve_host,
) -> list[IPAddress]:
    """Refuse `url` unless it is http(s) and every address its host resolves to is public.

    `allow_private` lifts the address and metadata-host checks for every host; `allow_hosts` (hostnames or
    IP literals without brackets) lifts them for those hosts only. Returns the approved addresses: connect to
    one of these, never to a fresh lookup. Raises UnsafeURLError when refused and OSError when the host
    does not resolve.
    """
    text = str(url)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeURLError(text, f"it is not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https"):
        raise UnsafeURLError(text, "only http and https URLs are allowed")
    # raw_host is the ASCII (IDNA) form httpx connects with; the check must see the same name.
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise UnsafeURLError(text, "it has no host")
    name = host.rstrip(".").lower()
    trusted = allow_private or name in {allowed.rstrip(".").lower() for allowed in allow_hosts}
    if not trusted and name in _METADATA_HOSTS:
        raise UnsafeURLError(text, f"{name} is a cloud metadata host", private=True)

    literal = _parse_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = [ipaddress.ip_address(a) for a in resolve(host, port)]
        if not addresses:
            raise OSError(f"{host} resolves to no addresses")
    if not trusted:
        for address in addresses:
            problem = _problem(address)
            if problem is not None:
                where = f"{host} is" if literal is not None else f"{host} resolves to {address},"
                raise UnsafeURLError(text, f"{where} {problem}", private=True)
    return addresses


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks each request with :func:`check_url` and connects to the checked address.

    Use it with ``httpx.Client(transport=..., trust_env=False)``: with ``trust_env`` on, proxy variables in
    the environment would route requests around it. Refusals raise UnsafeURLError out of ``client.send``; a
    host that does not resolve raises httpx.ConnectError.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        allow_hosts: Collection[str] = frozenset(),
        resolve: Resolver = resolve_host,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._allow_private = allow_private
        self._allow_hosts = allow_hosts
        self._resolve = resolve
        # No keep-alive: the pool is keyed by IP, so a kept connection could be handed a request for another
        # hostname on the same IP whose certificate was never verified.
        self._inner = httpx.HTTPTransport(verify=verify, limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        try:
            addresses = check_url(
                url, allow_private=self._allow_private, allow_hosts=self._allow_hosts, resolve=self._resolve
            )
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

        headers = request.headers.copy()
        headers.setdefault("Host", url.netloc.decode("ascii"))
        # The URL now names an IP, so tell httpcore which name to send as SNI and verify the certificate for.
        extensions = {**request.extensions, "sni_hostname": url.raw_host.decode("ascii")}
        error: httpx.ConnectError | None = None
        for address in addresses:
            pinned = httpx.Request(
                request.method,
                url.copy_with(host=str(address)),
                headers=headers,
                stream=request.stream,
                extensions=extensions,
            )
            try:
                return self._inner.handle_request(pinned)
            except httpx.ConnectError as exc:  # nothing was sent yet: try the host's next address
                error = exc
        assert error is not None  # check_url never approves an empty list
        raise error

    def close(self) -> None:
        self._inner.close()


def _parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _problem(address: IPAddress) -> str | None:
    """Why Parley must not connect to `address`, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # Addresses that carry an IPv4 address are judged by it; DNS64 answers for public hosts look like
        # 64:ff9b::<public IPv4> and must stay allowed.
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _METADATA_ADDRESSES:
        return "the cloud metadata address"
    for attribute, label in _CATEGORIES:
        if getattr(address, attribute):
            return label
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT
        return "not a public address"
    return None
