"""Every parser of untrusted input, fuzzed: the only outcomes are a parse or the project's
own error with an operator's message — never another exception, never a hang — and the
round trips the project claims hold."""

from __future__ import annotations

import json
import os

from hypothesis import example, given, strategies as st

from lvstui.ha.api import HeartbeatError, decode
from lvstui.ha.check import check, parse_time
from lvstui.ha.config import AuthKeys, HaConfig, HaCf, HaResources
from lvstui.health.ldirectord import read_ldirectord
from lvstui.health.toml_config import read_toml
from lvstui.health.state import read_state
from lvstui.ipvs import genl
from lvstui.ipvs.backend import IPVSError
from lvstui.ipvs.connections import parse_connections
from lvstui.ipvs.rules import parse_rules, save
from lvstui.keepalived.check import HostFacts, check as check_keepalived
from lvstui.keepalived.checkers import parse as parse_checker_data
from lvstui.keepalived.conf import read as read_keepalived
from lvstui.keepalived.priority import priority_path
from lvstui.model import (ValidationError, parse_netmask, parse_server, parse_service,
                          parse_weight)
from tests.keepalived.corpus import BASE as KEEPALIVED_BASE

# text that looks like the files: their words, digits of every script, separators, junk
WORDS = ["-A", "-a", "-t", "-u", "-f", "-s", "-r", "-g", "-m", "-i", "-w", "-p", "-M", "-x",
         "-y", "-E", "-e", "wlc", "rr", "sh-port", "10.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80",
         "::ffff:10.0.0.1", "10.0.0.300", "65536", "99999999999999999999", "٣", "²", "0x10",
         "node", "ucast", "eth1", "keepalive", "2", "500ms", "auth", "sha1", "virtual=",
         "real=", "checktype=", "[[service]]", "virtual =", "= {", "[", "]", "\"", "'", "#",
         "\\", "\r", "\t", "=", ":", "/", ",", "->", "\x00", "\udcff", "é"]
texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=40).map(
    lambda parts: "".join(p + (" " if i % 3 else "\n") for i, p in enumerate(parts)))
any_text = st.one_of(texts, st.text(max_size=300))


def refuse(name):
    raise ValidationError(f"cannot resolve {name!r}")


@given(any_text)
def test_rules_files(text):
    try:
        rules = parse_rules(text, resolve=refuse)
    except ValidationError as exc:
        assert str(exc)
        return
    again = parse_rules(save(rules.services), resolve=refuse)        # save -> parse round trip
    assert save(again.services) == save(rules.services)


@given(any_text)
def test_operator_typed_values(text):
    for parse in (parse_service, parse_weight, lambda t: parse_netmask(t, 4),
                  lambda t: parse_netmask(t, 6),
                  lambda t: parse_server(t, parse_service("10.0.0.1:80"))):
        try:
            parse(text)
        except ValidationError as exc:
            assert str(exc)


@given(any_text, any_text, any_text, st.sampled_from([0o600, 0o644, None]), any_text)
def test_heartbeat_files(ha_cf, haresources, authkeys, mode, node):
    files = (HaCf(ha_cf, "ha.cf"), HaResources(haresources, "haresources"),
             AuthKeys(authkeys, "authkeys"))
    for f, text in zip(files, (ha_cf, haresources, authkeys)):
        assert f.text() == text                       # byte-identical re-save, CRLF included
    findings = check(HaConfig(*files, mode), node)
    assert all(f.level in ("error", "warning") and f.message for f in findings)
    parse_time(ha_cf[:20])


@given(any_text)
def test_health_files(text):
    for read in (read_toml, read_ldirectord):
        config = read(text, "f")
        assert all(f.level in ("error", "warning") and f.message for f in config.findings)


