"""One suite, two tables: the in-memory backend must do what the kernel does."""

from __future__ import annotations

import pytest

from lvstui.ipvs.backend import (IPVSError, NoSuchServer, NoSuchService, SchedulerNotFound,
                                 ServerExists, ServiceExists)
from lvstui.ipvs.operations import ApplyError, Operation, apply, diff
from lvstui.ipvs.order import sorted_services
from lvstui.ipvs.rules import parse_rules, save
from lvstui.model import (UNREAD_STATS, Forwarding, RealServer, SyncDaemon, Timeouts,
                          ValidationError, parse_service)

WEB = "172.26.46.119:80"


def web(**kw):
    svc = parse_service(WEB)
    for k, v in kw.items():
        setattr(svc, k, v)
    return svc


def only(table):
    (svc,) = table.services()
    return svc


def test_added_service_reads_back_with_defaults(table):
    table.add_service(web())
    svc = only(table)
    assert (svc.protocol, svc.address, svc.port, svc.scheduler) == ("tcp", "172.26.46.119", 80, "wlc")
    assert svc.persistence == 0 and svc.flags == frozenset() and svc.pe == ""
    assert svc.servers == []


def test_duplicate_service_is_refused_and_table_kept(table):
    table.add_service(web(scheduler="rr"))
    with pytest.raises(ServiceExists, match="already exists"):
        table.add_service(web(scheduler="wlc"))
    assert only(table).scheduler == "rr"


def test_missing_scheduler_module_is_named(table):
    with pytest.raises(SchedulerNotFound, match="ip_vs_twos"):
        table.add_service(web(scheduler="twos"))
    assert table.services() == []


def test_unknown_scheduler_name_is_a_validation_error(table):
    with pytest.raises(ValidationError, match="unknown scheduler"):
        table.add_service(web(scheduler="fastest"))


def test_edit_service_keeps_servers(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80, weight=5))
    table.edit_service(web(scheduler="sh", flags=frozenset({"sh-port"}), persistence=300))
    svc = only(table)
    assert (svc.scheduler, svc.flags, svc.persistence) == ("sh", {"sh-port"}, 300)
    assert [(rs.address, rs.weight) for rs in svc.servers] == [("172.26.46.80", 5)]


def test_edit_and_delete_of_missing_service(table):
    with pytest.raises(NoSuchService, match="does not exist"):
        table.edit_service(web())
    with pytest.raises(NoSuchService):
        table.delete_service(web())
    with pytest.raises(NoSuchService):
        table.zero(web())


def test_delete_service_takes_its_servers(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80))
    table.delete_service(web())
    assert table.services() == []


def test_servers_are_listed_newest_first(table):
    table.add_service(web())
    for last in (80, 81, 82):
        table.add_server(web(), RealServer(f"172.26.46.{last}", 80))
    assert [rs.address for rs in only(table).servers] == [
        "172.26.46.82", "172.26.46.81", "172.26.46.80"]


def test_server_errors(table):
    with pytest.raises(NoSuchService):
        table.add_server(web(), RealServer("172.26.46.80", 80))
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80))
    with pytest.raises(ServerExists):
        table.add_server(web(), RealServer("172.26.46.80", 80, weight=9))
    with pytest.raises(NoSuchServer):
        table.edit_server(web(), RealServer("172.26.46.99", 80))
    with pytest.raises(NoSuchServer):
        table.delete_server(web(), RealServer("172.26.46.99", 80))
    assert only(table).servers[0].weight == 1


def test_direct_routing_server_takes_the_service_port(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 8080, Forwarding.ROUTE))
    table.add_server(web(), RealServer("172.26.46.81", 8080, Forwarding.MASQ))
    ports = {rs.address: rs.port for rs in only(table).servers}
    assert ports == {"172.26.46.80": 80, "172.26.46.81": 8080}


