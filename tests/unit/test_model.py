from __future__ import annotations

import pytest

from lvstui.model import (Forwarding, RealServer, ValidationError, VirtualService,
                          parse_netmask, parse_server, parse_service, parse_weight)


@pytest.mark.parametrize("text,key", [
    ("172.26.46.119:80", (4, "tcp", "172.26.46.119", 80, 0)),
    ("udp 10.0.0.2:53", (4, "udp", "10.0.0.2", 53, 0)),
    ("[2001:db8::1]:443", (6, "tcp", "2001:db8::1", 443, 0)),
    ("[2001:DB8:0::1]:https", (6, "tcp", "2001:db8::1", 443, 0)),
    ("172.26.46.119:http", (4, "tcp", "172.26.46.119", 80, 0)),
    ("fwmark 5", (4, "fwmark", "", 0, 5)),
    ("-f 7", (4, "fwmark", "", 0, 7)),
    ("fwmark 6 IPv6", (6, "fwmark", "", 0, 6)),
    ("sctp 10.0.0.3:3868", (4, "sctp", "10.0.0.3", 3868, 0)),
])
def test_operator_forms_of_a_service(text, key):
    assert parse_service(text).key == key


@pytest.mark.parametrize("text,words", [
    ("", "needed"), ("172.26.46.119", "needs a port"), ("172.26.46.300:80", "invalid IP"),
    ("999.1.1.1", "invalid IP address"),                  # the worst problem first, not the port
    ("172.26.46.119:70000", "port must be between"), ("1.2.3.4:nosuchsvc", "unknown service"),
    ("fwmark x", "invalid firewall mark"), ("fwmark 0", "firewall mark must be"),
    ("[2001:db8::1:443", r"use \[IPv6\]:port"), ("icmp 1.2.3.4:80", "cannot read"),
    ("host.example:80", "invalid IP address"),
])
def test_bad_service_input_is_one_error_type(text, words):
    with pytest.raises(ValidationError, match=words):
        parse_service(text)


def test_server_port_defaults_to_the_service_port():
    svc = parse_service("172.26.46.119:80")
    assert parse_server("172.26.46.80", svc).key == ("172.26.46.80", 80)
    assert parse_server("172.26.46.80:8080", svc).key == ("172.26.46.80", 8080)
    assert parse_server("[2001:db8::10]", svc).family == 6


@pytest.mark.parametrize("text", ["-1", "x", "2147483648", "1.5", ""])
def test_bad_weights(text):
    with pytest.raises(ValidationError, match="weight"):
        parse_weight(text)


def test_netmasks():
    assert parse_netmask("255.255.255.0", 4) == 0xFFFFFF00
    assert parse_netmask("24", 4) == 0xFFFFFF00
    assert parse_netmask("64", 6) == 64
    with pytest.raises(ValidationError, match="contiguous"):
        parse_netmask("255.0.255.0", 4)
    with pytest.raises(ValidationError):
        parse_netmask("129", 6)


@pytest.mark.parametrize("changes,words", [
    ({"scheduler": "fastest"}, "unknown scheduler"),
    ({"flags": frozenset({"one-packet"})}, "only for UDP"),
    ({"flags": frozenset({"sh-port"})}, "needs the sh scheduler"),
    ({"flags": frozenset({"sticky"})}, "unknown flag"),
    ({"port": 0}, "needs a persistent service"),
    ({"persistence": -5}, "persistence timeout"),
    ({"netmask": 0xFF00FF00, "persistence": 60}, "not a contiguous"),
    ({"pe": "bad name!"}, "persistence engine"),
])
def test_service_validation(changes, words):
    svc = parse_service("10.0.0.1:80")
    for k, v in changes.items():
        setattr(svc, k, v)
    with pytest.raises(ValidationError, match=words):
        svc.validate()


def test_server_validation():
    with pytest.raises(ValidationError, match="GUE tunnel needs a tunnel port"):
        RealServer("1.2.3.4", 80, Forwarding.TUNNEL, tunnel_type="gue").validate()
    with pytest.raises(ValidationError, match="upper threshold"):
        RealServer("1.2.3.4", 80, upper_threshold=-1).validate()


def test_same_config_ignores_counters():
    a = VirtualService("tcp", "10.0.0.1", 80)
    b = VirtualService("tcp", "10.0.0.1", 80)
    b.stats.conns = 99
    assert a.same_config(b)
    b.scheduler = "rr"
    assert not a.same_config(b)
