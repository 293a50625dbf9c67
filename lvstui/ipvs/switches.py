"""ipvsadm's words for a service and a real server: ``-t VIP:PORT``, the service's switches
(``-s wlc -p 300``) and the server's (``-g -w 1``) — one table for the rules writer, the
operations' commands and the listing."""

from __future__ import annotations

from ..model import (SCHED_FLAGS, Forwarding, RealServer, VirtualService, format_endpoint,
                     format_netmask)

FWD_SWITCH = {Forwarding.ROUTE: "-g", Forwarding.LOCAL: "-g", Forwarding.MASQ: "-m",
              Forwarding.TUNNEL: "-i"}
PROTO_SWITCH = {"tcp": "-t", "udp": "-u", "sctp": "--sctp-service"}


def service_spec(svc: VirtualService) -> str:
    """``-t 172.26.46.119:80`` / ``-f 5 -6``."""
    if svc.is_fwmark:
        return f"-f {svc.fwmark}" + (" -6" if svc.family == 6 else "")
    return f"{PROTO_SWITCH[svc.protocol]} {format_endpoint(svc.address, svc.port)}"


def service_settings(svc: VirtualService) -> dict[str, str]:
    """The service's settings as ipvsadm words them, those it has only: scheduler,
    sched-flags, persistent, netmask, pe, one-packet. One table for the rules writer's switches
    and the listing's words."""
    out = {"scheduler": svc.scheduler}
    sched_flags = [f for f in SCHED_FLAGS if f in svc.flags]
    if sched_flags:
        out["sched-flags"] = ",".join(sched_flags)
    if svc.persistence:
        out["persistent"] = str(svc.persistence)
        if svc.has_netmask:
            out["netmask"] = format_netmask(svc)
    if svc.pe:
        out["pe"] = svc.pe
    if "one-packet" in svc.flags:
        out["one-packet"] = ""
    return out


SWITCHES = (("scheduler", "-s"), ("persistent", "-p"), ("netmask", "-M"), ("pe", "--pe"),
            ("one-packet", "-o"), ("sched-flags", "-b"))     # ipvsadm -S's order


def service_options(svc: VirtualService) -> str:
    settings = service_settings(svc)
    return " ".join(f"{switch} {settings[name]}".rstrip()
                    for name, switch in SWITCHES if name in settings)


def server_options(rs: RealServer, thresholds: bool = True) -> str:
    out = f"{FWD_SWITCH[rs.forwarding]} -w {rs.weight}"
    if thresholds and rs.upper_threshold:
        out += f" -x {rs.upper_threshold}"
    if thresholds and rs.lower_threshold:
        out += f" -y {rs.lower_threshold}"
    if rs.forwarding is Forwarding.TUNNEL:
        out += f" --tun-type {rs.tunnel_type}"
        if rs.tunnel_type == "gue":
            out += f" --tun-port {rs.tunnel_port}"
        if rs.tunnel_type != "ipip":
            out += f" --tun-{rs.tunnel_checksum}"
    return out
