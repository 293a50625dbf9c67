"""keepalived.conf's virtual servers as the IPVS table they ask for (lvstui's model): what
keepalived sets when every real server is alive — scheduler, flags, persistence, forwarding,
weights and thresholds. A sorry server only serves when every real server is down: it is not
part of this table."""

from __future__ import annotations

import ipaddress

from ..model import (V4_HOST_MASK, Forwarding, RealServer, ValidationError, VirtualService,
                     parse_netmask)
from .conf import Block, KaConfig

METHODS = {"NAT": Forwarding.MASQ, "DR": Forwarding.ROUTE, "TUN": Forwarding.TUNNEL}
FLAGS = {"ops": "one-packet", "sh-port": "sh-port", "sh-fallback": "sh-fallback",
         "mh-port": "mh-port", "mh-fallback": "mh-fallback"}


def configured_services(config: KaConfig) -> tuple[list[VirtualService], list[str]]:
    """The services the file's virtual_server blocks ask for, and one line for each block that
    cannot be one (a group, a bad value): keepalived's own check says more."""
    services, skipped = [], []
    for block in config.blocks:
        if block.keyword != "virtual_server":
            continue
        try:
            services.append(service_of(block))
        except (ValidationError, ValueError, IndexError) as exc:
            skipped.append(f"{block.line.path}:{block.line.number}: virtual_server "
                           f"{' '.join(block.args)}: not read: {exc}")
    return services, skipped


def declared(config: KaConfig) -> dict[tuple, str]:
    """Each virtual service the file's virtual_server blocks declare (its key) and where
    (``file:line``): keepalived sets and checks their real servers."""
    where = {}
    for block in config.blocks:
        if block.keyword == "virtual_server":
            try:
                where[service_of(block).key] = f"{block.line.path}:{block.line.number}"
            except (ValidationError, ValueError, IndexError):
                continue                      # not a service lvstui reads: check-config says so
    return where


def clashes(services, theirs: dict[tuple, str]) -> list[str]:
    """One line for each of *services* (virtual services another checker would check) that
    keepalived declares (*theirs*: ``declared()``): its checkers set their weights."""
    return [f"keepalived checks {svc.name} (virtual_server at {theirs[svc.key]}): two checkers "
            "would undo each other's weights; leave it to keepalived or take it out of one file"
            for svc in services if svc.key in theirs]


def service_of(block: Block) -> VirtualService:
    args = block.args
    if args[:1] == ("group",):
        raise ValidationError("virtual_server_group is not read by lvstui yet")
    if args[:1] == ("fwmark",):
        family = 6 if block.value("ip_family") == "inet6" else 4
        svc = VirtualService("fwmark", fwmark=int(args[1]), family=family,
                             netmask=128 if family == 6 else V4_HOST_MASK)
    else:
        ip = ipaddress.ip_address(args[0])
        protocol = (block.value("protocol") or "tcp").lower()
        svc = VirtualService(protocol, str(ip), int(args[1]), family=ip.version,
                             netmask=128 if ip.version == 6 else V4_HOST_MASK)
    svc.scheduler = block.value("lb_algo", "lvs_sched") or "wlc"
    svc.flags = frozenset(FLAGS[b.keyword] for b in block.children if b.keyword in FLAGS)
    timeout = block.value("persistence_timeout")
    svc.persistence = int(timeout) if timeout else 0
    granularity = block.value("persistence_granularity")
    if granularity:
        svc.netmask = parse_netmask(granularity, svc.family)
    svc.pe = block.value("persistence_engine") or ""
    method = METHODS.get(block.value("lb_kind", "lvs_method") or "NAT", Forwarding.MASQ)
    svc.servers = [server_of(rs, method, svc) for rs in block.find("real_server")]
    svc.validate()
    return svc


def server_of(block: Block, method: Forwarding, svc: VirtualService) -> RealServer:
    ip = ipaddress.ip_address(block.args[0])
    own = block.value("lvs_method")
    forwarding = METHODS.get(own, method) if own else method
    port = (0 if svc.is_fwmark else           # the kernel: DR and TUN reach the VIP's port
            int(block.args[1]) if forwarding is Forwarding.MASQ else svc.port)
    weight = block.value("weight")
    return RealServer(str(ip), port, forwarding,
                      weight=int(weight) if weight is not None else 1,
                      upper_threshold=int(block.value("uthreshold") or 0),
                      lower_threshold=int(block.value("lthreshold") or 0), family=ip.version)


def service_blocks(config: KaConfig) -> list[tuple[Block, VirtualService]]:
    """Each virtual_server block lvstui can read, with its service (real servers included)."""
    found = []
    for block in config.blocks:
        if block.keyword == "virtual_server":
            try:
                found.append((block, service_of(block)))
            except (ValidationError, ValueError, IndexError):
                continue                # a virtual_server_group, or one keepalived refuses
    return found


def server_blocks(block: Block, svc: VirtualService) -> list[tuple[Block, RealServer]]:
    """Each real_server block of a virtual_server *block* lvstui can read, with its server."""
    method = METHODS.get(block.value("lb_kind", "lvs_method") or "NAT", Forwarding.MASQ)
    found = []
    for rs_block in block.find("real_server"):
        try:
            found.append((rs_block, server_of(rs_block, method, svc)))
        except (ValidationError, ValueError, IndexError):
            continue
    return found
