"""The IPVS domain: virtual services, real servers, statistics, and parsing of operator input.

Plain data and validation, no I/O. Every rule lives here so that both backends, the CLI and the
UI reject bad input with the same words. Addresses are kept in canonical text form
(``ipaddress`` compressed), ports as integers.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import socket
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Callable

PROTOCOLS = ("tcp", "udp", "sctp")
SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "mh",
              "fo", "ovf", "twos")
SCHED_FLAGS = ("sh-fallback", "sh-port", "mh-fallback", "mh-port")
TUNNEL_TYPES = ("ipip", "gue", "gre")
TUNNEL_CHECKSUMS = ("nocsum", "csum", "remcsum")
DEFAULT_SCHEDULER = "wlc"
DEFAULT_PERSISTENCE = 360
MAX_INT = 2**31 - 1
V4_HOST_MASK = 0xFFFFFFFF


class ValidationError(ValueError):
    """Input the kernel would refuse, with a message an operator can act on."""


class Forwarding(str, Enum):
    """How a real server is reached; the values are ipvsadm's words."""

    ROUTE = "route"      # direct routing, -g
    MASQ = "masq"        # NAT, -m
    TUNNEL = "tunnel"    # IP tunnelling, -i
    LOCAL = "local"      # the director itself (kernel-chosen)

    @property
    def label(self) -> str:
        return {"route": "Route", "masq": "Masq", "tunnel": "Tunnel", "local": "Local"}[self.value]


@dataclass(slots=True)
class Stats:
    """Kernel counters (totals) and rates (per second, ~2 s estimator)."""

    conns: int = 0
    inpkts: int = 0
    outpkts: int = 0
    inbytes: int = 0
    outbytes: int = 0
    cps: int = 0
    inpps: int = 0
    outpps: int = 0
    inbps: int = 0
    outbps: int = 0


