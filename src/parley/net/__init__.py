"""Outbound HTTP that API callers can point somewhere: the SSRF guard and the media downloader."""

from parley.net.fetch import MAX_REDIRECTS, FetchError, download
from parley.net.guard import GuardedTransport, Resolver, UnsafeURLError, check_url, resolve_host

__all__ = [
    "MAX_REDIRECTS",
    "FetchError",
    "GuardedTransport",
    "Resolver",
    "UnsafeURLError",
    "check_url",
    "download",
    "resolve_host",
]