KEEPALIVED_WORDS = ["vrrp_instance", "virtual_server", "real_server", "global_defs", "{", "}",
                    "HTTP_GET", "url", "path", "state", "MASTER", "priority", "weight", "1",
                    "-1", "99999999999999999999999", "0.5", "lb_algo", "wlc", "lb_kind", "DR",
                    "fwmark", "group", "virtual_ipaddress", "10.0.0.1/33", "fd00::1", '"',
                    '"a b"', "!", "#", "\\", "\\#", "include", "*.conf", "\n", "\r\n", "\t",
                    "authentication", "auth_pass", "interface", "eth0", "lo", "FILE_CHECK",
                    "track_file", "misc_path", "@host", "$VAR=1", "~SEQ(i,1,3)", "é", "\x00",
                    "lvstui_priority", "file", "/run/p", "255", "vrrp_track_file"]


@given(st.lists(st.one_of(st.sampled_from(KEEPALIVED_WORDS), st.text(max_size=8)), max_size=60))
def test_keepalived_conf(tokens):
    config = read_keepalived("/nonexistent-dir/keepalived.conf", " ".join(tokens))
    findings = check_keepalived(config, HostFacts({"eth0": False, "lo": True}))
    assert all(f.level in ("error", "warning") and f.message and f.line >= 0 for f in findings)
    try:                                   # lvstui's track_file found, or why not in one line
        assert priority_path(config)
    except ValueError as exc:
        assert str(exc).splitlines()[0]


BASE_LINES = KEEPALIVED_BASE.splitlines()


@example(BASE_LINES, True)                 # the whole reference config: lines proposed
@given(st.lists(st.one_of(st.sampled_from(BASE_LINES), st.sampled_from(KEEPALIVED_WORDS),
                          st.text(max_size=8)), max_size=60), st.booleans())
def test_keepalived_prepare(lines, crlf):
    """Any keepalived.conf: the lines lvstui lacks proposed, or why not, and never a crash;
    what it proposes only adds lines."""
    import tempfile

    from lvstui.cases.prepare import ready_keepalived
    with tempfile.TemporaryDirectory() as root:
        conf = os.path.join(root, "keepalived.conf")
        text = ("\r\n" if crlf else "\n").join(lines)
        with open(conf, "w", newline="") as fh:
            fh.write(text)
        ready = ready_keepalived(conf, HostFacts({"eth0": False, "lo": True}))
        proposal = ready.proposal
        assert bool(proposal.refused) != bool(proposal.files) or not (proposal.refused or
                                                                       proposal.files)
        for f in proposal.files:                 # the old lines, in order, among the new
            old, new = text.splitlines(True), f.text().splitlines(True)
            rest = iter(new)
            assert len(new) > len(old) and all(line in rest for line in old)


@given(st.lists(st.lists(st.one_of(st.sampled_from(["TCP", "0A000001", "0050", "FFFFFFFFFFFF",
                                                    "ESTABLISHED", "-1", "1" * 30, "::1",
                                                    "٣"]), st.text(max_size=6)),
                         max_size=11), max_size=20))
def test_proc_connection_table(rows):
    text = "Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires\n" + "\n".join(
        " ".join(r) for r in rows)
    for conn in parse_connections(text):
        assert all(0 <= p < 65536 for p in (conn.client_port, conn.virtual_port,
                                              conn.destination_port))


@given(st.binary(max_size=400))
def test_netlink_dump_decoder(data):
    for decode_one in (genl.decode_service, genl.decode_dest, genl.decode_daemon):
        for end in (len(data), len(data) // 2):         # whole and truncated
            try:
                decode_one(data, 0, end)
            except IPVSError as exc:
                assert str(exc)


@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.binary(max_size=20), max_size=10).map(
                     lambda xs: b"###\n" + b"".join(b"%d:(0)%s," % (len(x) + 3, x) for x in xs)
                     + b"%%%\n"),
                 texts.map(lambda t: (">>>\n" + t + "<<<\n").encode("utf-8", "surrogatepass"))))
