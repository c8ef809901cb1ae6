"""The client's IP address, behind reverse proxies we trust and only those.

`X-Forwarded-For` is a list that every proxy appends to, so only its right-hand end can be
believed: each hop we trust vouches for the address to its left. We therefore honour the header
only when the socket peer (REMOTE_ADDR) is a trusted proxy (settings.TRUSTED_PROXIES, CIDRs),
and walk it from the right, skipping trusted hops; the first untrusted address is the client.
Anything a client writes into the header itself sits further left and is never reached.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

_META_KEY = "eventmate.client_ip"


@lru_cache(maxsize=8)
def parse_networks(cidrs: tuple[str, ...]) -> tuple:
    """CIDRs (or single addresses) to network objects; invalid entries raise ValueError."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def address_in(address: str, cidrs) -> bool:
    """Whether `address` lies in one of `cidrs`. A malformed address is in none."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:  # "::ffff:10.0.0.1" is the IPv4 client 10.0.0.1
        ip = ip.ipv4_mapped
    return any(ip in network for network in parse_networks(tuple(cidrs)))


def _normalise(address: str) -> str | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # "[2001:db8::1]:443"
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:  # "203.0.113.9:52100"
        address = address.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def resolve_client_ip(remote_addr: str, forwarded_for: str, trusted_proxies) -> str:
    """The right-most address in the proxy chain that is not one of our proxies.

    Pure function of its inputs (so it is testable without a request). When every hop is
    trusted, the left-most one is the best we know. A malformed entry ends the walk: nothing to
    its left can be vouched for, so the last trusted hop is returned.
    """
    remote = _normalise(remote_addr) or remote_addr
    if not forwarded_for or not address_in(remote, trusted_proxies):
        return remote
    client = remote
    for hop in reversed(forwarded_for.split(",")):
        address = _normalise(hop)
        if address is None:
            return client
        client = address
        if not address_in(address, trusted_proxies):
            return address
    return client


def get_client_ip(request) -> str:
    """The client IP for this request, computed once and kept in request.META."""
    cached = request.META.get(_META_KEY)
    if cached is None:
        cached = resolve_client_ip(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            settings.TRUSTED_PROXIES,
        )
        request.META[_META_KEY] = cached
    return cached
