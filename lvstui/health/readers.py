"""What the monitor's two configuration readers (lvstui's TOML, ldirectord.cf) both make: a
``HealthConfig`` — the virtual services to watch with their configured real servers, a
``Policy`` each, and every problem as a ``Finding`` at ``file:line`` — and the entry a real
server gets in the kernel."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..findings import Finding
from ..model import Forwarding, RealServer, ValidationError, VirtualService, parse_server
from .engine import Policy

CHECK_KINDS = ("tcp", "http", "https", "command", "on", "off")
FORWARDING = {"gate": Forwarding.ROUTE, "route": Forwarding.ROUTE, "dr": Forwarding.ROUTE,
              "masq": Forwarding.MASQ, "nat": Forwarding.MASQ,
              "ipip": Forwarding.TUNNEL, "tunnel": Forwarding.TUNNEL}


@dataclass
class HealthConfig:
    path: str
    services: list[tuple[VirtualService, Policy]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]


def with_server(svc: VirtualService, rs: RealServer) -> RealServer:
    """The entry as the kernel will hold it: DR and tunnel servers take the service's port."""
    if rs.forwarding is not Forwarding.MASQ and not svc.is_fwmark:
        rs = replace(rs, port=svc.port)
    return rs


def server_entry(svc: VirtualService, text: str, how: str, weight: int) -> RealServer:
    if how not in FORWARDING:
        raise ValidationError(f"unknown forwarding {how!r}: use gate, masq or ipip")
    rs = replace(parse_server(text, svc), forwarding=FORWARDING[how], weight=weight)
    rs.validate()
    if rs.family != svc.family and not svc.is_fwmark:
        raise ValidationError(f"real server {rs.endpoint} is not of the service's address family")
    return with_server(svc, rs)


def fail(message: str):
    """A problem of the configuration, in the operator's words."""
    raise ValidationError(message)