def test_heartbeat_api_replies(data):
    try:
        reply = decode(data)
    except HeartbeatError as exc:
        assert str(exc)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in reply.items())


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@given(st.one_of(json_values.map(json.dumps), st.binary(max_size=200).map(bytes.hex),
                 st.integers(1, 100_000).map(lambda n: "[" * n)))
def test_published_health_state(text):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json") as fh:
        fh.write(text)
        fh.flush()
        read_state(fh.name)                           # a state, or None: never an exception


TOML_VALUES = ['1', '-1', '0', '1.5', 'nan', 'inf', 'true', '"x"', '""', '[1, 2]', '[]', '{a = 1}',
               '"tcp 10.0.0.1:80"', '"fwmark 5"', '"udp [::1]:53"', '"10.0.0.2:80"',
               '"127.0.0.1:80 masq"', '"http"', '"tcp"', '"command"', '["/bin/true", "{host}"]',
               '"/(x/"', '"/ok/"', '"quiesce"', '"remove"', '"1.1"', '99999999999999999999',
               '1979-05-27', '[[1], {a = 1}]', '0.5', '"gate"', '"wlc"', '"255.255.255.0"']
TOML_KEYS = sorted({"virtual", "scheduler", "persistence", "netmask", "check", "port", "timeout",
                    "path", "method", "http_version", "virtualhost", "status", "body", "command",
                    "interval", "fall", "rise", "action", "slow_start", "keep_healthy",
                    "depool_threshold",
                    "fallback", "address", "forwarding", "weight", "real", "bogus"})
toml_pairs = st.lists(st.tuples(st.sampled_from(TOML_KEYS), st.sampled_from(TOML_VALUES)),
                      max_size=8, unique_by=lambda kv: kv[0])
toml_docs = st.lists(st.tuples(st.sampled_from(["[defaults]", "[[service]]", "[[service.real]]",
                                                "[service]", "[[defaults]]", "[other]"]),
                               toml_pairs), max_size=6).map(
    lambda tables: "".join(f"{head}\n" + "".join(f"{k} = {v}\n" for k, v in pairs)
                           for head, pairs in tables))


@given(toml_docs)
def test_health_toml_of_every_shape(text):
    config = read_toml(text, "f")
    assert all(f.level in ("error", "warning") and f.message for f in config.findings)


LDIR_LINES = ["virtual=10.0.0.1:80", "virtual=5", "virtual=[::1]:80", "virtual=x",
              "real=10.0.0.2:80 gate", "real=10.0.0.2->10.0.0.9:80 masq 2",
              "real=10.0.0.2:80 masq 1 \"a\" \"(b\"", "real=10.0.0.255->10.0.0.1:80 gate",
              "real=10.0.0.2", "fallback=127.0.0.1", "fallback=127.0.0.1:80 ipip",
              "checktype=negotiate", "checktype=ping", "checktype=external", "checktype=7",
              "service=http", "service=https", "service=mysql", "service=none",
              "request=\"http://h:1/p\"", "request=\"/\"", "receive=\"(\"", "receive=\"ok\"",
              "checkport=0", "checkport=65535", "checkinterval=-3", "checktimeout=2.5",
              "negotiatetimeout=99999999999999", "failurecount=0", "quiescent=yes",
              "scheduler=nosuch", "protocol=fwm", "protocol=udp", "persistent=9",
              "netmask=255.255.255.0", "httpmethod=HEAD", "logfile=x", "emailalertstatus=all,x",
              "fork=yes", "checkcommand=\"/bin/true 'x\"", "virtualhost=é", "colour=1", "=",
              "real=", "virtual=", "#", ""]


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(LDIR_LINES)), max_size=14))
def test_ldirectord_cf_of_every_shape(lines):
    text = "".join(("\t" if indented else "") + line + "\n" for indented, line in lines)
    config = read_ldirectord(text, "f")
    assert all(f.level in ("error", "warning") and f.message for f in config.findings)


