"""The monitor's configuration: lvstui's TOML file, or heartbeat-era ``ldirectord.cf`` read as is.

Both give the same thing: the virtual services to watch (with their configured real servers)
and a ``Policy`` for each. Every problem is a ``Finding`` at ``file:line``; errors stop the
monitor, warnings (a directive lvstui does not act on) are reported and skipped.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
import urllib.parse
import shlex
import tomllib
from dataclasses import dataclass, field, replace

from ..findings import Finding
from ..model import (SCHEDULERS, Forwarding, RealServer, ValidationError, VirtualService,
                     parse_int, parse_netmask, parse_server, parse_service)
from .checks import Check, body_pattern
from .engine import Policy

CHECK_KINDS = ("tcp", "http", "https", "command", "on", "off")
FORWARDING = {"gate": Forwarding.ROUTE, "route": Forwarding.ROUTE, "dr": Forwarding.ROUTE,
              "masq": Forwarding.MASQ, "nat": Forwarding.MASQ,
              "ipip": Forwarding.TUNNEL, "tunnel": Forwarding.TUNNEL}


@dataclass
class HealthConfig:
    path: str
    services: list[tuple[VirtualService, Policy]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]


def load(path: str, ldirectord: bool = False) -> HealthConfig:
    """Read *path* (OSError if it cannot be read); problems are in ``.findings``."""
    with open(path) as fh:
        text = fh.read()
    return (read_ldirectord if ldirectord else read_toml)(text, path)


def with_server(svc: VirtualService, rs: RealServer) -> RealServer:
    """The entry as the kernel will hold it: DR and tunnel servers take the service's port."""
    if rs.forwarding is not Forwarding.MASQ and not svc.is_fwmark:
        rs = replace(rs, port=svc.port)
    return rs


def _server(svc: VirtualService, text: str, how: str, weight: int) -> RealServer:
    if how not in FORWARDING:
        raise ValidationError(f"unknown forwarding {how!r}: use gate, masq or ipip")
    rs = replace(parse_server(text, svc), forwarding=FORWARDING[how], weight=weight)
    rs.validate()
    if rs.family != svc.family and not svc.is_fwmark:
        raise ValidationError(f"real server {rs.endpoint} is not of the service's address family")
    return with_server(svc, rs)


# ---------------------------------------------------------------- TOML

POLICY_KEYS = {"interval", "fall", "rise", "action", "slow_start", "keep_healthy", "fallback"}
CHECK_KEYS = {"check", "port", "timeout", "path", "method", "http_version", "virtualhost",
              "status", "body", "command"}
SERVICE_KEYS = {"virtual", "scheduler", "persistence", "netmask", "real"} | POLICY_KEYS | CHECK_KEYS
SERVER_KEYS = {"address", "forwarding", "weight", "interval", "fall", "rise"} | CHECK_KEYS


