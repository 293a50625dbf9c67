"""The columns of the console's tables: what each shows and how it sorts."""

from __future__ import annotations

import time
from operator import attrgetter

from ..ipvs.listing import service_flags
from ..model import Connection, RealServer, VirtualService, format_endpoint, service_config
from .format import ago, human
from .trends import BYTES, CONNS
from .widgets.rowtable import Column


def _active(svc: VirtualService) -> int:
    return sum(rs.active_conns for rs in svc.servers)


def _inactive(svc: VirtualService) -> int:
    return sum(rs.inactive_conns for rs in svc.servers)


_TEXTS: dict[tuple, str] = {}     # configuration -> filter text (configurations rarely change)


def _cached(key: tuple, make) -> str:
    text = _TEXTS.get(key)
    if text is None:
        if len(_TEXTS) > 500_000:
            _TEXTS.clear()
        text = _TEXTS[key] = make().lower()
    return text


def service_text(svc: VirtualService) -> str:
    """What the filter matches a service against."""
    return _cached(service_config(svc), lambda: f"{svc.name} {service_flags(svc)}")


def servers_text(svc: VirtualService) -> str:
    """The filter text of all of a service's real servers at once."""
    return _cached(("servers", *((r.address, r.port, r.forwarding) for r in svc.servers)),
                   lambda: " ".join(server_text(r) for r in svc.servers))


def server_text(rs: RealServer) -> str:
    return f"{rs.endpoint} {rs.forwarding.value}".lower()


DRIFT_MARK = "≠"      # the row differs on the peer director (or is missing there)


SET_BACK_MARK = "↺"          # a restart of the HA manager (keepalived) sets this entry back


def _marked(text: str, drifts: bool) -> str:
    return f"{DRIFT_MARK} {text}" if drifts else f"  {text}"


def _set_back(text: str, back: bool) -> str:
    return f"{text} {SET_BACK_MARK}" if back else text


def service_columns(pair=None, trends=None, set_back=lambda key: False) -> list[Column]:
    """The service columns; with *pair* (the peer's view) a drift mark and the peer's active
    connections beside this director's; with *trends* sparklines of connections/s and bytes/s
    after their rates; ↺ after a service a restart of the HA manager sets back (*set_back*)."""
    def named(s) -> str:
        return _set_back(s.name, set_back(s.key))
    name = (Column("Service", 28, lambda s: _marked(named(s), pair.service_drifts(s)),
                   lambda s: (s.protocol, s.address, s.port, s.fwmark)) if pair else
            Column("Service", 26, named, lambda s: (s.protocol, s.address, s.port, s.fwmark)))
    there = [Column("Act·peer", 8, lambda s: pair.shown(pair.service_value(s, _active)),
                    lambda s: pair.service_value(s, _active), right=True)] if pair else []
    if trends is None:
        return [name, SERVICE_COLUMNS[1], SERVICE_COLUMNS[2], *there, *SERVICE_COLUMNS[3:]]
    return [name, SERVICE_COLUMNS[1], SERVICE_COLUMNS[2], *there, *SERVICE_COLUMNS[3:5],
            trend_column(trends, CONNS, lambda s: s.key), *SERVICE_COLUMNS[5:9],
            trend_column(trends, BYTES, lambda s: s.key), SERVICE_COLUMNS[9]]


def trend_column(trends, what: int, row) -> Column:
    """A sparkline of connections/s or bytes/s of the row *row(item)* names."""
    return Column("Conn/s trend" if what == CONNS else "B/s trend", 16,
                  lambda item: trends.spark(row(item), what),
                  lambda item: trends.last(row(item), what))


