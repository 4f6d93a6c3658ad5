"""Facts about the HTTP request that several floors need (audit context, login throttling)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> Address | None:
    """An address from a REMOTE_ADDR or X-Forwarded-For hop ("1.2.3.4", "1.2.3.4:5678",
    "[2001:db8::1]:443", "::ffff:1.2.3.4"); None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1 and "." in text:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for item in spec:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TUOYU_PROXY_IPS 中的 {item!r} 不是 IP 地址或网段（CIDR）"
            ) from exc
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The reverse proxies of `TUOYU_PROXY_IPS` (a list, or one comma-separated string)."""
    spec = getattr(settings, "TUOYU_PROXY_IPS", None) or ()
    if isinstance(spec, str):
        spec = spec.split(",")
    return _networks(tuple(p.strip() for p in spec if p.strip()))


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request) -> str:
    """The client's address ([hardening] point 4). REMOTE_ADDR, unless it is one of the
    reverse proxies of `TUOYU_PROXY_IPS`: then X-Forwarded-For is read from the right,
    skipping the hops trusted proxies own, and the first other hop is the client. Whatever
    the client itself wrote (the left of the header) is never believed; a hop that is no
    address leaves the nearest trusted one. Without configured proxies the header is
    ignored: every client would otherwise choose its own address."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    address = _address(remote)
    if address is None:
        return remote.strip()[:45]
    networks = trusted_proxies()
    if not networks or not _trusted(address, networks):
        return str(address)
    client = address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop_address = _address(hop)
        if hop_address is None:
            break
        client = hop_address
        if not _trusted(hop_address, networks):
            break
    return str(client)