def test_set_weight_keeps_forwarding_thresholds_and_tunnel(table):
    table.add_service(web())
    rs = RealServer("172.26.46.80", 80, Forwarding.TUNNEL, weight=3, upper_threshold=100,
                    lower_threshold=50, tunnel_type="gue", tunnel_port=6080,
                    tunnel_checksum="csum")
    table.add_server(web(), rs)
    table.set_weight(web(), "172.26.46.80", 80, 7)
    got = only(table).servers[0]
    assert (got.weight, got.forwarding, got.upper_threshold, got.lower_threshold) == (
        7, Forwarding.TUNNEL, 100, 50)
    assert (got.tunnel_type, got.tunnel_port, got.tunnel_checksum) == ("gue", 6080, "csum")


def test_weight_zero_quiesces_and_bad_weight_is_refused(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80, weight=4))
    table.set_weight(web(), "172.26.46.80", 80, 0)
    assert only(table).servers[0].weight == 0
    with pytest.raises(ValidationError, match="weight"):
        table.set_weight(web(), "172.26.46.80", 80, -1)
    assert only(table).servers[0].weight == 0


def test_every_service_option_round_trips(table):
    services = [
        parse_service("10.0.0.1:443"), parse_service("udp 10.0.0.2:53"),
        parse_service("fwmark 5"), parse_service("fwmark 6 ipv6"),
        parse_service("[2001:db8::1]:443"), parse_service("sctp 10.0.0.3:3868"),
        parse_service("udp 10.0.0.4:5060"),
    ]
    services[0].scheduler, services[0].persistence = "sh", 300
    services[0].netmask, services[0].flags = 0xFFFFFF00, frozenset({"sh-fallback", "sh-port"})
    services[1].scheduler, services[1].flags = "rr", frozenset({"one-packet"})
    services[2].scheduler, services[2].persistence = "wrr", 360
    services[3].scheduler, services[3].flags = "mh", frozenset({"mh-port"})
    services[4].scheduler, services[4].persistence, services[4].netmask = "rr", 60, 64
    services[5].scheduler = "lblcr"
    services[6].scheduler, services[6].persistence, services[6].pe = "sh", 360, "sip"
    for svc in services:
        table.add_service(svc)
    got = {s.key: s for s in table.services()}
    for svc in services:
        assert got[svc.key].same_config(svc), (got[svc.key], svc)


def test_ipv6_and_tunnel_servers_round_trip(table):
    v6 = parse_service("[2001:db8::1]:443")
    table.add_service(v6)
    table.add_server(v6, RealServer("2001:db8::10", 8443, Forwarding.MASQ, weight=2, family=6))
    table.add_service(web())
    tunnels = [RealServer("10.1.0.2", 80, Forwarding.TUNNEL, tunnel_type="gue", tunnel_port=6080),
               RealServer("10.1.0.3", 80, Forwarding.TUNNEL, tunnel_type="gre",
                          tunnel_checksum="remcsum"),
               RealServer("10.1.0.4", 80, Forwarding.TUNNEL, tunnel_type="ipip")]
    for rs in tunnels:
        table.add_server(web(), rs)
    got = {s.key: s for s in table.services()}
    (rs6,) = got[v6.key].servers
    assert (rs6.address, rs6.port, rs6.family, rs6.weight) == ("2001:db8::10", 8443, 6, 2)
    for rs in tunnels:
        assert got[web().key].server(rs.address, 80).same_config(rs)


def test_flush_empties_the_table(table):
    table.add_service(web())
    table.add_service(parse_service("fwmark 5"))
    table.flush()
    assert table.services() == []


def test_zero_keeps_the_configuration(table):
    """The counters' clearing itself is proved where traffic made them count: on the memory
    table here, in the VM's NAT traffic test on the kernel's."""
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80, weight=3))
    if hasattr(table, "held"):                   # the memory table: counters that count
        with table.held() as services:
            services[0].stats.conns = services[0].servers[0].stats.inbytes = 7
        assert only(table).stats.conns == 7
    table.zero(web())
    table.zero()
    svc = only(table)
    assert svc.stats.conns == 0 and svc.servers[0].stats.inbytes == 0
    assert svc.servers[0].weight == 3 and svc.scheduler == web().scheduler