class UnreadStats(Stats):
    """The counters of a read that skipped them (configuration only): zero, one shared
    instance, and setting one is an error rather than a change seen by every server."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"the counters were not read (setting {name})")


UNREAD_STATS = object.__new__(UnreadStats)
for _name in Stats.__slots__:
    object.__setattr__(UNREAD_STATS, _name, 0)
del _name


@dataclass(slots=True)
class RealServer:
    """One destination of a virtual service."""

    address: str
    port: int
    forwarding: Forwarding = Forwarding.ROUTE
    weight: int = 1
    upper_threshold: int = 0
    lower_threshold: int = 0
    tunnel_type: str = "ipip"
    tunnel_port: int = 0
    tunnel_checksum: str = "nocsum"
    active_conns: int = 0
    inactive_conns: int = 0
    persistent_conns: int = 0
    stats: Stats = field(default_factory=Stats)
    family: int = 4

    @property
    def key(self) -> tuple[str, int]:
        return (self.address, self.port)

    @property
    def endpoint(self) -> str:
        return format_endpoint(self.address, self.port)

    def same_config(self, other: RealServer) -> bool:
        """True when an edit would change nothing the kernel stores as configuration."""
        return config_of(self) == config_of(other)

    def validate(self) -> None:
        _check_range("weight", self.weight, 0, MAX_INT)
        _check_range("upper threshold", self.upper_threshold, 0, MAX_INT)
        _check_range("lower threshold", self.lower_threshold, 0, MAX_INT)
        _check_range("port", self.port, 0, 65535)
        if not isinstance(self.forwarding, Forwarding):
            raise ValidationError(f"unknown forwarding method {self.forwarding!r}")
        if self.tunnel_type not in TUNNEL_TYPES:
            raise ValidationError(f"unknown tunnel type {self.tunnel_type!r}: "
                                  f"use one of {', '.join(TUNNEL_TYPES)}")
        if self.tunnel_checksum not in TUNNEL_CHECKSUMS:
            raise ValidationError(f"unknown tunnel checksum {self.tunnel_checksum!r}")
        if self.forwarding is Forwarding.TUNNEL and self.tunnel_type == "gue":
            if not 1 <= self.tunnel_port <= 65535:
                raise ValidationError("a GUE tunnel needs a tunnel port (1-65535)")


def config_of(server: RealServer) -> tuple:
    """The fields of a real server the operator sets (no counters)."""
    tunnel = ((server.tunnel_type, server.tunnel_port if server.tunnel_type == "gue" else 0,
               server.tunnel_checksum if server.tunnel_type != "ipip" else "nocsum")
              if server.forwarding is Forwarding.TUNNEL else None)
    return (server.address, server.port, server.forwarding, server.weight,
            server.upper_threshold, server.lower_threshold, tunnel)


@dataclass(slots=True)
class VirtualService:
    """A virtual service: protocol + VIP:port, or a firewall mark; and its real servers."""

    protocol: str                    # tcp, udp, sctp, or "fwmark"
    address: str = ""
    port: int = 0
    fwmark: int = 0
    family: int = 4
    scheduler: str = DEFAULT_SCHEDULER
    flags: frozenset = frozenset()   # "one-packet" and SCHED_FLAGS
    persistence: int = 0             # seconds; 0 = not persistent
    netmask: int = V4_HOST_MASK      # IPv4: the mask as an integer; IPv6: the prefix length
    pe: str = ""                     # persistence engine, e.g. "sip"
    stats: Stats = field(default_factory=Stats)
    servers: list = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.family, self.protocol, self.address, self.port, self.fwmark)

    @property
    def black_holed(self) -> bool:
        """No real server can take a new connection (every weight 0, or none left): the
        VIP's traffic for this service goes nowhere."""
        return not any(rs.weight > 0 for rs in self.servers)

    @property
    def is_fwmark(self) -> bool:
        return self.protocol == "fwmark"

    @property
    def has_netmask(self) -> bool:
        """A persistence granularity wider than one client address."""
        return self.netmask != (V4_HOST_MASK if self.family == 4 else 128)

    @property
    def name(self) -> str:
        """Operator form: ``TCP 172.26.46.119:80`` or ``FWM 5``."""
        if self.is_fwmark:
            return f"FWM {self.fwmark}" + (" IPv6" if self.family == 6 else "")
        return f"{self.protocol.upper()} {format_endpoint(self.address, self.port)}"

    def server(self, address: str, port: int) -> RealServer | None:
        for rs in self.servers:
            if rs.address == address and rs.port == port:
                return rs
        return None

    def without_servers(self) -> VirtualService:
        return replace(self, servers=[], stats=Stats())

    def same_config(self, other: VirtualService) -> bool:
        return service_config(self) == service_config(other)

    def validate(self) -> None:
        if self.is_fwmark:
            _check_range("firewall mark", self.fwmark, 1, 2**32 - 1)
        elif self.protocol not in PROTOCOLS:
            raise ValidationError(f"unknown protocol {self.protocol!r}: use tcp, udp, sctp or fwmark")
        else:
            _check_range("port", self.port, 0, 65535)
            if self.port == 0 and not self.persistence:
                raise ValidationError("port 0 (all ports) needs a persistent service")
        if self.scheduler not in SCHEDULERS:
            raise ValidationError(f"unknown scheduler {self.scheduler!r}: "
                                  f"use one of {' '.join(SCHEDULERS)}")
        for flag in self.flags:
            if flag == "one-packet":
                if self.protocol != "udp":
                    raise ValidationError("one-packet scheduling is only for UDP virtual services")
            elif flag in SCHED_FLAGS:
                if not flag.startswith(self.scheduler + "-"):
                    raise ValidationError(f"flag {flag} needs the {flag.split('-')[0]} scheduler")
            else:
                raise ValidationError(f"unknown flag {flag!r}")
        _check_range("persistence timeout", self.persistence, 0, MAX_INT)
        if self.family == 6:
            _check_range("IPv6 prefix length", self.netmask, 1, 128)
        elif not _contiguous(self.netmask):
            raise ValidationError(f"netmask {format_netmask(self)} is not a contiguous mask")
        if self.pe and not re.fullmatch(r"[a-z0-9_]{1,15}", self.pe):
            raise ValidationError(f"invalid persistence engine name {self.pe!r}")


def service_config(svc: VirtualService) -> tuple:
    """The fields of a virtual service the operator sets (no counters, no servers)."""
    netmask = svc.netmask if svc.persistence else None
    return (svc.key, svc.scheduler, frozenset(svc.flags), svc.persistence, netmask, svc.pe)


SERVER_SETTINGS = ("forwarding", "weight", "upper_threshold", "lower_threshold", "tunnel_type",
                   "tunnel_port", "tunnel_checksum")
SERVICE_SETTINGS = ("scheduler", "flags", "persistence", "netmask", "pe")


def edited(base, new, live):
    """*live* (the kernel's entry now) with the settings the operator changed from *base* (the
    entry the edit was made on) to *new*: a change made meanwhile by someone else is kept."""
    names = SERVER_SETTINGS if isinstance(new, RealServer) else SERVICE_SETTINGS
    return replace(live, **{n: getattr(new, n) for n in names
                            if getattr(new, n) != getattr(base, n)})