SERVICE_COLUMNS = [
    Column("Service", 26, lambda s: s.name, lambda s: (s.protocol, s.address, s.port, s.fwmark)),
    Column("Scheduler / flags", 22, service_flags, lambda s: service_flags(s)),
    Column("Active", 7, lambda s: str(_active(s)), _active, right=True),
    Column("InAct", 7, lambda s: str(_inactive(s)), _inactive, right=True),
    Column("Conn/s", 7, lambda s: human(s.stats.cps), lambda s: s.stats.cps, right=True),
    Column("InPkt/s", 8, lambda s: human(s.stats.inpps), lambda s: s.stats.inpps, right=True),
    Column("OutPkt/s", 8, lambda s: human(s.stats.outpps), lambda s: s.stats.outpps, right=True),
    Column("In B/s", 8, lambda s: human(s.stats.inbps, "B"), lambda s: s.stats.inbps, right=True),
    Column("Out B/s", 8, lambda s: human(s.stats.outbps, "B"), lambda s: s.stats.outbps,
           right=True),
    Column("Conns", 9, lambda s: human(s.stats.conns), lambda s: s.stats.conns, right=True),
]

def server_state(rs: RealServer, health=None) -> str:
    """A word for why the kernel's weight is what it is: live; down but kept in by the depool
    limit: kept; down but given a weight by the operator: override; below its configured
    weight while up: ramping (slow start); weight 0 by a failed check: quiesced; by the
    operator (maintenance) with connections still on it: draining N; none left: drained."""
    if rs.weight > 0:
        if health is not None and not health.up and health.checked:
            return "kept" if health.guarded else "override" if health.override else "live"
        if health is not None and health.up and 0 < rs.weight < health.weight:
            return "ramping"
        return "live"
    if health is not None and not health.up and not health.maintenance:
        return "quiesced"
    return f"draining {rs.active_conns}" if rs.active_conns else "drained"


def weight_text(rs: RealServer, health=None) -> str:
    """The kernel's weight, and the configured one after it where they differ (a check's
    quiesce, a slow-start ramp): ``0/5``."""
    if health is not None and health.weight != rs.weight:
        return f"{rs.weight}/{health.weight}"
    return str(rs.weight)


def share_text(rs: RealServer, svc: VirtualService | None) -> str:
    """``62/50``: the server's share of the service's active connections (what wlc balances;
    its connections per second while none are active) beside its share of the weight."""
    if svc is None:
        return "—"
    weights = sum(r.weight for r in svc.servers)
    active = sum(r.active_conns for r in svc.servers)
    rate = sum(r.stats.cps for r in svc.servers)
    traffic = (f"{100 * rs.active_conns / active:.0f}" if active else
               f"{100 * rs.stats.cps / rate:.0f}" if rate else "—")
    weight = f"{100 * rs.weight / weights:.0f}" if weights else "—"
    return f"{traffic}/{weight}"


def health_text(h, now: float) -> str:
    """A real server's health in a few words: ``up 5m``, ``DOWN 12s``, ``maint (down)``."""
    if h is None:
        return "—"
    if not h.checked:
        return "pending"
    if h.maintenance:
        return f"maint ({'up' if h.up else 'down'})"
    if not h.up:
        return f"DOWN {ago(now - h.since)}" + (" kept" if h.guarded else
                                               " override" if h.override else "")
    return f"up {ago(now - h.since)}"


def _health_order(h) -> tuple:
    """Down first, then maintenance, then up; longest in its state first."""
    if h is None:
        return (3, 0.0)
    return (0 if not h.up else 1 if h.maintenance else 2, h.since)


