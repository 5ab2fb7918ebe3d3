"""The address a request really came from: one rule for sign-in throttling, rate limits and audit.

In production a reverse proxy (nginx, a load balancer) connects to gunicorn, so REMOTE_ADDR is
the proxy's address for every user: throttling on it would let one busy proxy block everyone.
The proxy says who its client was in X-Forwarded-For, but anybody can send that header, so it
is believed only when the connection itself comes from a proxy named in
CMETRACK_TRUSTED_PROXIES (the same list gunicorn's forwarded_allow_ips reads). The header is
read from the right: each proxy appends the address it saw, so the right-most address that is
not one of our own proxies is the client; whatever lies to the left of it was written by the
client and is ignored.

Entries in CMETRACK_TRUSTED_PROXIES are addresses or networks (10.0.0.0/8). "*" is refused
(see checks.py): trusting every peer would believe an attacker's header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import TYPE_CHECKING

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")
# What a rate limit keys on when no address is known (a request with no REMOTE_ADDR, as a
# Unix-socket connection has): one shared bucket, so such requests are limited together.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a rate-limit key, not an address to bind # nosec B104


def parse_address(text: str) -> Address | None:
    """An address as a proxy or gunicorn writes it, with or without a port; else None."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
    return address


def invalid_trusted_proxies(entries: list[str] | tuple[str, ...]) -> list[str]:
    """The entries of CMETRACK_TRUSTED_PROXIES that are neither an address nor a network."""
    return [entry for entry in entries if _network(entry) is None]


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(network for entry in entries if (network := _network(entry)) is not None)


def trusted_proxies() -> tuple[Network, ...]:
    entries = getattr(settings, "CMETRACK_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)
    return _trusted(tuple(entries))


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or, from a trusted proxy, the one it forwarded.

    django-axes calls this (AXES_CLIENT_IP_CALLABLE) and so does every django-ratelimit "ip"
    key (RATELIMIT_IP_META_KEY, through `ratelimit_ip`). None when the request has no address.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    proxies = trusted_proxies()
    if not _is_trusted(peer, proxies):
        return str(peer)  # a direct connection: its own header, if any, means nothing
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:
            break  # not an address (empty, "unknown", garbage): believe nothing further left
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def ratelimit_ip(request: HttpRequest) -> str:
    """`client_ip` for django-ratelimit, which needs an address (it masks IPv6 to its /64)."""
    return client_ip(request) or UNKNOWN_ADDRESS


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware with the audit record's address taken by the same rule.

    auditlog believes the left-most X-Forwarded-For entry from anyone, so a client could write
    any address into the forensic record; this one records what `client_ip` decides.
    """

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request)