@dataclass(slots=True)
class Info:
    version: str = "1.2.1"
    conn_table_size: int = 4096


@dataclass(slots=True)
class Timeouts:
    tcp: int = 900
    tcpfin: int = 120
    udp: int = 300

    def validate(self) -> None:
        for name in ("tcp", "tcpfin", "udp"):
            _check_range(f"{name} timeout", getattr(self, name), 0, MAX_INT)


@dataclass(slots=True)
class SyncDaemon:
    """A connection-synchronisation daemon (state ``master`` or ``backup``)."""

    state: str
    interface: str
    sync_id: int = 255
    max_len: int = 1472
    group: str = "224.0.0.81"
    port: int = 8848
    ttl: int = 1

    def validate(self) -> None:
        if self.state not in ("master", "backup"):
            raise ValidationError("sync daemon state must be master or backup")
        if not re.fullmatch(r"[A-Za-z0-9_.:@-]{1,15}", self.interface or ""):
            raise ValidationError(f"invalid multicast interface {self.interface!r}")
        _check_range("sync id", self.sync_id, 0, 255)
        _check_range("sync port", self.port, 1, 65535)
        _check_range("multicast TTL", self.ttl, 1, 255)


@dataclass(slots=True)
class Connection:
    """One entry of the kernel's connection table (``ipvsadm -Lc``)."""

    protocol: str
    client: str
    client_port: int
    virtual: str
    virtual_port: int
    destination: str
    destination_port: int
    state: str
    expires: int
    pe_name: str = ""             # a persistence engine's entry (sip): its name and data
    pe_data: str = ""


# ---------------------------------------------------------------- parsing of operator input

Resolver = Callable[[str], str]


def parse_address(text: str, resolve: Resolver | None = None) -> tuple[str, int]:
    """``'172.26.46.80'`` -> ``('172.26.46.80', 4)``; names only through *resolve*."""
    text = text.strip()
    try:   # the common case, without ipaddress's cost: a dotted quad
        return socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, text)), 4
    except (OSError, ValueError, UnicodeError):
        pass
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        if resolve is None or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", text):
            raise ValidationError(f"invalid IP address {text!r}") from None
        try:
            ip = ipaddress.ip_address(resolve(text))
        except (OSError, ValueError, UnicodeError):
            raise ValidationError(f"cannot resolve host name {text!r}") from None
    if ip.version == 6 and ip.scope_id:
        raise ValidationError(f"{text!r}: a scoped (link-local) address cannot be a service or "
                              "real server address")
    if ip.version == 6:                  # one spelling, the kernel's (::ffff:10.0.0.1 too)
        return socket.inet_ntop(socket.AF_INET6, ip.packed), 6
    return str(ip), ip.version


def parse_port(text: str, protocol: str = "tcp") -> int:
    """A port number or a service name from /etc/services (``http``), as ipvsadm accepts."""
    text = text.strip()
    if re.fullmatch(r"[0-9]{1,12}", text):
        port = int(text)
        _check_range("port", port, 0, 65535)
        return port
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text):
        raise ValidationError(f"invalid port {text!r}")
    try:
        return socket.getservbyname(text, "udp" if protocol == "udp" else "tcp")
    except OSError:
        raise ValidationError(f"unknown service name {text!r} (not in /etc/services)") from None


def split_endpoint(text: str) -> tuple[str, str | None]:
    """``'1.2.3.4:80'`` / ``'[2001:db8::1]:443'`` / ``'2001:db8::1'`` -> (host, port text or None)."""
    text = text.strip()
    if not text:
        raise ValidationError("an address is needed")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValidationError(f"invalid address {text!r}: use [IPv6]:port")
        return host, (rest[1:] if rest else None)
    if text.count(":") > 1:
        return text, None     # bare IPv6
    host, sep, port = text.partition(":")
    return host, (port if sep else None)