def test_timeouts_set_and_zero_means_unchanged(table):
    table.set_timeouts(Timeouts(tcp=901, tcpfin=121, udp=301))
    assert table.timeouts() == Timeouts(901, 121, 301)
    table.set_timeouts(Timeouts(tcp=0, tcpfin=0, udp=299))
    assert table.timeouts() == Timeouts(901, 121, 299)
    table.set_timeouts(Timeouts(900, 120, 300))


def test_sync_daemon_start_list_stop(table):
    table.start_daemon(SyncDaemon("master", "lo", sync_id=3))
    try:
        with pytest.raises(IPVSError, match="already runs"):
            table.start_daemon(SyncDaemon("master", "lo", sync_id=3))
        (d,) = table.daemons()
        assert (d.state, d.interface, d.sync_id) == ("master", "lo", 3)
    finally:
        table.stop_daemon("master")
    assert table.daemons() == []
    with pytest.raises(ValidationError):
        table.start_daemon(SyncDaemon("leader", "lo"))


def test_restore_sends_only_the_difference(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80))
    table.add_server(web(), RealServer("172.26.46.81", 80))
    rules = parse_rules("-A -t 172.26.46.119:80 -s wlc\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 5\n"
                        "-A -u 10.0.0.2:53 -s rr\n")
    ops = diff(table.services(), rules.services, rules.keep_thresholds)
    assert [op.command() for op in ops] == [
        "ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 5",
        "ipvsadm -A -u 10.0.0.2:53 -s rr"]
    apply(table, ops)
    assert save(table.services()) == save(rules.services)
    assert diff(table.services(), rules.services, rules.keep_thresholds) == []


def test_a_failed_step_rolls_back_the_earlier_ones(table):
    table.add_service(web())
    table.add_server(web(), RealServer("172.26.46.80", 80, weight=2))
    before = save(table.services())
    ops = [Operation("edit-server", web(), RealServer("172.26.46.80", 80, weight=9),
                     before=RealServer("172.26.46.80", 80, weight=2)),
           Operation("add-service", parse_service("10.9.9.9:80")),
           Operation("add-service", web(scheduler="twos"))]
    with pytest.raises(ApplyError, match="step 3 .* 2 other change"):
        apply(table, ops)
    assert save(table.services()) == before


def test_services_one_at_a_time_are_the_table_in_the_order_asked(table):
    rules = parse_rules("-A -t 172.26.46.119:80 -s wlc\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 5\n"
                        "-A -u 10.0.0.2:53 -s rr\n"
                        "-A -t 10.0.0.1:443 -s rr\n"
                        "-a -t 10.0.0.1:443 -r 10.1.0.1:443 -m -w 2\n")
    apply(table, diff(table.services(), rules.services))
    one_by_one = list(table.each_service(sorted_services))
    assert [s.key for s in one_by_one] == [s.key for s in sorted_services(table.services())]
    assert save(one_by_one) == save(table.services())
    assert [s.key for s in table.each_service()] == [s.key for s in table.services()]


def test_services_without_counters_hold_the_same_configuration(table):
    rules = parse_rules("-A -t 172.26.46.119:80 -s wlc -p 300\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1 -x 10 -y 5\n"
                        "-a -t 172.26.46.119:80 -r 172.26.46.80:8080 -m -w 0\n"
                        "-A -u 10.0.0.2:53 -s rr\n")
    apply(table, diff(table.services(), rules.services, rules.keep_thresholds))
    without = table.services_without_counters()
    assert save(without) == save(table.services()) == save(rules.services)
    assert diff(without, rules.services, rules.keep_thresholds) == []
    one_by_one = list(table.each_service(sorted_services, counters=False))
    assert save(one_by_one) == save(rules.services)
    if table.name == "netlink":           # the memory table has no counters to skip
        assert all(rs.stats is UNREAD_STATS for svc in one_by_one for rs in svc.servers)
