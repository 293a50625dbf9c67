"""Heartbeat-era ``ldirectord.cf`` read as is: its global and virtual directives as lvstui's
services and policies; errors where ldirectord refuses the file, warnings for what lvstui does
not act on."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
import shlex
from dataclasses import dataclass, field, replace

from ..findings import Finding
from ..model import (SCHEDULERS, RealServer, ValidationError, VirtualService, parse_int,
                     parse_netmask, parse_service)
from .checks import Check, body_pattern
from .engine import Policy
from .readers import HealthConfig, fail, server_entry


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
    """One ``virtual=`` block (and the global settings it inherits): its service, real
    servers and the policy its checks follow; problems in *found*."""
    def get(key, default=None):
        return v.values.get(key) or glob.get(key) or (default, v.line)

    svc = _ldir_service(v, get)
    pairs = _ldir_reals(v, svc, path, found)
    _ldir_table_settings(svc, get, path, found)
    check = _ldir_check(svc, get, path, found)
    interval, line = get("checkinterval", "10")
    failures, fline = get("failurecount", "1")
    quiescent, qline = get("quiescent", "no")
    if quiescent not in ("yes", "no"):
        _at(qline, fail, f"quiescent must be yes or no (got {quiescent!r})")
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


def _ldir_service(v: _Virtual, get) -> VirtualService:
    """The service a ``virtual=`` names: an address and port, or a firewall mark."""
    protocol, pline = get("protocol", "")
    if v.text.isdigit():
        svc = _at(v.line, parse_service, f"fwmark {v.text}")
        if protocol not in ("", "fwm"):
            _at(pline, fail, f"a firewall-mark virtual needs protocol=fwm, not {protocol}")
        return svc
    if protocol not in ("", "tcp", "udp", "sctp"):
        _at(pline, fail, f"protocol must be tcp, udp or fwm (got {protocol!r})")
    svc = _at(v.line, parse_service, v.text)
    svc.protocol = protocol or ("udp" if svc.port == 53 else "tcp")
    return svc


def _ldir_reals(v: _Virtual, svc: VirtualService, path: str, found: list) -> dict:
    """The ``real=`` lines (ranges expanded) into *svc*; their own request/receive pairs."""
    pairs = {}
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
                    _at(line, fail, f"real server {rs.endpoint} is listed twice")
                listed.add(rs.key)
            except ValidationError as exc:
                found.append(Finding(path, line, "error", str(exc)))
                break
            if pair:
                pairs[rs.key] = pair
            svc.servers.append(rs)
    return pairs


def _ldir_table_settings(svc: VirtualService, get, path: str, found: list) -> None:
    """scheduler, persistent, netmask: the service as the kernel will hold it."""
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


def _ldir_check(svc: VirtualService, get, path: str, found: list) -> Check:
    """checktype, service, checkport, the timeouts, request/receive: the check to run."""
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
    request, vhost, receive, method = _ldir_http(get, path, found)   # read whatever the type
    if checktype == "negotiate" and service in ("http", "https"):
        return Check(service, port=port, timeout=negotiate, path="/" + request.lstrip("/"),
                     method=method, virtualhost=vhost, status=0, body=receive)
    if checktype == "negotiate":                  # service=none: ldirectord just activates
        return Check("on")
    if checktype == "connect":
        return Check("tcp", port=port, timeout=connect)
    if checktype == "external":
        command, ccline = get("checkcommand", "/bin/true")
        return Check("command", timeout=connect,
                     command=(*_at(ccline, shlex.split, command), svc.address or str(svc.fwmark),
                              str(svc.port), "{host}", "{port}"))
    if checktype in ("on", "off"):
        return Check(checktype)
    if checktype == "ping":                       # ldirectord: one ICMP echo
        return Check("command", timeout=connect, command=(
            "ping", "-n", "-q", "-c", "1", "-W", str(max(1, int(connect))), "{host}"))
    _at(cline, fail, f"checktype={checktype} is not supported: use connect, "
                            "negotiate, external, ping, on or off")


def _ldir_http(get, path: str, found: list) -> tuple[str, str, str, str]:
    """request (a URL's host becomes the Host header), virtualhost, receive, httpmethod."""
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
        _at(mline, fail, f"httpmethod must be GET or HEAD (got {method!r})")
    return request, vhost, receive, method


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
    rs = server_entry(svc, words[0], words[1], weight)
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
