"""What lvstui knows, as Prometheus metrics (read-only): the kernel's counters per service and
real server, each server's kernel and configured weight and health verdict, the services left
with no live server, this director's role, its VIPs and sync daemons, the configuration
differences with the peer (where one is named), and how old the read is.
Names follow Prometheus' conventions (``_total`` counters, base units, ``_info`` for text)."""

from __future__ import annotations

import threading
import time

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.samples import Sample

from ..model import VirtualService

SERVICE_LABELS = ["vip", "port", "proto", "fwmark"]
SERVER_LABELS = SERVICE_LABELS + ["server"]
HEALTH_STATES = ("up", "down", "drained", "quiesced", "maintenance")
COUNTERS = (("connections", "conns", "connections scheduled"),
            ("packets_in", "inpkts", "packets in"), ("packets_out", "outpkts", "packets out"),
            ("bytes_in", "inbytes", "bytes in"), ("bytes_out", "outbytes", "bytes out"))


def service_labels(svc: VirtualService) -> list[str]:
    if svc.is_fwmark:
        return ["", "", "", str(svc.fwmark)]
    return [svc.address, str(svc.port), svc.protocol, ""]


def health_state(rs, health) -> str:
    """One of HEALTH_STATES for a real server: its monitor's verdict and the kernel's weight."""
    if health is not None and health.maintenance:
        return "maintenance"
    if health is not None and health.checked and not health.up:
        return "quiesced" if rs.weight == 0 else "down"
    return "drained" if rs.weight == 0 else "up"


class Metrics:
    """A Prometheus collector over a session: every scrape is one read."""

    def __init__(self, session, per_server: bool = True, manager: str = "heartbeat",
                 clock=time.time):
        self.session, self.per_server, self.manager = session, per_server, manager
        self.clock, self.last = clock, None
        self._lock = threading.Lock()    # scrapes may come at once: one read at a time
        self.watch: PeerWatch | None = None
        self.label_sets = ServerLabels()

    def describe(self):
        return []                   # the families depend on the read: none registered ahead

    def collect(self):
        with self._lock:
            yield from self._collect()

    def _collect(self):
        started = self.clock()
        read = self.session.read(started - self.last if self.last is not None else 0.0)
        self.last = started
        age = GaugeMetricFamily("lvstui_read_age_seconds",
                                "Seconds since lvstui last read the IPVS table successfully")
        up = GaugeMetricFamily("lvstui_up", "1 when lvstui could read the IPVS table")
        up.add_metric([], 0 if read.services is None else 1)
        yield up
        if read.services is None:
            age.add_metric([], float("nan"))
            yield age
            return
        yield from self.services(read.services)
        if self.per_server:
            yield from self.servers(read.services, read.health)
        yield from self.director(read)
        age.add_metric([], max(0.0, self.clock() - started))
        yield age
        yield from self.peer(read.services)

    def services(self, services):
        counters = {name: CounterMetricFamily(f"lvstui_service_{name}",
                                              f"The kernel's count of {what} for a virtual "
                                              "service", labels=SERVICE_LABELS)
                    for name, _, what in COUNTERS}
        live = GaugeMetricFamily("lvstui_service_live_servers", "Real servers that can take a "
                                 "new connection (weight above 0); 0: the VIP is black-holed",
                                 labels=SERVICE_LABELS)
        info = InfoMetricFamily("lvstui_service", "A virtual service's scheduler, forwarding "
                                "methods and persistence", labels=SERVICE_LABELS)
        for svc in services:
            labels = service_labels(svc)
            for name, field, _ in COUNTERS:
                counters[name].add_metric(labels, getattr(svc.stats, field))
            live.add_metric(labels, sum(rs.weight > 0 for rs in svc.servers))
            methods = sorted({rs.forwarding.value for rs in svc.servers})
            info.add_metric(labels, {"scheduler": svc.scheduler,
                                     "forwarding": ",".join(methods),
                                     "persistence": str(svc.persistence)})
        yield from counters.values()
        yield live
        yield info

    def servers(self, services, health_state_read):
        counters = {name: CounterMetricFamily(f"lvstui_server_{name}",
                                              f"The kernel's count of {what} for a real server",
                                              labels=SERVER_LABELS)
                    for name, _, what in COUNTERS}
        gauges = {name: GaugeMetricFamily(f"lvstui_server_{name}", text, labels=SERVER_LABELS)
                  for name, text in (
                      ("active_connections", "Active connections (ESTABLISHED) on a real server"),
                      ("inactive_connections", "Inactive connections on a real server"),
                      ("weight", "The real server's weight in the kernel"),
                      ("configured_weight", "The weight the operator configured (the intent; "
                                            "differs from the kernel's while a check quiesced "
                                            "it)"),
                      ("check_latency_seconds", "How long the last health check took"))}
        health = GaugeMetricFamily("lvstui_server_health", "A real server's health verdict: 1 "
                                   "for its state, 0 for the others (a state set)",
                                   labels=SERVER_LABELS + ["state"])
        check = InfoMetricFamily("lvstui_server_check", "The last health check's result",
                                 labels=SERVER_LABELS)
        verdicts = health_state_read.servers if health_state_read is not None else {}
        totals = [(counters[name].samples.append, counters[name].name + "_total", field)
                  for name, field, _ in COUNTERS]
        active, inactive, weight, configured_weight, latency = (
            (gauges[name].samples.append, gauges[name].name) for name in gauges)
        self.label_sets.begin()
        for svc in services:
            for rs in svc.servers:
                labels, states = self.label_sets.of(svc, rs)
                h = verdicts.get((svc.key, rs.key))
                for add, name, field in totals:
                    add(Sample(name, labels, getattr(rs.stats, field)))
                active[0](Sample(active[1], labels, rs.active_conns))
                inactive[0](Sample(inactive[1], labels, rs.inactive_conns))
                weight[0](Sample(weight[1], labels, rs.weight))
                configured = h.weight if h is not None and h.weight != rs.weight else rs.weight
                configured_weight[0](Sample(configured_weight[1], labels, configured))
                state = health_state(rs, h)
                for each, state_labels in zip(HEALTH_STATES, states):
                    health.samples.append(Sample(health.name, state_labels,
                                                 1 if each == state else 0))
                if h is not None and h.checked:
                    latency[0](Sample(latency[1], labels, h.latency or 0.0))
                    check.add_metric(service_labels(svc) + [rs.endpoint],
                                     {"result": h.result, "check": h.check})
        yield from counters.values()
        yield from gauges.values()
        yield health
        yield check

    def director(self, read):
        vips = {s.address for s in read.services if not s.is_fwmark}
        held = read.held
        active = GaugeMetricFamily("lvstui_director_active", "1 where this director holds "
                                   "every VIP of its table", labels=["manager"])
        active.add_metric([self.manager], 1 if held is not None and vips and vips <= held else 0)
        yield active
        vip_held = GaugeMetricFamily("lvstui_vip_held", "1 where this director holds the VIP",
                                     labels=["vip"])
        for vip in sorted(vips):
            vip_held.add_metric([vip], 1 if held is not None and vip in held else 0)
        yield vip_held
        daemons = GaugeMetricFamily("lvstui_sync_daemon_running", "1 where the IPVS connection "
                                    "sync daemon runs in that state", labels=["state"])
        running = {d.state for d in self.session.backend.daemons()}
        for state in ("master", "backup"):
            daemons.add_metric([state], 1 if state in running else 0)
        yield daemons

    def peer(self, services):
        """The peer's drift from this director (the operations ``lvstui drift`` prints), as
        last read by the watch, and whether the peer answered; nothing without a peer."""
        if not self.session.pair.attached:
            return
        if self.watch is None:
            self.watch = PeerWatch(self.session)
        latest = self.watch.seen(services)
        if latest is None:
            return
        view, age = latest
        up = GaugeMetricFamily("lvstui_peer_up", "1 when the peer director's lvstui agent "
                               "answered its last read", labels=["peer"])
        up.add_metric([view.name], 0 if view.error else 1)
        yield up
        read_age = GaugeMetricFamily("lvstui_peer_read_age_seconds", "Seconds since the peer "
                                     "was last read (every 15 s, beside the scrapes)",
                                     labels=["peer"])
        read_age.add_metric([view.name], age)
        yield read_age
        if view.error:
            return                   # no count rather than a wrong 0: the pair cannot be told
        drift = GaugeMetricFamily("lvstui_peer_drift_operations", "Configuration differences "
                                  "with the peer: the operations lvstui drift prints (0: the "
                                  "two agree)", labels=["peer"])
        drift.add_metric([view.name], len(view.drift))
        yield drift


