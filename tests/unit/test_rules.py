from __future__ import annotations

import gc
import ipaddress
from functools import cmp_to_key

import pytest
from hypothesis import given, strategies as st

from lvstui.ipvs.backend import gc_paused
from lvstui.ipvs.listing import largenum, listing
from lvstui.ipvs.operations import diff
from lvstui.ipvs.order import _cmp_keys, sorted_servers, sorted_services
from lvstui.ipvs.rules import parse_rules, save
from lvstui.model import Info, RealServer, ValidationError, parse_service

TABLE = """\
# saved by ipvsadm -S
-A -t 172.26.46.119:80 -s wlc
-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1
-a -t 172.26.46.119:80 -r 172.26.46.81 -w 1
-A -u 10.0.0.2:53 -s rr -o
-A -f 5 -s wrr -p
"""


def test_saved_form_is_ipvsadms():
    assert save(parse_rules(TABLE).services) == (
        "-A -t 172.26.46.119:80 -s wlc\n"
        "-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1\n"
        "-a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1\n"
        "-A -u 10.0.0.2:53 -s rr -o\n"
        "-A -f 5 -s wrr -p 360\n")


def test_sort_mirrors_libipvs_wraparound():
    names = [s.address for s in sorted_services(
        [parse_service(a) for a in ("10.0.0.1:80", "172.26.46.119:80", "1.0.0.1:80")])]
    # libipvs compares addresses by a signed 32-bit difference: 172.x sorts before 10.x
    assert names == ["172.26.46.119", "1.0.0.1", "10.0.0.1"]


@pytest.mark.parametrize("text,words", [
    ("-A -t 1.2.3.4:80 -s wlc\n-A -t 1.2.3.4:80 -s rr\n", "line 2: .*already exists"),
    ("-a -t 1.2.3.4:80 -r 5.6.7.8\n", "line 1: .*does not exist"),
    ("-A -t 1.2.3.4:80 --bogus\n", "line 1: unknown option"),
    ("-A -t 1.2.3.4:80 -s wlc -w\n", "needs a value"),
    ("-t 1.2.3.4:80\n", "no command"),
    ("-A -s wlc\n", "exactly one of"),
    ("-A -t 1.2.3.4:80 -s wlc\n-a -t 1.2.3.4:80 -r 5.6.7.8 -w heavy\n", "line 2: invalid weight"),
    ("-A -t 1.2.3.4:80 -s wlc\n-a -t 1.2.3.4:80 -r no_such_host\n", "line 2: invalid IP"),
    ("-A -t 'unclosed\n", "line 1"),
])
def test_bad_rules_name_the_line(text, words):
    with pytest.raises(ValidationError, match=words):
        parse_rules(text)


def test_diff_of_equal_tables_is_empty_and_deletions_come_first():
    rules = parse_rules(TABLE)
    assert diff(rules.services, rules.services) == []
    smaller = parse_rules("-A -t 172.26.46.119:80 -s wlc\n"
                          "-a -t 172.26.46.119:80 -r 172.26.46.82:80 -g -w 1\n")
    cmds = [op.command() for op in diff(rules.services, smaller.services, smaller.keep_thresholds)]
    assert cmds == ["ipvsadm -d -t 172.26.46.119:80 -r 172.26.46.80:80",
                    "ipvsadm -d -t 172.26.46.119:80 -r 172.26.46.81:80",
                    "ipvsadm -D -u 10.0.0.2:53", "ipvsadm -D -f 5",
                    "ipvsadm -a -t 172.26.46.119:80 -r 172.26.46.82:80 -g -w 1"]


def test_inverse_of_a_service_delete_restores_its_servers():
    rules = parse_rules(TABLE)
    (op, *_) = diff(rules.services, [])
    assert [u.command() for u in op.inverse()] == [
        "ipvsadm -A -t 172.26.46.119:80 -s wlc",
        "ipvsadm -a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1",
        "ipvsadm -a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1"]


def test_largenum_scales_like_ipvsadm():
    assert largenum(99_999_999) == " 99999999"
    assert largenum(123_456_789) == "  123456K"
    assert largenum(12_345_678_901) == "   12345M"
    assert largenum(12_345_678_901, exact=True) == " 12345678901"


def test_listing_header_and_rows():
    text = listing(parse_rules(TABLE).services, Info("1.2.1", 4096))
    assert text.splitlines()[:4] == [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
        "TCP  172.26.46.119:80 wlc"]
    assert "  -> 172.26.46.80:80              Route   1      0          0         " in text
    assert "FWM  5 wrr persistent 360" in text


def test_restore_of_empty_input_asks_for_yes_and_changes_nothing(tmp_path):
    """`echo "" | lvstui restore -` (a broken pipe) must not delete every service."""
    import subprocess
    import sys
    base = [sys.executable, "-m", "lvstui.cli", "--demo", "--audit-log",
            str(tmp_path / "audit.log"), "restore", "-"]
    refused = subprocess.run(base, input="\n", capture_output=True, text=True)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "holds no virtual service" in refused.stderr and "--yes" in refused.stderr
    assert not (tmp_path / "audit.log").exists()            # nothing was changed
    emptied = subprocess.run(base + ["--yes"], input="\n", capture_output=True, text=True)
    assert (emptied.returncode, emptied.stdout) == (0, "ipvsadm -D -t 172.26.46.119:80\n")
    assert " via=cli " in (tmp_path / "audit.log").read_text()