def parse_service(text: str, protocol: str = "tcp", resolve: Resolver | None = None) -> VirtualService:
    """Parse ``172.26.46.119:80``, ``udp 10.0.0.2:53``, ``[2001:db8::1]:443``, ``fwmark 5``."""
    words = text.strip().lower().split() if text else []
    if words:
        words[0] = words[0].lstrip("-")
    if not words:
        raise ValidationError("a virtual service is needed, e.g. 172.26.46.119:80 or fwmark 5")
    if words[0] in ("fwmark", "fwm", "f") and len(words) in (2, 3):
        if not re.fullmatch(r"[0-9]{1,12}", words[1]):
            raise ValidationError(f"invalid firewall mark {words[1]!r}")
        family = 6 if words[2:] == ["ipv6"] else 4
        if len(words) == 3 and family != 6:
            raise ValidationError(f"unexpected {words[2]!r} after the firewall mark")
        svc = VirtualService("fwmark", fwmark=int(words[1]), family=family,
                             netmask=128 if family == 6 else V4_HOST_MASK)
        _check_range("firewall mark", svc.fwmark, 1, 2**32 - 1)
        return svc
    if words[0] in PROTOCOLS and len(words) == 2:
        protocol, endpoint = words[0], text.split()[1]
    elif len(words) == 1:
        endpoint = text.strip()
    else:
        raise ValidationError(f"cannot read {text!r} as a virtual service")
    if protocol not in PROTOCOLS:
        raise ValidationError(f"unknown protocol {protocol!r}")
    host, port = split_endpoint(endpoint)
    address, family = parse_address(host, resolve)      # the worst problem first
    if port is None:
        raise ValidationError(f"{endpoint!r} needs a port, e.g. {host}:80")
    return VirtualService(protocol, address=address, port=parse_port(port, protocol), family=family,
                          netmask=128 if family == 6 else V4_HOST_MASK)


def parse_server(text: str, service: VirtualService, resolve: Resolver | None = None) -> RealServer:
    """Parse a real server address; the port defaults to the service's, as ipvsadm does."""
    host, port = split_endpoint(text)
    address, family = parse_address(host, resolve)
    proto = "tcp" if service.is_fwmark else service.protocol
    return RealServer(address, parse_port(port, proto) if port else service.port, family=family)


MAX_WEIGHT = 65535           # what the console lets an operator type (a guard rail)


def parse_weight(text: str, high: int = MAX_WEIGHT) -> int:
    """A weight typed by the operator (0-65535); a rules file's may go to the kernel's limit
    (*high*), as ipvsadm 1.31 loads them."""
    return parse_int("weight", text, 0, high)


def check_thresholds(upper: int, lower: int) -> None:
    """The kernel takes a server out above the upper threshold (0: none) and lets it back in
    below the lower one: lower above upper makes the limit meaningless."""
    if upper and lower > upper:
        raise ValidationError(f"lower threshold {lower} is above the upper threshold {upper}: "
                              "an overloaded server would be let back in at once")


def parse_netmask(text: str, family: int) -> int:
    """``255.255.255.0`` (IPv4) or a prefix length (IPv6, or IPv4 as ``/24``-style number)."""
    text = text.strip().lstrip("/")
    if family == 6:
        return parse_int("IPv6 prefix length", text, 1, 128)
    if re.fullmatch(r"[0-9]+", text):
        bits = parse_int("netmask", text, 0, 32)
        return (V4_HOST_MASK << (32 - bits)) & V4_HOST_MASK
    try:
        mask = int(ipaddress.IPv4Address(text))
    except ValueError:
        raise ValidationError(f"invalid netmask {text!r}") from None
    if not _contiguous(mask):
        raise ValidationError(f"netmask {text} is not a contiguous mask")
    return mask


def parse_int(what: str, text: str, low: int, high: int) -> int:
    text = str(text).strip()
    if not re.fullmatch(r"-?[0-9]{1,19}", text):
        raise ValidationError(f"invalid {what} {text[:40]!r}: a whole number is needed")
    value = int(text)
    _check_range(what, value, low, high)
    return value


def _check_range(what: str, value: int, low: int, high: int) -> None:
    if type(value) is not int or not low <= value <= high:       # bool is not int here
        raise ValidationError(f"{what} must be between {low} and {high} (got {value!r})")


def _contiguous(mask: int) -> bool:
    inverted = ~mask & V4_HOST_MASK
    return 0 <= mask <= V4_HOST_MASK and inverted & (inverted + 1) == 0


# ---------------------------------------------------------------- formatting

def format_time(t: float) -> str:
    """A moment as the operator reads it: local time to the second (ISO 8601)."""
    return datetime.datetime.fromtimestamp(t).isoformat(timespec="seconds")


def format_endpoint(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def format_netmask(svc: VirtualService) -> str:
    if svc.family == 6:
        return str(svc.netmask)
    return str(ipaddress.IPv4Address(svc.netmask))
