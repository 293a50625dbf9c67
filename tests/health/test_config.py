"""The monitor's two config formats: what they give, and bad lines reported at file:line."""

from __future__ import annotations

import pathlib

from lvstui.cli import main
from lvstui.health.config import load
from lvstui.model import Forwarding

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "health.toml"

LDIRECTORD = """\
# Global Directives
checktimeout=3
checkinterval=1
autoreload=yes
quiescent=yes

virtual=192.168.6.240:80
\treal=192.168.6.2:80 gate
\treal=192.168.6.3:80 masq 2
\treal=192.168.6.6:8080 masq 3 "alive.html" "OK"
\tfallback=127.0.0.1:80 masq
\tservice=http
\trequest="index.html"
\treceive="Test Page"
\tvirtualhost=www.example.com
\tscheduler=rr
\tpersistent=600
\tprotocol=tcp
\tchecktype=negotiate

virtual=5
    real=10.0.0.2 ipip 4
    checktype=connect
    checkport=22
    quiescent=no
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_documented_example_is_valid(capsys):
    config = load(str(EXAMPLE))
    assert config.findings == []
    (web, policy), (tls, tls_policy), (mark, mark_policy) = config.services
    assert web.name == "TCP 172.26.46.119:80" and web.scheduler == "wlc"
    assert [(rs.endpoint, rs.forwarding, rs.weight) for rs in web.servers] == [
        ("172.26.46.80:80", Forwarding.ROUTE, 1), ("172.26.46.81:80", Forwarding.ROUTE, 1)]
    assert (policy.check.kind, policy.check.path, policy.check.body) == ("http", "/health", "ok")
    assert (policy.fall, policy.rise, policy.slow_start, policy.keep_healthy) == (3, 2, 3, 1)
    assert policy.depool_threshold == 0.5 and tls_policy.keep_healthy is None
    assert policy.fallback.endpoint == "127.0.0.1:80" and policy.fallback.forwarding is Forwarding.MASQ
    assert policy.of(("172.26.46.81", 80)).check.port == 8080
    assert policy.of(("172.26.46.80", 80)) is policy
    assert (tls_policy.check.kind, tls_policy.interval, tls_policy.fall) == ("tcp", 2.0, 2)
    assert tls.servers == [] and mark.is_fwmark
    assert mark_policy.check.command == ("/usr/local/bin/check-app", "{host}", "{port}")
    assert main(["check-config", "--health", str(EXAMPLE)]) == 0
    assert "3 virtual service(s), 2 real server(s)" in capsys.readouterr().out


def test_ldirectord_cf_is_read_as_ldirectord_reads_it(tmp_path):
    config = load(write(tmp_path, "ldirectord.cf", LDIRECTORD), ldirectord=True)
    assert [str(f).split(": ", 1)[1] for f in config.findings] == [
        "warning: autoreload is not used by lvstui: ignored"]
    (web, policy), (mark, mark_policy) = config.services
    assert (web.scheduler, web.persistence, web.protocol) == ("rr", 600, "tcp")
    # gate servers take the service's port; masq ones keep theirs (as the kernel does)
    assert [(rs.endpoint, rs.forwarding, rs.weight) for rs in web.servers] == [
        ("192.168.6.2:80", Forwarding.ROUTE, 1), ("192.168.6.3:80", Forwarding.MASQ, 2),
        ("192.168.6.6:8080", Forwarding.MASQ, 3)]
    check = policy.check
    assert (check.kind, check.path, check.body, check.virtualhost, check.status, check.timeout) == \
        ("http", "/index.html", "/Test Page/", "www.example.com", 0, 3.0)
    assert (policy.interval, policy.fall, policy.rise, policy.action) == (1.0, 1, 1, "quiesce")
    assert policy.fallback.endpoint == "127.0.0.1:80" and policy.fallback.weight == 1
    own = policy.of(("192.168.6.6", 8080)).check
    assert (own.path, own.body) == ("/alive.html", "/OK/")
    assert mark.is_fwmark and mark.fwmark == 5 and mark.scheduler == "wrr"
    assert (mark.servers[0].forwarding, mark.servers[0].weight) == (Forwarding.TUNNEL, 4)
    assert (mark_policy.check.kind, mark_policy.check.port, mark_policy.action) == \
        ("tcp", 22, "remove")


def test_ldirectord_defaults_follow_the_program(tmp_path):
    """ldirectord 4.12's code, not its man page: quiescent=no, checkinterval=10, failurecount=1;
    port 80 means service=http; negotiate timeout 30 s, connect 5 s."""
    config = load(write(tmp_path, "l.cf", "virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n"
                                          "virtual=10.0.0.1:25\n\treal=10.0.0.2:25 gate\n"
                                          "\tchecktype=connect\n"), ldirectord=True)
    (_, web), (_, mail) = config.services
    assert (web.check.kind, web.check.timeout, web.interval, web.fall, web.action) == \
        ("http", 30.0, 10.0, 1, "remove")
    assert (mail.check.kind, mail.check.timeout) == ("tcp", 5.0)


def test_bad_lines_are_reported_with_file_and_line(tmp_path, capsys):
    path = write(tmp_path, "ldirectord.cf", (
        "checkinterval=fast\n"                      # 1
        "virtual=10.0.0.1:80\n"                     # 2
        "\treal=10.0.0.300:80 gate\n"               # 3
        "\treal=10.0.0.2:80 bridge\n"               # 4
        "\treal=10.0.0.3:80 gate 2\n"               # 5
        "\tcolour=blue\n"                           # 6
        "virtual=10.0.0.9:99999\n"                  # 7
        "\treal=10.0.0.2:80 gate\n"                 # 8
        "virtual=10.0.0.8:80\n"                     # 9
        "\tscheduler=fastest\n"                     # 10
        "nonsense\n"))                              # 11
    assert main(["check-config", "--ldirectord", path]) == 1
    said = capsys.readouterr()
    err = (said.out + said.err).splitlines()
    assert f"{path}:3: error: invalid IP address '10.0.0.300'" in err
    assert f"{path}:4: error: unknown forwarding 'bridge': use gate, masq or ipip" in err
    assert f"{path}:6: error: unknown directive 'colour' in a virtual section" in err
    assert any(line.startswith(f"{path}:7: error: port must be between 0 and 65535") for line in err)
    assert any(line.startswith(f"{path}:10: warning: unknown scheduler 'fastest'") for line in err)
    assert any(line.startswith(f"{path}:11: error: cannot read 'nonsense'") for line in err)
    assert any(line.startswith(f"{path}:1: error: 'fast' is not a number of seconds") for line in err)


def test_bad_toml_is_reported_with_file_and_line(tmp_path, capsys):
    path = write(tmp_path, "health.toml", (
        "[defaults]\n"                               # 1
        "fall = 2\n"                                 # 2
        "[[service]]\n"                              # 3
        "virtual = \"tcp 10.0.0.1:80\"\n"            # 4
        "check = \"htp\"\n"                          # 5
        "[[service]]\n"                              # 6
        "virtual = \"tcp 10.0.0.2:80\"\n"            # 7
        "  [[service.real]]\n"                       # 8
        "  address = \"10.0.0.3:80\"\n"              # 9
        "  weight = -4\n"                            # 10
        "  [[service.real]]\n"                       # 11
        "  address = \"10.0.0.4:80\"\n"              # 12
        "  colour = \"red\"\n"))                     # 13
    assert main(["check-config", "--health", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}:5: error: check: unknown check 'htp'" in err
    assert f"{path}:10: error: weight: value must be between 0 and" in err
    assert f"{path}:13: error: colour: unknown key" in err
    broken = write(tmp_path, "broken.toml", "[[service]]\nvirtual = \n")
    assert main(["check-config", "--health", broken]) == 1
    assert f"{broken}:2: error: not TOML" in capsys.readouterr().err
    share = write(tmp_path, "share.toml", "[[service]]\nvirtual = \"tcp 10.0.0.1:80\"\n"
                                          "depool_threshold = 2\n")
    assert main(["check-config", "--health", share]) == 1
    assert f"{share}:3: error: depool_threshold: 2 is not a share of the servers" in \
        capsys.readouterr().err
    assert main(["check-config", "--health", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml: error: No such file or directory" in capsys.readouterr().err