def server_columns(health_of, clock=time.time, service_of=lambda: None, pair=None,
                   trends=None, set_back=lambda key: False) -> list[Column]:
    """The real-server columns, most useful first (80 columns show up to the connections);
    the health ones read through *health_of(rs)*, the share through *service_of()*; with
    *pair* (the peer's view) a drift mark, and the peer's weight and active connections
    beside this director's; ↺ after the State of a server a restart of the HA manager sets
    back (*set_back* of its (service, server) key)."""
    def back(rs) -> bool:
        svc = service_of()
        return svc is not None and set_back((svc.key, rs.key))
    columns = _server_columns(health_of, clock, service_of, back)
    if trends is not None:          # after Conn/s and after Out B/s

        def row(rs):
            svc = service_of()
            return (svc.key, rs.key) if svc is not None else None
        for after, what in (("Out B/s", BYTES), ("Conn/s", CONNS)):
            at = [c.title for c in columns].index(after) + 1
            columns.insert(at, trend_column(trends, what, row))
    if pair is None:
        return columns
    name = Column("Real server", 24, lambda r: _marked(r.endpoint, pair.server_drifts(r)),
                  columns[0].sort_key)
    def there(title: str, width: int, field: str) -> Column:
        """The peer's *field* of this real server (— where it has none)."""
        value = attrgetter(field)

        def number(rs):
            return pair.server_value(rs, value)
        return Column(title, width, lambda r: pair.shown(number(r)), number, right=True)

    return [name, columns[1], there("W·peer", 6, "weight"), columns[2], columns[4],
            there("Act·peer", 8, "active_conns"), columns[3], *columns[5:]]


def _server_columns(health_of, clock, service_of, back) -> list[Column]:
    def latency(rs):
        h = health_of(rs)
        return h.latency if h and h.latency is not None else -1.0

    def failure(rs):
        h = health_of(rs)
        return h.last_failure if h else ""

    def share(rs):
        return share_text(rs, service_of())

    return [
        Column("Real server", 22, lambda r: format_endpoint(r.address, r.port),
               lambda r: (r.family, r.address, r.port)),
        Column("Weight", 6, lambda r: weight_text(r, health_of(r)), lambda r: r.weight,
               right=True),
        Column("Health", 17, lambda r: health_text(health_of(r), clock()),
               lambda r: _health_order(health_of(r))),
        Column("Conn%/W%", 8, share, share, right=True),
        Column("Active", 7, lambda r: str(r.active_conns), lambda r: r.active_conns, right=True),
        Column("InAct", 6, lambda r: str(r.inactive_conns), lambda r: r.inactive_conns,
               right=True),
        Column("State", 11, lambda r: _set_back(server_state(r, health_of(r)), back(r)),
               lambda r: (r.weight > 0, r.active_conns)),
        Column("Forward", 7, lambda r: r.forwarding.label, lambda r: r.forwarding.value),
        Column("Conn/s", 7, lambda r: human(r.stats.cps), lambda r: r.stats.cps, right=True),
        Column("In B/s", 8, lambda r: human(r.stats.inbps, "B"), lambda r: r.stats.inbps,
               right=True),
        Column("Out B/s", 8, lambda r: human(r.stats.outbps, "B"), lambda r: r.stats.outbps,
               right=True),
        Column("Upper", 6, lambda r: str(r.upper_threshold), lambda r: r.upper_threshold,
               right=True),
        Column("Lower", 6, lambda r: str(r.lower_threshold), lambda r: r.lower_threshold,
               right=True),
        Column("Check", 7, lambda r: f"{latency(r) * 1000:.0f}ms" if latency(r) >= 0 else "—",
               latency, right=True),
        Column("Last failure", 16, failure, failure),
    ]
def _expires(c: Connection) -> str:
    return f"{c.expires // 60:02d}:{c.expires % 60:02d}"


CONNECTION_COLUMNS = [
    Column("Proto", 5, lambda c: c.protocol.upper(), lambda c: c.protocol),
    Column("Client", 24, lambda c: format_endpoint(c.client, c.client_port),
           lambda c: (c.client, c.client_port)),
    Column("Virtual", 24, lambda c: format_endpoint(c.virtual, c.virtual_port),
           lambda c: (c.virtual, c.virtual_port)),
    Column("Real server", 24, lambda c: format_endpoint(c.destination, c.destination_port),
           lambda c: (c.destination, c.destination_port)),
    Column("State", 11, lambda c: c.state, lambda c: c.state),
    Column("Expires", 7, _expires, lambda c: c.expires, right=True),
]


def connection_text(c: Connection) -> str:
    return (f"{c.protocol} {c.client}:{c.client_port} {c.virtual}:{c.virtual_port} "
            f"{c.destination}:{c.destination_port} {c.state}").lower()