class ServerLabels:
    """Each real server's label dicts (its own, and one per health state), made once and kept
    while the server is in the table: the fifteen series of a server share them (a dict per
    sample was half a scrape of 10,000 servers), and the exposition writes each set once."""

    def __init__(self):
        self.kept: dict = {}
        self.last: dict = {}

    def begin(self) -> None:
        """A new scrape: keep only the sets the last one used."""
        self.last, self.kept = self.kept, {}

    def of(self, svc: VirtualService, rs) -> tuple[dict, tuple[dict, ...]]:
        key = (svc.key, rs.key)
        sets = self.last.get(key)
        if sets is None:
            labels = dict(zip(SERVER_LABELS, service_labels(svc) + [rs.endpoint]))
            sets = labels, tuple({**labels, "state": state} for state in HEALTH_STATES)
        self.kept[key] = sets
        return sets


class PeerWatch:
    """The peer read on a thread of its own every *interval* seconds, so that a scrape never
    waits for a slow or unreachable peer (ssh may take its ConnectTimeout, and a scrape that
    times out would lose this director's own metrics just when the pair is in trouble)."""

    def __init__(self, session, interval: float = 15.0, first_wait: float = 5.0,
                 clock=time.monotonic):
        self.session, self.interval, self.first_wait, self.clock = (session, interval,
                                                                    first_wait, clock)
        self.here = None                 # this director's services at the last scrape
        self.latest = None               # (PeerView, when read)
        self._read = threading.Event()
        self._thread: threading.Thread | None = None

    def seen(self, services):
        """A scrape saw *services* here: the last read of the peer and its age (the first
        scrape waits a little for the first read); None before any."""
        self.here = list(services)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="peer-watch", daemon=True)
            self._thread.start()
            self._read.wait(self.first_wait)
        if self.latest is None:
            return None
        view, when = self.latest
        return view, max(0.0, self.clock() - when)

    def _run(self) -> None:
        while True:
            self.latest = (self.session.pair_view.read(self.here), self.clock())
            self._read.set()
            time.sleep(self.interval)