def test_the_fast_server_line_reads_as_the_general_parser_does():
    """Lines as ipvsadm -S writes them take the fast path; the same lines with a doubled space
    take the general one: the same table, the same errors."""
    from lvstui.ipvs.rules import SERVER_LINE
    text = ("-A -t 10.0.0.1:80 -s wlc\n-A -u 10.0.0.2:53 -s rr\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1\n-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -m -w 0\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.3:9999 -g -w 65535\n-a -u 10.0.0.2:53 -r 10.1.0.4:53 -i -w 7\n")
    slow = text.replace("-a -", "-a  -")
    assert sum(bool(SERVER_LINE.fullmatch(line)) for line in text.splitlines()) == 4
    assert not any(SERVER_LINE.fullmatch(line) for line in slow.splitlines())
    assert save(parse_rules(text).services) == save(parse_rules(slow).services)
    assert parse_rules(text).keep_thresholds == parse_rules(slow).keep_thresholds
    for bad in ("-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w -1\n",        # weight out of range
                "-a -t 10.0.0.1:80 -r 10.1.0.1:99999 -m -w 1\n",      # port out of range
                "-a -t 10.0.0.9:80 -r 10.1.0.1:80 -g -w 1\n",         # no such service
                "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1\n" * 2):    # twice
        errors = []
        for variant in (bad, bad.replace("-a -", "-a  -")):
            with pytest.raises(ValidationError) as caught:
                parse_rules("-A -t 10.0.0.1:80 -s wlc\n" + variant)
            errors.append(str(caught.value))
        assert errors[0] == errors[1]


def test_a_large_file_compared_line_by_line_plans_what_the_whole_parse_plans():
    """Random small edits of a large -Sn text (weights, servers and services added, removed,
    edited, a line in another spelling): the line-by-line plan, applied, gives the same table
    as the whole parse's plan, or it declines (None) and the whole parse is used."""
    import random

    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.ipvs.operations import apply
    from lvstui.ipvs.rules import diff_by_lines
    rnd = random.Random(7)
    base = "".join(f"-A -t 10.0.{s}.1:80 -s wlc\n" + "".join(
        f"-a -t 10.0.{s}.1:80 -r 10.9.{s}.{r}:80 -m -w 1\n" for r in range(1, 30))
        for s in range(40))
    edits = [
        lambda t: t.replace("-r 10.9.3.7:80 -m -w 1", "-r 10.9.3.7:80 -m -w 5"),
        lambda t: t.replace("-a -t 10.0.5.1:80 -r 10.9.5.2:80 -m -w 1\n", ""),
        lambda t: t + "-a -t 10.0.6.1:80 -r 10.9.6.99:80 -m -w 2\n",
        lambda t: t + "-A -t 10.0.77.1:80 -s rr\n-a -t 10.0.77.1:80 -r 10.9.77.1:80 -g -w 1\n",
        lambda t: "".join(l for l in t.splitlines(keepends=True) if "10.0.8.1:80" not in l),
        lambda t: t.replace("-A -t 10.0.9.1:80 -s wlc", "-A -t 10.0.9.1:80 -s rr -p 300"),
        lambda t: t.replace("-A -t 10.0.2.1:80 -s wlc", "-A -t 10.0.2.1:http -s wlc"),
        lambda t: t.replace("-r 10.9.4.4:80 -m -w 1", "-r 10.9.4.4:80 -g -w 1"),
        lambda t: t.replace("-r 10.9.3.9:80 -m -w 1", "-r 10.9.3.9:http -m -w 3"),  # a spelling
        lambda t: t.replace("-m -w 1\n", "-m -w 2\n", 200),     # many servers, many services
        lambda t: t + "-a -t 10.0.1.1:80 -r 10.9.1.1:80 -m -w 1\n",        # a duplicate
        lambda t: t + "-a -t 10.0.99.1:80 -r 10.9.1.1:80 -m -w 1\n",       # no such service
        lambda t: t + "-A -t 10.0.2.1:http -s rr\n",                     # a service twice
    ]
    declined = 0
    for _ in range(60):
        live = MemoryBackend()
        apply(live, diff([], parse_rules(base).services))
        text = base
        for edit in rnd.sample(edits, rnd.randint(1, 3)):
            text = edit(text)
        by_lines = diff_by_lines(live.services(), text)
        try:
            wanted = parse_rules(text)
        except ValidationError:
            assert by_lines is None            # the whole parse then names the bad line
            declined += 1
            continue
        whole = diff(live.services(), wanted.services, wanted.keep_thresholds)
        if by_lines is None:
            declined += 1
            continue
        other = MemoryBackend()
        apply(other, diff([], live.services()))
        apply(live, whole)
        apply(other, by_lines)
        assert save(other.services()) == save(live.services())
        assert len(by_lines) == len(whole)
    assert 0 < declined < 60


@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 65535)), max_size=30,
                unique=True))
def test_real_servers_sort_as_libipvs_compares(keys):
    """The IPv4 fast key gives libipvs's order (a signed 32-bit difference of the addresses)."""
    servers = [RealServer(str(ipaddress.IPv4Address(a)), port) for a, port in keys]
    libipvs = sorted(servers, key=cmp_to_key(lambda x, y: _cmp_keys(
        ((), (int(ipaddress.IPv4Address(x.address)),), x.port),
        ((), (int(ipaddress.IPv4Address(y.address)),), y.port))))
    assert sorted_servers(servers) == libipvs


def test_the_collector_is_paused_while_a_table_is_built_and_runs_again_after():
    seen = []
    inner = gc_paused(lambda: seen.append(gc.isenabled()))
    outer = gc_paused(lambda: (inner(), seen.append(gc.isenabled())))
    outer()
    assert seen == [False, False] and gc.isenabled()
    gc.disable()                                  # a caller that paused it itself keeps it paused
    try:
        outer()
        assert not gc.isenabled()
    finally:
        gc.enable()
