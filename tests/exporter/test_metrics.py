"""The exporter's metrics over the in-memory table: the kernel's counters as counters, the
configured weight beside the kernel's, one health state per server, a black-holed service at 0
live servers, the director's role; ``--per-server off`` leaves the servers' series out."""

from __future__ import annotations

from dataclasses import replace

from prometheus_client import CollectorRegistry, generate_latest

from lvstui.cases.metrics import Metrics
from lvstui.demo import reference_cluster
from lvstui.health.state import HealthState, ServerHealth
from lvstui.session import Session

VIP = "172.26.46.119"
WEB = {"vip": VIP, "port": "80", "proto": "tcp", "fwmark": ""}


class Network:
    def __init__(self, held):
        self.held = held

    def vips(self):
        return {address: "eth0:0" for address in self.held}


class Health:
    def __init__(self, state):
        self.state = state

    def read(self):
        return self.state


def scrape(session, per_server=True) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Metrics(session, per_server, "heartbeat"))
    return registry


def quiesced(svc, address) -> HealthState:
    down = ServerHealth(False, 0.0, 1.0, 0.004, "HTTP 503", "HTTP 503", 3, 0, 5, False, False,
                        False, "http /", 2.0, 2, 2, "quiesce")
    return HealthState(True, 1, 1.0, "health.toml", {(svc.key, (address, 80)): down})


def test_counters_weights_health_and_role():
    table = reference_cluster()
    svc = table.services()[0]
    table.set_weight(svc, "172.26.46.81", 80, 0)                   # a check's quiesce
    with table.held() as services:
        services[0].stats.conns = 1234
        services[0].server("172.26.46.80", 80).stats.outbytes = 99
    session = Session(table, network=Network({VIP}), health=Health(quiesced(svc, "172.26.46.81")))
    registry = scrape(session)
    value = registry.get_sample_value
    assert value("lvstui_service_connections_total", WEB) == 1234
    rs1, rs2 = {**WEB, "server": "172.26.46.80:80"}, {**WEB, "server": "172.26.46.81:80"}
    assert value("lvstui_server_bytes_out_total", rs1) == 99
    assert (value("lvstui_server_weight", rs2), value("lvstui_server_configured_weight", rs2)) \
        == (0, 5)
    assert value("lvstui_server_health", {**rs2, "state": "quiesced"}) == 1
    assert value("lvstui_server_health", {**rs2, "state": "up"}) == 0
    assert value("lvstui_server_health", {**rs1, "state": "up"}) == 1
    assert value("lvstui_server_check_latency_seconds", rs2) == 0.004
    assert value("lvstui_service_live_servers", WEB) == 1
    assert value("lvstui_director_active", {"manager": "heartbeat"}) == 1
    assert value("lvstui_vip_held", {"vip": VIP}) == 1
    assert value("lvstui_sync_daemon_running", {"state": "master"}) == 0
    assert value("lvstui_up", {}) == 1


def test_a_black_holed_service_and_a_standby_director():
    table = reference_cluster()
    svc = table.services()[0]
    for rs in svc.servers:
        table.set_weight(svc, rs.address, 80, 0)
    registry = scrape(Session(table, network=Network(set())))
    assert registry.get_sample_value("lvstui_service_live_servers", WEB) == 0
    assert registry.get_sample_value("lvstui_director_active", {"manager": "heartbeat"}) == 0
    assert registry.get_sample_value("lvstui_server_health",
                                     {**WEB, "server": "172.26.46.80:80", "state": "drained"}) == 1


def test_per_server_off_keeps_the_services_only():
    text = generate_latest(scrape(Session(reference_cluster()), per_server=False)).decode()
    assert "lvstui_service_connections_total{" in text and "lvstui_server_" not in text


def test_an_unreadable_table_is_said_not_hidden():
    class Broken:
        name = "memory"

        def services(self):
            from lvstui.ipvs.backend import IPVSError
            raise IPVSError("this kernel has no IPVS")

        def info(self):
            return None

    registry = scrape(Session(Broken()))
    assert registry.get_sample_value("lvstui_up", {}) == 0
    assert registry.get_sample_value("lvstui_service_live_servers", WEB) is None


def samples(text: str) -> set:
    """Every sample of an exposition, as Prometheus' text parser reads it."""
    from prometheus_client.parser import text_string_to_metric_families
    return {(s.name, tuple(sorted(s.labels.items())), s.value)
            for family in text_string_to_metric_families(text) for s in family.samples
            if s.name != "lvstui_read_age_seconds"}          # how long each read took


def test_the_served_text_says_what_prometheus_clients_own_writer_says():
    """lvstui's exposition (each label set escaped once) against prometheus-client's
    generate_latest on the same read: the same samples, a label value with a quote, a
    backslash and a newline among them."""
    from lvstui.commands.exporter import Exposition
    table = reference_cluster()
    svc = table.services()[0]
    table.set_weight(svc, "172.26.46.81", 80, 0)
    odd = ServerHealth(False, 0.0, 1.0, 0.004, 'HTTP 503 "busy"\\\n', "x", 3, 0, 5, False,
                       False, False, "http /", 2.0, 2, 2, "quiesce")
    state = HealthState(True, 1, 1.0, "health.toml", {(svc.key, ("172.26.46.81", 80)): odd})
    session = Session(table, network=Network({VIP}), health=Health(state))
    exposition = Exposition(Metrics(session, True, "heartbeat"))
    ours = exposition().decode()
    theirs = generate_latest(scrape(session)).decode()
    assert samples(ours) == samples(theirs) and len(samples(ours)) > 30
    assert '\\"busy\\"' in ours                                 # escaped, not broken
    # the second scrape, label sets kept from the first: a weight and a check result changed
    table.set_weight(svc, "172.26.46.80", 80, 3)
    state.servers[(svc.key, ("172.26.46.81", 80))] = replace(odd, result='HTTP 500 "x"')
    again = exposition().decode()
    assert samples(again) == samples(generate_latest(scrape(session)).decode())
    assert 'HTTP 500 \\"x\\"' in again and "HTTP 503" not in again
    changed = ours.replace("lvstui_service_live_servers{", "lvstui_service_live_servers{x=\"1\",")
    assert samples(changed) != samples(theirs)              # control: a difference is seen
