"""Which addresses a webhook may be delivered to.

A URL is refused when its host is, or resolves to, ANY address that is not a public unicast one:
loopback, private (RFC 1918, fc00::/7), link-local, CGNAT (100.64.0.0/10), multicast, reserved,
unspecified, documentation ranges, and the cloud metadata addresses (169.254.169.254,
fd00:ec2::254, ...). IPv4 addresses hidden in IPv6 (v4-mapped, 6to4, Teredo) are checked as IPv4.

The check runs at registration (a validation error) and again at every delivery, because DNS can
change between the two (rebinding). At delivery the transport then connects to one of the addresses
checked here — never resolving the name again — so what was checked is what is reached.

`resolver` is the one injection point for tests: a function (host, port) -> [address strings].
`settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS` (default false) lets tests deliver to a receiver on
127.0.0.1; even then the metadata addresses stay refused.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ALLOWED_SCHEMES = {"http": 80, "https": 443}

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in [
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6 metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    ]
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class UnsafeURL(ValueError):
    """The URL may not receive webhooks; the message says why (shown to the tenant), never what
    a host name resolves to."""


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


resolver = _system_resolver


def _embedded_ipv4(address):
    if address.version != 6:
        return None
    return address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)


def refusal(address) -> str | None:
    """Why `address` may not be reached, or None when it may."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return refusal(inner)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False):
        return None
    for flag, label in [
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ]:
        if getattr(address, flag):
            return label
    if address.version == 4 and address in _CGNAT:
        return "a shared (CGNAT) address"
    if not address.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`addresses`, all of them allowed) and what to ask for."""

    url: str
    scheme: str
    host: str  # the name for the Host header and TLS SNI / certificate check
    port: int
    path: str  # path + query
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == ALLOWED_SCHEMES[self.scheme] else f"{host}:{self.port}"


def _host_refused(host: str) -> str:
    """One answer for a name that doesn't resolve and one that resolves inside: the tenant reads it
    (and the delivery log), so it must not map the internal network: neither the addresses a name
    resolves to, nor their kind, nor which internal names exist."""
    return (
        f"The host {host} is not allowed: webhooks go only to hosts that resolve to public addresses, "
        "never into a private or reserved network."
    )


def check_url(url: str) -> Target:
    """Parse, resolve and check `url`; UnsafeURL with the reason otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"The URL is not valid ({exc}).") from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL("Webhook URLs must start with https:// (or http://).")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Webhook URLs may not carry a user name or password.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL("The URL has no host.")
    port = port or ALLOWED_SCHEMES[scheme]
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            found = resolver(host, port)
        except (OSError, UnicodeError):
            found = []
    if not found:
        raise UnsafeURL(_host_refused(host))
    addresses = []
    for raw in found:
        address = ipaddress.ip_address(raw.split("%", 1)[0])  # drop an IPv6 zone id
        reason = refusal(address)
        if reason is not None:
            # Every address must pass: an attacker controls which one a client would pick.
            if literal is not None:  # the caller's own address: saying what it is reveals nothing
                raise UnsafeURL(f"The address {address} is {reason}; webhooks go to public addresses only.")
            raise UnsafeURL(_host_refused(host))
        if str(address) not in addresses:
            addresses.append(str(address))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))
