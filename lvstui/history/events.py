"""What the recorder writes down as events when it changes (pure: the caller reads): each
real server's health verdict, heartbeat's resources, whether this director holds each VIP
heartbeat moves, and the alarm of a service black-holed. A state that changed between two
ticks is one event."""

from __future__ import annotations

from ..ipvs.switches import service_spec
from ..model import VirtualService, format_endpoint
from .samples import server_row

HEALTH, FAILOVER, ALARM = "health", "failover", "alarm"
BLACK_HOLED = "black-holed: no real server can take a connection (every weight 0 or none)"
ALARM_OVER = "alarm over: a live real server again (or the service gone)"


def server_name(service_key: tuple, server_key: tuple) -> str:
    """``-t VIP:PORT -r RIP:PORT`` from the keys of a service and a real server."""
    family, protocol, address, port, fwmark = service_key
    spec = service_spec(VirtualService(protocol, address, port, fwmark, family))
    return server_row(spec, format_endpoint(*server_key))


def verdict(h) -> str:
    if h.maintenance:
        return "maintenance"
    return "up" if h.up else f"DOWN ({h.why_down})"


def observed_states(health, cluster, vips: list[str], held: set | None) -> dict:
    """{(kind, subject): state text} for *health* (a HealthState), *cluster* (heartbeat's
    ClusterState), the VIPs heartbeat moves and those this director holds (None: unknown)."""
    states = {}
    if health is not None:
        for (svc, rs), h in health.servers.items():
            if h.checked:
                states[(HEALTH, server_name(svc, rs))] = verdict(h)
    if cluster is not None and not cluster.error:
        states[(FAILOVER, cluster.manager)] = (
            f"{cluster.me}: resources {cluster.resources or 'unknown'}" if cluster.running
            else f"{cluster.me or 'this director'}: {cluster.manager} not running")
    if held is not None:
        for vip in vips:
            states[(FAILOVER, f"VIP {vip}")] = ("held by this director" if vip in held
                                                else "not held by this director")
    return states


def alarm_states(services, last: dict) -> dict:
    """{(ALARM, service name): text} for each service of the read black-holed, and the end of
    each alarm *last* (the states recorded so far) left raised."""
    now = {(ALARM, s.name): BLACK_HOLED for s in services if s.black_holed}
    now.update({key: ALARM_OVER for key, text in last.items()
                if key[0] == ALARM and key not in now and text != ALARM_OVER})
    return now