def read_toml(text: str, path: str) -> HealthConfig:
    config = HealthConfig(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        config.findings.append(Finding(path, int(m[1]) if m else 1, "error", f"not TOML: {exc}"))
        return config
    where = _Lines(text)
    defaults, services = data.get("defaults", {}), data.get("service", [])
    if not isinstance(defaults, dict):
        config.findings.append(Finding(path, where.of("defaults"), "error",
                                       "defaults must be one table: [defaults]"))
        defaults = {}
    if not _tables(services):
        config.findings.append(Finding(path, where.of("service"), "error",
                                       "service must be tables: [[service]]"))
        services = []
    for key in set(data) - {"defaults", "service"}:
        config.findings.append(Finding(path, where.of(key), "error", f"unknown table {key!r}"))
    for key in set(defaults) - (POLICY_KEYS | CHECK_KEYS) - {"fallback"}:
        config.findings.append(Finding(path, where.of(key), "error", f"unknown default {key!r}"))
    seen: set = set()
    for index, table in enumerate(services):
        start = where.table("service", index)
        try:
            svc, policy = _toml_service({**defaults, **table}, table, where, start, path, config)
        except ValidationError as exc:
            key = getattr(exc, "key", None)
            config.findings.append(Finding(path, where.key(start, key) if key else start,
                                           "error", str(exc)))
            continue
        if svc.key in seen:
            config.findings.append(Finding(path, start, "error", f"{svc.name} is listed twice"))
            continue
        seen.add(svc.key)
        config.services.append((svc, policy))
    if not data.get("service"):
        config.findings.append(Finding(path, 1, "error", "no [[service]] to watch"))
    return config


def _tables(value) -> bool:
    return isinstance(value, list) and all(isinstance(t, dict) for t in value)


def _keyed(key: str, fn, *args):
    """Run *fn*; a ValidationError carries the TOML key it came from."""
    try:
        return fn(*args)
    except (ValidationError, TypeError, ValueError) as exc:
        if getattr(exc, "key", None):
            raise
        error = ValidationError(f"{key}: {exc}")
        error.key = key
        raise error from None


def _toml_service(merged: dict, own: dict, where, start: int, path: str, config):
    for key in set(own) - SERVICE_KEYS:
        _keyed(key, _fail, f"unknown key (known: {', '.join(sorted(SERVICE_KEYS))})")
    if "virtual" not in own:
        raise ValidationError("virtual = \"tcp VIP:port\" (or \"fwmark N\") is needed")
    svc = _keyed("virtual", parse_service, str(own["virtual"]))
    if "scheduler" in own:
        svc.scheduler = str(own["scheduler"])
    if "persistence" in own:
        svc.persistence = _keyed("persistence", _int, own["persistence"], 0, 2**31 - 1)
    if "netmask" in own:
        svc.netmask = _keyed("netmask", parse_netmask, str(own["netmask"]), svc.family)
    _keyed("scheduler", svc.validate)
    policy = _keyed("check", _toml_policy, merged, svc)
    if not _tables(own.get("real", [])):
        _keyed("real", _fail, "real servers are tables: [[service.real]]")
    listed = set()
    for n, real in enumerate(own.get("real", [])):
        line = where.table("service.real", n, after=start)
        try:
            for key in set(real) - SERVER_KEYS:
                _keyed(key, _fail, f"unknown key (known: {', '.join(sorted(SERVER_KEYS))})")
            rs = _keyed("address", _server, svc, str(real.get("address", "")),
                        str(real.get("forwarding", "gate")),
                        _keyed("weight", _int, real.get("weight", 1), 0, 2**31 - 1))
            if rs.key in listed:
                raise ValidationError(f"real server {rs.endpoint} is listed twice")
            listed.add(rs.key)
            own_keys = set(real) & (CHECK_KEYS | {"interval", "fall", "rise"})
            if own_keys:
                policy.overrides[rs.key] = _keyed("check", _toml_policy, {**merged, **real}, svc)
            svc.servers.append(rs)
        except ValidationError as exc:
            key = getattr(exc, "key", None)
            config.findings.append(Finding(path, where.key(line, key) if key else line,
                                           "error", str(exc)))
    return svc, policy


def _body(value) -> str:
    body_pattern(str(value))
    return str(value)


def _http_version(value) -> str:
    if str(value) not in ("1.0", "1.1"):
        raise ValueError(f"{value!r}: use \"1.0\" or \"1.1\"")
    return str(value)


def _toml_policy(values: dict, svc: VirtualService) -> Policy:
    kind = values.get("check", "tcp")
    if kind not in CHECK_KINDS:
        raise ValueError(f"unknown check {kind!r}: use one of {', '.join(CHECK_KINDS)}")
    command = values.get("command", ())
    if isinstance(command, str):
        command = shlex.split(command)
    if kind == "command" and not command:
        raise ValueError("check = \"command\" needs command = [\"/path\", \"{host}\", \"{port}\"]")
    check = Check(kind, port=_keyed("port", _int, values.get("port", 0), 0, 65535) or None,
                  timeout=_keyed("timeout", _seconds, values.get("timeout", 3)),
                  path=str(values.get("path", "/")), method=str(values.get("method", "GET")),
                  virtualhost=str(values.get("virtualhost", "")),
                  status=_keyed("status", _int, values.get("status", 200), 0, 599),
                  body=_keyed("body", _body, values.get("body", "")),
                  command=tuple(map(str, command)),
                  http_version=_keyed("http_version", _http_version,
                                      values.get("http_version", "1.0")))
    action = values.get("action", "quiesce")
    if action not in ("quiesce", "remove"):
        raise ValueError(f"action: {action!r}: use quiesce or remove")
    fallback = values.get("fallback")
    return Policy(check=check,
                  interval=_keyed("interval", _seconds, values.get("interval", 5)),
                  fall=_keyed("fall", _int, values.get("fall", 3), 1, 1000),
                  rise=_keyed("rise", _int, values.get("rise", 2), 1, 1000),
                  action=action,
                  slow_start=_keyed("slow_start", _int, values.get("slow_start", 0), 0, 100),
                  keep_healthy=_keyed("keep_healthy", _int, values.get("keep_healthy", 0), 0, 10**6),
                  fallback=_keyed("fallback", _fallback, fallback, svc) if fallback else None)


def _fallback(text, svc: VirtualService) -> RealServer:
    """``"127.0.0.1:80"`` or ``"127.0.0.1:80 masq"`` (gate when not said), weight 1."""
    words = str(text).split()
    if not 1 <= len(words) <= 2:
        raise ValidationError(f"cannot read {text!r}: use \"address:port [gate|masq|ipip]\"")
    return _server(svc, words[0], words[1] if len(words) > 1 else "gate", 1)


def _int(value, low: int, high: int) -> int:
    return parse_int("value", str(value), low, high)


def _seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise ValidationError(f"{value!r} is not a number of seconds (0-3600)")
    return float(value)


def _fail(message: str):
    raise ValidationError(message)


class _Lines:
    """Line numbers for TOML keys and tables (tomllib gives none)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}        # [[name]] -> its line numbers, in order
        for n, line in enumerate(self.lines, 1):
            m = re.match(r"\s*\[\[\s*([^\]\s]+)\s*\]\]", line)
            if m:
                self.headers.setdefault(m[1], []).append(n)

    def table(self, name: str, index: int, after: int = 0) -> int:
        """The line of the index-th ``[[name]]`` after line *after* (one look-up, no scan)."""
        lines = self.headers.get(name, [])
        first = bisect.bisect_right(lines, after)
        return lines[first + index] if first + index < len(lines) else after or 1

    def key(self, start: int, key: str) -> int:
        for n, line in enumerate(self.lines[start:], start + 1):
            if re.match(r"\s*\[", line):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", line):
                return n
        return start

    def of(self, key: str) -> int:
        for n, line in enumerate(self.lines, 1):
            if re.match(rf"\s*(\[+\s*)?{re.escape(key)}\b", line):
                return n
        return 1


# ---------------------------------------------------------------- ldirectord.cf

LDIR_IGNORED = {"autoreload", "logfile", "emailalert", "emailalertfreq", "emailalertstatus",
                "emailalertfrom", "callback", "execute", "fork", "supervised", "readdquiescent",
                "cleanstop", "maintenancedir", "smtp", "monitorfile", "login", "passwd",
                "database", "secret", "fallbackcommand", "checkcount"}
LDIR_GLOBAL = {"checktimeout", "negotiatetimeout", "checkinterval", "failurecount", "fallback",
               "quiescent"}
LDIR_VIRTUAL = LDIR_GLOBAL | {"real", "checktype", "service", "request", "receive",
                              "virtualhost", "checkport", "scheduler", "persistent", "netmask",
                              "protocol", "httpmethod", "checkcommand"}
SERVICE_PORTS = {80: "http", 443: "https"}     # ldirectord's defaults that lvstui can check


@dataclass
class _Virtual:
    line: int
    text: str
    values: dict = field(default_factory=dict)     # directive -> (value, line)
    reals: list = field(default_factory=list)      # (text, line)


def read_ldirectord(text: str, path: str) -> HealthConfig:
    """ldirectord.cf as ldirectord reads it: ``#`` starts a comment anywhere, a virtual's lines
    are indented (a tab counts as four spaces), values may be quoted."""
    config = HealthConfig(path)
    found = config.findings
    glob: dict = {}
    virtuals: list[_Virtual] = []
    current = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].replace("\t", "    ").rstrip()
        if not line.strip():
            continue
        indented = line.startswith("    ")
        m = re.fullmatch(r"\s*([a-z0-9]+)\s*=\s*(.*)", line)
        if not m:
            found.append(Finding(path, n, "error", f"cannot read {line.strip()!r}: "
                                                  "directive = value expected"))
            continue
        key, value = m[1], _unquote(m[2].strip())
        if key in ("virtual", "virtual6"):
            current = _Virtual(n, value)
            virtuals.append(current)
            continue
        if not indented:
            current = None
        known = LDIR_VIRTUAL if current else LDIR_GLOBAL
        problem = _ldir_refused(key, m[2].strip())
        if problem:
            found.append(Finding(path, n, "error", problem))
        elif key in LDIR_IGNORED:
            found.append(Finding(path, n, "warning", f"{key} is not used by lvstui: ignored"))
        elif key not in known:
            where = "in a virtual section" if current else "outside a virtual section"
            found.append(Finding(path, n, "error", f"unknown directive {key!r} {where}"))
        elif key in ("real", "real6") and current:
            current.reals.append((value, n))
        else:
            (current.values if current else glob)[key] = (value, n)
    for key in ("checktimeout", "negotiatetimeout", "checkinterval", "failurecount"):
        if key in glob:                           # a bad global is reported once, at its line
            value, n = glob[key]
            try:
                _ldir_number(value, "a number of seconds" if key != "failurecount"
                             else "a count above zero")
            except ValidationError as exc:
                found.append(Finding(path, n, "error", str(exc)))
                del glob[key]
    for v in virtuals:
        try:
            watched = _ldir_virtual(v, glob, path, found)
        except ValidationError as exc:
            found.append(Finding(path, getattr(exc, "line", v.line), "error", str(exc)))
            continue
        if any(svc.key == watched[0].key for svc, _ in config.services):
            found.append(Finding(path, v.line, "error", f"{watched[0].name} is listed twice"))
            continue
        config.services.append(watched)
    if not virtuals:
        found.append(Finding(path, 1, "error", "no virtual= section to watch"))
    return config


LDIR_YES_NO = ("autoreload", "fork", "readdquiescent", "cleanstop", "quiescent")
ALERT_STATUSES = ("all", "none", "starting", "running", "stopping", "reloading")
LDIR_SERVICES = ("dns", "ftp", "http", "https", "http_proxy", "imap", "imaps", "ldap", "ldaps",
                 "mysql", "nntp", "none", "oracle", "pgsql", "pop", "pops", "radius", "simpletcp",
                 "sip", "smtp", "submission")


def _ldir_refused(key: str, raw: str) -> str | None:
    """ldirectord's own refusals of values lvstui does not otherwise use."""
    value = _unquote(raw)
    if key in LDIR_YES_NO and value not in ("yes", "no"):
        return f"{key} must be 'yes' or 'no'"
    if key == "logfile" and not (len(raw) >= 2 and raw[0] == raw[-1] == '"'):
        return "logfile needs quotes: logfile=\"/var/log/ldirectord.log\" (or \"local0\")"
    if key == "emailalertstatus" and any(
            s not in ALERT_STATUSES for s in re.split(r"\s*,\s*", value)):
        return f"emailalertstatus: one or more of {', '.join(ALERT_STATUSES)}"
    if key == "service" and value not in LDIR_SERVICES:
        return f"service must be one of {', '.join(LDIR_SERVICES)} (in lower case)"
    return None


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _at(line: int, fn, *args):
    try:
        return fn(*args)
    except (ValidationError, ValueError) as exc:
        error = ValidationError(str(exc))
        error.line = line
        raise error from None


def _ldir_virtual(v: _Virtual, glob: dict, path: str, found: list):
    def get(key, default=None):
        return v.values.get(key) or glob.get(key) or (default, v.line)

    protocol, pline = get("protocol", "")
    if v.text.isdigit():
        svc = _at(v.line, parse_service, f"fwmark {v.text}")
        if protocol not in ("", "fwm"):
            _at(pline, _fail, f"a firewall-mark virtual needs protocol=fwm, not {protocol}")
    else:
        if protocol not in ("", "tcp", "udp", "sctp"):
            _at(pline, _fail, f"protocol must be tcp, udp or fwm (got {protocol!r})")
        svc = _at(v.line, parse_service, v.text)
        svc.protocol = protocol or ("udp" if svc.port == 53 else "tcp")
    pairs = {}                                  # real servers' own request/receive
    listed = set()
    for text, line in v.reals:
        first, _, rest = text.strip().partition(" ")
        try:
            addresses = _at(line, _ldir_range, first)
        except ValidationError as exc:
            found.append(Finding(path, line, "error", str(exc)))
            continue
        for address in addresses:
            try:
                rs, pair = _at(line, _ldir_real, svc, f"{address} {rest}")
                if rs.key in listed:
                    _at(line, _fail, f"real server {rs.endpoint} is listed twice")
                listed.add(rs.key)
            except ValidationError as exc:
                found.append(Finding(path, line, "error", str(exc)))
                break
            if pair:
                pairs[rs.key] = pair
            svc.servers.append(rs)
    svc.scheduler, line = get("scheduler", "wrr")
    persistent, line = get("persistent", "0")
    svc.persistence = _at(line, parse_int, "persistent", persistent, 0, 2**31 - 1)
    netmask, line = get("netmask")
    if netmask:
        svc.netmask = _at(line, parse_netmask, netmask, svc.family)
    if svc.scheduler not in SCHEDULERS:          # ldirectord reads it; the kernel refuses it
        found.append(Finding(path, get("scheduler")[1], "warning", f"unknown scheduler "
                             f"{svc.scheduler!r}: the kernel will refuse this service"))
        svc.scheduler = "wrr"
    _at(get("scheduler")[1], svc.validate)

    checktype, cline = get("checktype", "negotiate")
    service, sline = get("service", "none" if svc.is_fwmark else
                         SERVICE_PORTS.get(svc.port, "none"))
    if checktype.isdigit():
        found.append(Finding(path, cline, "warning",
                             f"checktype={checktype} (connect, negotiate every Nth): "
                             "lvstui negotiates every time"))
        checktype = "negotiate"
    if checktype == "negotiate" and service not in ("http", "https", "none"):
        found.append(Finding(path, sline, "warning",
                             f"service={service} is not checked by lvstui: a TCP connect is used"))
        checktype = "connect"
    checkport, line = get("checkport")
    port = _at(line, parse_int, "checkport", checkport, 1, 65535) if checkport else None
    timeouts = {key: _at(get(key)[1], _ldir_seconds, get(key)[0])
                for key in ("checktimeout", "negotiatetimeout") if get(key)[0] is not None}
    negotiate = timeouts.get("negotiatetimeout", timeouts.get("checktimeout", 30.0))
    connect = timeouts.get("checktimeout", timeouts.get("negotiatetimeout", 5.0))
    request, rline = get("request", "/")
    vhost = get("virtualhost", "")[0]
    if request.startswith(("http://", "https://")):
        url = urllib.parse.urlsplit(request)
        request, vhost = url.path or "/", vhost or (url.hostname or "")
        found.append(Finding(path, rline, "warning", "request is a URL: lvstui asks each real "
                                                     f"server for {request} with Host {vhost}"))
    receive, rcline = get("receive", "")
    receive = _ldir_receive(receive, rcline, path, found)
    method, mline = get("httpmethod", "GET")
    if method not in ("GET", "HEAD"):
        _at(mline, _fail, f"httpmethod must be GET or HEAD (got {method!r})")
    if checktype == "negotiate" and service in ("http", "https"):
        check = Check(service, port=port, timeout=negotiate, path="/" + request.lstrip("/"),
                      method=method, virtualhost=vhost, status=0,
                      body=receive)
    elif checktype == "negotiate":                # service=none: ldirectord just activates
        check = Check("on")
    elif checktype == "connect":
        check = Check("tcp", port=port, timeout=connect)
    elif checktype == "external":
        command, ccline = get("checkcommand", "/bin/true")
        check = Check("command", timeout=connect,
                      command=(*_at(ccline, shlex.split, command), svc.address or str(svc.fwmark),
                               str(svc.port), "{host}", "{port}"))
    elif checktype in ("on", "off"):
        check = Check(checktype)
    elif checktype == "ping":                     # ldirectord: one ICMP echo
        check = Check("command", timeout=connect, command=(
            "ping", "-n", "-q", "-c", "1", "-W", str(max(1, int(connect))), "{host}"))
    else:
        _at(cline, _fail, f"checktype={checktype} is not supported: use connect, "
                                "negotiate, external, ping, on or off")
    interval, line = get("checkinterval", "10")
    failures, fline = get("failurecount", "1")
    quiescent, qline = get("quiescent", "no")
    if quiescent not in ("yes", "no"):
        _at(qline, _fail, f"quiescent must be yes or no (got {quiescent!r})")
    fallback, fbline = get("fallback")
    policy = Policy(check=check, interval=_at(line, _ldir_seconds, interval),
                    fall=_at(fline, _ldir_number, failures, "a count above zero"), rise=1,
                    action="quiesce" if quiescent == "yes" else "remove",
                    fallback=_at(fbline, _ldir_fallback, svc, fallback) if fallback else None)
    if policy.fallback:
        policy.fallback.weight = 1
    for key, pair in pairs.items():
        policy.overrides[key] = replace(policy, check=replace(
            policy.check, path="/" + pair[0].lstrip("/"),
            body=_ldir_receive(pair[1], v.line, path, found)), overrides={})
    return svc, policy


def _ldir_receive(receive: str, line: int, path: str, found: list) -> str:
    """ldirectord's receive is a Perl regex: ours as /regex/; one Python cannot compile is
    looked for as plain text (ldirectord accepts the file too), said as a warning."""
    if not receive:
        return ""
    try:
        body_pattern(f"/{receive}/")
        return f"/{receive}/"
    except ValueError as exc:
        found.append(Finding(path, line, "warning", f"receive: {exc}: looked for as plain text"))
        return receive


def _ldir_range(word: str) -> list[str]:
    """``10.0.0.2->10.0.0.5:80`` -> each address with the port, as ldirectord expands it."""
    if "->" not in word:
        return [word]
    first, _, rest = word.partition("->")
    last, colon, port = rest.partition(":")
    try:
        a, b = ipaddress.IPv4Address(first), ipaddress.IPv4Address(last)
    except ValueError:
        raise ValidationError(f"cannot read the address range {word!r}") from None
    if not 0 <= int(b) - int(a) < 256:
        raise ValidationError(f"the address range {word!r} must go up, 256 addresses at most")
    return [f"{ipaddress.IPv4Address(i)}{colon}{port}" for i in range(int(a), int(b) + 1)]


def _ldir_fallback(svc: VirtualService, text: str) -> RealServer:
    """``fallback=HOST[:PORT] [gate|masq|ipip]``: gate and the virtual's port by default."""
    words = text.split()
    if not words:
        raise ValidationError("fallback needs an address")
    if ":" not in words[0] and not svc.is_fwmark:
        words[0] += f":{svc.port}"
    return _ldir_real(svc, " ".join(words[:1] + (words[1:2] or ["gate"])))[0]


def _ldir_real(svc: VirtualService, text: str) -> tuple[RealServer, tuple | None]:
    """``10.0.0.2:80 masq 3 "request" "receive"`` -> the entry and its own request/receive."""
    words = shlex.split(text)
    if len(words) < 2:
        raise ValidationError(f"cannot read real={text!r}: address:port and gate|masq|ipip needed")
    if words[0].count(":") == 0 and not svc.is_fwmark:
        words[0] += ":0"                          # ldirectord: no port means 0
    weight = parse_int("weight", words[2], 0, 2**31 - 1) if len(words) > 2 else 1
    rs = _server(svc, words[0], words[1], weight)
    extra = [w for w in words[3:] if not w.startswith("<")]
    if len(extra) not in (0, 2):
        raise ValidationError("a real server's own check needs both \"request\" and \"receive\"")
    return rs, tuple(extra) if extra else None


def _ldir_seconds(text: str) -> float:
    """As ldirectord reads a time: the first digits in the value (``2.5`` is 2, ``-1`` is 1),
    above zero."""
    return float(_ldir_number(text, "a number of seconds"))


def _ldir_number(text: str, what: str) -> int:
    m = re.search(r"[0-9]+", text)
    if not m or not 0 < int(m[0][:9]) <= 10 ** 8:
        raise ValidationError(f"{text!r} is not {what}")
    return int(m[0][:9])