@given(texts, st.sampled_from(["\n", "\r\n"]))
def test_an_edit_keeps_the_files_line_ends(text, newline):
    """One edit changes one line; every other byte, line ends included, stays."""
    body = "".join(line.rstrip("\r") + newline for line in text.split("\n") if "\r" not in line)
    original = body + f"keepalive 2{newline}"
    cf = HaCf(original, "ha.cf")
    cf.set("keepalive", "3")
    cf.add("node", "n2")
    after = iter(cf.lines)
    kept = [line for line in HaCf(original, "x").lines if not line.startswith("keepalive")]
    assert all(any(line == other for other in after) for line in kept)    # in order, as they were
    assert all(line.endswith(newline) for line in cf.lines)


PROC_WORDS = ["IP Virtual Server version 1.2.1 (size=4096)\n", "Prot LocalAddress:Port\n",
              "  -> RemoteAddress:Port\n", "TCP", "UDP", "FWM", "0A000032:0050", "0000000A",
              "[2001:0db8:0000:0000:0000:0000:0000:0001]:0050", "wlc", "ops", "persistent",
              "15000", "FFFFFFFF", "  ->", "Route", "Masq", "Tunnel", "Local", "Bypass", "5",
              "-1", "GGGG:0050", "\n"]
proc_texts = st.lists(st.one_of(st.sampled_from(PROC_WORDS), st.text(max_size=6)),
                      max_size=40).map(lambda parts: " ".join(parts))


@given(st.one_of(proc_texts, st.text(max_size=300)))
def test_proc_table_of_a_reader_that_is_not_root(text):
    from lvstui.ipvs.proc import parse_table
    info, services = parse_table(text)
    for svc in services:
        save([svc])                          # every parsed entry renders as an ipvsadm line


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["kind", "service", "server", "before", "protocol", "address",
                                 "port", "forwarding", "weight", "stats", "servers", "flags",
                                 "family", "x"]), inner, max_size=6)), max_leaves=20)


@given(json_values)
@example([[["tcp"], ["10.0.0.1", 80], 1], [[], [], -1]])
@example([[1, 2, 3, 4]])
def test_agent_protocol_decoders(value):
    from lvstui.peer.protocol import (ProtocolError, decode_operation, decode_quiesced,
                                      decode_service)
    for decoder in (decode_operation, decode_service, decode_quiesced):
        try:
            decoder(value)
        except ProtocolError:
            pass


@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_agent_answers_every_line_with_one_reply(line):
    from lvstui.commands.agent import Agent
    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.session import Session
    reply = Agent(Session(MemoryBackend(), audit=_NO_AUDIT)).answer(line)
    assert isinstance(reply["ok"], bool) and json.dumps(reply)


class _NoAudit:
    def record(self, command, result):
        return None

    def by(self, via, asked_by=""):
        return self


_NO_AUDIT = _NoAudit()


def test_the_compact_table_row_round_trips():
    from lvstui.model import Forwarding, RealServer, VirtualService
    from lvstui.peer.protocol import TableDelta, TableMirror
    svc = VirtualService("tcp", "10.0.0.50", 80, scheduler="wlc", persistence=300,
                         flags=frozenset({"one-packet"}), servers=[
                             RealServer("10.0.0.11", 80, Forwarding.TUNNEL, 7, 100, 10, "gue",
                                        6080, "csum", 3, 4, 5, family=4)])
    delta, mirror = TableDelta(), TableMirror()
    [back] = mirror.apply(json.loads(json.dumps(delta.reply([svc]))))
    assert back == svc
    assert delta.reply([svc]) == {"changed": [], "removed": []}
    assert mirror.apply(json.loads(json.dumps(delta.reply([])))) == []


@given(st.one_of(st.text(max_size=40), st.sampled_from(
    ["@1764128000", "@-1", "@1e400", "@nan", "2026-11-25T03:12:00", "2026-13-01", "@", ""])))
def test_history_times(text):
    from lvstui.history import HistoryError, parse_time
    try:
        t = parse_time(text)
    except HistoryError:
        return
    from lvstui.history.store import format_time
    format_time(t)                       # every accepted time can be written in a message


