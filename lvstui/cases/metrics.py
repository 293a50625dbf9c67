"""What lvstui knows, as Prometheus metrics (read-only): the kernel's counters per service and
real server, each server's kernel and configured weight and health verdict, the services left
with no live server, this director's role, its VIPs and sync daemons, and how old the read is.
Names follow Prometheus' conventions (``_total`` counters, base units, ``_info`` for text)."""

from __future__ import annotations

import time

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

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

    def describe(self):
        return []                   # the families depend on the read: none registered ahead

    def collect(self):
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
        for svc in services:
            for rs in svc.servers:
                labels = service_labels(svc) + [rs.endpoint]
                h = verdicts.get((svc.key, rs.key))
                for name, field, _ in COUNTERS:
                    counters[name].add_metric(labels, getattr(rs.stats, field))
                gauges["active_connections"].add_metric(labels, rs.active_conns)
                gauges["inactive_connections"].add_metric(labels, rs.inactive_conns)
                gauges["weight"].add_metric(labels, rs.weight)
                configured = h.weight if h is not None and h.weight != rs.weight else rs.weight
                gauges["configured_weight"].add_metric(labels, configured)
                state = health_state(rs, h)
                for each in HEALTH_STATES:
                    health.add_metric(labels + [each], 1 if each == state else 0)
                if h is not None and h.checked:
                    gauges["check_latency_seconds"].add_metric(labels, h.latency or 0.0)
                    check.add_metric(labels, {"result": h.result, "check": h.check})
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