# ---------------------------------------------------------------- bytes, huge numbers, nesting
# What an old director's files hold: Latin-1 comments, CRLF line ends, numbers of any length.
HUGE = ["9" * 5000, "1" * 400, "9" * 400 + ".5", "1e99999", "-" + "9" * 5000]
BYTE_WORDS = [w.encode("utf-8", "surrogatepass") for w in WORDS] + [
    b"\xe9", b"\xff\xfe", b"# caf\xe9\n", b"\r\n", b"keepalive ", b"deadtime ", b"initdead ",
    b"warntime ", b"auth ", b"sha1 ", b"ms", *(h.encode() for h in HUGE)]
file_bytes = st.one_of(st.binary(max_size=300), st.lists(st.sampled_from(BYTE_WORDS),
                                                         max_size=40).map(b"".join))


@given(file_bytes, file_bytes, file_bytes)
@example(b"# an old director's notes\r\nkeepalive 2\r\ndeadtime 10\r\n# caf\xe9 au lait\r\n"
         b"node rh1.cluster.net\r\n", b"rh1 172.26.46.119\r\n", b"auth 1\r\n1 sha1 s\xe9cret\r\n")
def test_heartbeat_files_as_bytes_on_disk(ha_cf, haresources, authkeys):
    """Read as heartbeat reads them (bytes): findings, never an exception; saved unchanged,
    every byte is where it was."""
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for name, data in (("ha.cf", ha_cf), ("haresources", haresources),
                           ("authkeys", authkeys)):
            with open(os.path.join(d, name), "wb") as fh:
                fh.write(data)
        config = HaConfig.read(d)
        findings = check(config, "node1")
        assert all(f.level in ("error", "warning") and f.message for f in findings)
        for f in (config.ha_cf, config.haresources, config.authkeys):
            f.save()
        for name, data in (("ha.cf", ha_cf), ("haresources", haresources),
                           ("authkeys", authkeys)):
            with open(os.path.join(d, name), "rb") as fh:
                assert fh.read() == data


@given(st.sampled_from(HUGE), st.sampled_from(["", "ms", "us", "s"]))
def test_heartbeat_times_of_any_length(number, unit):
    parse_time(number + unit)                     # a time, or None: never an exception
    cf = HaCf(f"keepalive {number}{unit}\ndeadtime {number}\ninitdead {number}\n"
              f"warntime {number}\nbaud {number}\n", "ha.cf")
    keys = AuthKeys(f"auth {number}\n{number} sha1 secret\n", "authkeys")
    findings = check(HaConfig(cf, None, keys, 0o600), "node1")
    assert all(f.level in ("error", "warning") and f.message for f in findings)


@given(file_bytes, st.booleans())
def test_health_files_as_bytes_on_disk(data, ldirectord):
    import tempfile

    from lvstui.health.config import load
    with tempfile.NamedTemporaryFile("wb") as fh:
        fh.write(data)
        fh.flush()
        config = load(fh.name, ldirectord)
    assert all(f.level in ("error", "warning") and f.message for f in config.findings)


def test_a_latin1_comment_is_named_by_its_line():
    import tempfile

    from lvstui.health.config import load
    with tempfile.NamedTemporaryFile("wb") as fh:
        fh.write(b"# ok\n# caf\xe9\ninterval = 2\n")
        fh.flush()
        config = load(fh.name)
    [finding] = config.errors
    assert finding.line == 2 and "UTF-8" in finding.message, finding


@given(st.sampled_from(HUGE), st.sampled_from(TOML_KEYS))
def test_health_toml_with_huge_numbers(number, key):
    for text in (f"{key} = {number}\n", f"[[service]]\nvirtual = \"tcp 10.0.0.1:80\"\n"
                                        f"{key} = {number}\n"):
        config = read_toml(text, "f")
        assert all(f.level in ("error", "warning") and f.message for f in config.findings)


@given(st.sampled_from(HUGE + ["1e308", "-1", "0", "1.5", '"x"', "null", "[]"]))
def test_published_state_with_a_pid_of_any_size(pid):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json") as fh:
        fh.write('{"running": true, "pid": %s, "updated": 1, "source": "x", "servers": []}'
                 % pid)
        fh.flush()
        read_state(fh.name)                       # a state, or None


@given(st.integers(1, 200_000), st.sampled_from(["[", "{\"a\":", "{\"id\":[", "{\"op\":["]))
def test_agent_answers_a_deeply_nested_line(depth, opener):
    from lvstui.commands.agent import Agent
    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.session import Session
    reply = Agent(Session(MemoryBackend(), audit=_NO_AUDIT)).answer(
        (opener * depth).encode() + b"1")
    assert reply["ok"] is False and reply["kind"] == "ProtocolError" and json.dumps(reply)


@given(st.sampled_from(HUGE), st.sampled_from(["id", "weight", "port", "protocol"]))
def test_agent_answers_huge_numbers(number, field):
    from lvstui.commands.agent import Agent
    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.session import Session
    agent = Agent(Session(MemoryBackend(), audit=_NO_AUDIT))
    for op in ("services", "find", "apply", "set-timeouts"):
        line = '{"op": "%s", "%s": %s}' % (op, field, number)
        reply = agent.answer(line.encode())
        assert isinstance(reply["ok"], bool) and json.dumps(reply)


@given(st.text(min_size=1, max_size=30))
def test_a_peer_name_is_never_an_ssh_option(host):
    from lvstui.peer import ssh_command
    argv = ssh_command("-" + host)
    assert argv[argv.index("--") + 1] == "-" + host


@given(st.sampled_from(["vip-add", "vip-remove", "announce"]),
       st.one_of(st.none(), st.integers(), st.text(max_size=20),
                 st.sampled_from(["172.26.46.119", "172.26.46.120", "::1", "1.2.3.4/24",
                                  "300.1.1.1"])),
       st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["eth0:7", "lo:0", "eth1"])))
def test_agent_vip_requests_answer_and_change_nothing_when_refused(op, address, label):
    """The make-before-break requests: one reply each; a refused one leaves the addresses as
    they were."""
    from lvstui.commands.agent import Agent
    from lvstui.demo.network import peer_network
    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.session import Session
    network = peer_network()
    before = network.vips()
    agent = Agent(Session(MemoryBackend(), network=network, audit=_NO_AUDIT))
    reply = agent.answer(json.dumps({"id": 1, "op": op, "address": address,
                                     "label": label}).encode())
    assert isinstance(reply["ok"], bool) and json.dumps(reply)
    if not reply["ok"]:
        assert network.vips() == before, reply


@given(json_values)
def test_peer_state_addresses_decode_or_refuse(vips):
    from lvstui.peer.protocol import ProtocolError, decode_vips
    try:
        held = decode_vips(vips)
    except ProtocolError:
        return
    assert held is None or all(isinstance(v, str) for v in held)


CHECKER_LINES = [line for line in open(os.path.join(os.path.dirname(__file__), os.pardir,
                                                    "keepalived", "data",
                                                    "keepalived_check.data")).read().splitlines()]


@given(st.lists(st.one_of(st.sampled_from(CHECKER_LINES),
                          st.sampled_from(CHECKER_LINES).map(lambda line: line[:len(line) // 2]),
                          st.sampled_from(["   RIP = 1.2.3.4, RPORT = 99999999999999999999, "
                                           "WEIGHT = -5 EFF WEIGHT = 7", " [::1]:tcp:80 -> "
                                           "[::2]:tcp:81", "   alive = 9"]), st.text(max_size=20)),
                max_size=80))
def test_keepalived_checker_data(lines):
    """keepalived's checker data dump in any order, cut short or garbled: verdicts or none,
    never an exception."""
    for verdict in parse_checker_data("\n".join(lines)):
        assert verdict.said().startswith(verdict.service)
