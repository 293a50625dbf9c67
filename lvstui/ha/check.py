"""Heartbeat's check of its own files (heartbeat 3.0.6 is the referee: check-config errors
exactly where it refuses to start): ha.cf's directives and values, the media, the times,
haresources' nodes and IP resources, authkeys' mode and keys — each problem a ``Finding`` at
``file:line``."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Callable

from ..findings import Finding
from .config import IP_RESOURCE, AuthKeys, Directive, HaConfig, HaResources, is_ip

# heartbeat 3.0.6's own rules (config.c, auth.c and the comm plugins): an error is what makes it
# refuse to start ("Configuration error, heartbeat not started."); the rest are warnings.

TIMES = ("keepalive", "warntime", "deadtime", "initdead")
MEDIA = ("ucast", "bcast", "mcast", "serial", "udp", "mcast6", "ucast6", "ping", "ping6",
         "ping_group")
BOOLEANS = ("nice_failback", "realtime", "use_logd", "use_apphbd", "log_badpack",
            "syslogmsgfmt", "coredumps", "traditional_compression", "record_config_changes",
            "record_pengine_inputs", "enable_config_writes")
ONE_OF = {"hbgenmethod": ("file", "time"), "msgfmt": ("classic", "netstring"),
          "autojoin": ("none", "other", "any"), "uuidfrom": ("file", "nodename"),
          "compression": ("zlib", "bz2")}
FACILITIES = ("auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news",
              "security", "syslog", "user", "uucp", "none", *(f"local{i}" for i in range(8)))
BAUDS = ("9600", "19200", "38400", "57600", "115200", "230400", "460800")
WHOLE_LINE = ("stonith", "stonith_host", "apiauth", "respawn")
KNOWN = {*TIMES, *MEDIA, *BOOLEANS, *ONE_OF, *WHOLE_LINE, "node", "hopfudge", "deadping",
         "watchdog", "baud", "udpport", "logfacility", "logfile", "debugfile", "auto_failback",
         "rtprio", "debug", "conn_logd_time", "coreroot", "crm", "pacemaker",
         "compression_threshold", "env", "max_rexmit_delay", "memreserve", "quorum_server"}
TRUE_WORDS = ("true", "on", "yes", "y", "1")
FALSE_WORDS = ("false", "off", "no", "n", "0")


@dataclass(frozen=True)
class HostFacts:
    """What heartbeat looks up on the host at start: interfaces (name -> has an IPv4
    address) and which paths exist or are executable. None: not checked."""

    interfaces: dict[str, bool]
    exists: Callable[[str], bool]
    executable: Callable[[str], bool]
    resolves: Callable[[str], bool]


def parse_time(text: str) -> int | None:
    """Heartbeat's get_msec: seconds (``2``, ``2.5``), ``ms``/``msec`` or ``us``/``usec``
    -> milliseconds, rounded; None where heartbeat reads -1."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*(.*)", text, re.S)
    if not m:
        return None
    unit = m[2].lower()
    scale = 1.0 if unit.startswith("ms") else 0.001 if unit.startswith("us") else \
        1000.0 if unit == "" else None
    if scale is None:
        return None
    number = re.match(r"\d*\.?\d*", m[1])[0]          # atof stops at the second dot
    millis = (float(number) if number.strip(".") else 0.0) * scale + 0.5
    return int(millis) if millis < 2 ** 63 else None  # past a C long: no time heartbeat keeps


def _boolean(word: str) -> bool | None:
    w = word.lower()
    return True if w in TRUE_WORDS else False if w in FALSE_WORDS else None


def _atoi(word: str) -> int:
    m = re.match(r"\s*([+-]?\d+)", word)
    return int(m[1][:12]) if m and m[1].isascii() else 0


def _values(d: Directive) -> list[str]:
    """heartbeat splits a directive's value on commas as well as blanks."""
    return [v for a in d.args for v in a.split(",") if v]


def check(config: HaConfig, hostname: str, host: HostFacts | None = None) -> list[Finding]:
    """What heartbeat would refuse (errors) or what is unwise (warnings), with file:line.
    *host*: check interfaces and paths on this host, as heartbeat does at start."""
    out: list[Finding] = []
    cf = config.ha_cf
    err = lambda f, line, msg: out.append(Finding(f.path, line, "error", msg))      # noqa: E731
    warn = lambda f, line, msg: out.append(Finding(f.path, line, "warning", msg))   # noqa: E731

    values: dict[str, tuple[str, int]] = {}        # the last value of each directive, its line
    media = 0
    for d in cf.directives():
        if d.name not in KNOWN:
            err(cf, d.lineno, f"unknown directive {d.name!r}: heartbeat refuses to start")
            continue
        if d.name in MEDIA:
            media += _check_media(cf, d, host, err, warn, media)
        elif d.name in WHOLE_LINE:
            _check_whole_line(cf, d, hostname, host, err)
        else:
            for value in _values(d):
                problem = _check_value(d.name, value, host)
                if problem:
                    err(cf, d.lineno, problem)
                values[d.name] = (value, d.lineno)
    if media == 0:
        err(cf, 1, "no communication media (ucast, bcast, mcast or serial): the nodes cannot "
                   "hear each other")
    nodes = [n.lower() for d in cf.all("node") for n in _values(d)]
    autojoin = values.get("autojoin", ("none", 0))
    if not nodes and autojoin[0] != "any":
        err(cf, 1, "no node lines: list both directors with their uname -n names")
    elif nodes and hostname.lower() not in nodes and autojoin[0] != "any":
        err(cf, cf.all("node")[0].lineno, f"this host ({hostname}) is not among the nodes "
                                          f"{', '.join(nodes)}: node names must equal uname -n")
    v1 = _boolean(values.get("crm", values.get("pacemaker", ("off", 0)))[0]) is False
    if v1 and autojoin[0] != "none":
        err(cf, autojoin[1], "autojoin needs crm on (heartbeat's own resource manager, "
                             "haresources, conflicts with it)")
    _check_times(cf, values, err, warn)
    _check_logging(cf, values, err)
    if v1 and config.haresources is None:
        err(cf, 1, "haresources is missing next to ha.cf")
    elif v1:
        _check_resources(config.haresources, nodes, err, warn)
    if config.authkeys is None:
        err(cf, 1, "authkeys is missing next to ha.cf")
    else:
        _check_authkeys(config.authkeys, config.authkeys_mode, err, warn)
    return out


def _check_value(name: str, value: str, host: HostFacts | None) -> str | None:
    """heartbeat's check of one value of an option directive; the reason, or None."""
    if name in ("keepalive", "warntime"):
        ms = parse_time(value)
        return None if ms is not None and ms > 0 else \
            f"{name} {value}: a time above zero: seconds (2), or milliseconds (500ms)"
    if name in ("deadtime", "initdead", "deadping"):
        return None if parse_time(value) is not None else \
            f"{name} {value}: a time: seconds (10), or milliseconds (10000ms)"
    if name in ("hopfudge", "debug"):
        return None if 0 <= _atoi(value) < 256 else f"{name} {value}: a number 0-255"
    if name == "udpport":
        return None if _atoi(value) > 0 else f"udpport {value}: a port number"
    if name == "rtprio":
        return None if 1 <= _atoi(value) <= 99 else f"rtprio {value}: a priority 1-99"
    if name == "baud":
        return None if str(_atoi(value)) in BAUDS else f"baud {value}: one of {', '.join(BAUDS)}"
    if name == "logfacility":
        return None if value in FACILITIES else f"logfacility {value}: not a syslog facility"
    if name in BOOLEANS:
        return None if _boolean(value) is not None else f"{name} {value}: on or off"
    if name == "auto_failback":
        return None if _boolean(value) is not None or value.lower() == "legacy" else \
            "auto_failback must be on, off or legacy"
    if name in ("crm", "pacemaker"):
        return None if _boolean(value) is not None or value == "respawn" else \
            f"{name} {value}: on, off or respawn"
    if name in ONE_OF:
        return None if value in ONE_OF[name] else \
            f"{name} {value}: one of {', '.join(ONE_OF[name])}"
    return None


def _check_whole_line(cf, d: Directive, hostname: str, host: HostFacts | None, err) -> None:
    if d.name == "respawn":
        path = d.args[-1] if d.args else ""
        if not path.startswith("/"):
            err(cf, d.lineno, "respawn needs: [user] /full/path/of/the/program")
        elif host is not None and not host.executable(path):
            err(cf, d.lineno, f"respawn: {path} is not executable here")
    elif d.name == "apiauth" and (len(d.args) < 2 or not all(
            a.startswith(("uid=", "gid=")) for a in d.args[1:])):
        err(cf, d.lineno, "apiauth needs: client uid=LIST and/or gid=LIST")
    elif d.name in ("stonith", "stonith_host") and len(d.args) < 2:
        err(cf, d.lineno, f"{d.name} needs a device type and its parameters")


def _check_media(cf, d: Directive, host: HostFacts | None, err, warn, seen: int) -> int:
    """The media line's own check; the number of media it adds."""
    a = d.args
    name = "bcast" if d.name == "udp" else d.name

    def missing(dev: str, need_ipv4: bool = False) -> bool:
        if host is None:
            return False
        if dev not in host.interfaces:
            err(cf, d.lineno, f"{name}: interface {dev} does not exist on this host")
            return True
        if need_ipv4 and not host.interfaces[dev]:
            err(cf, d.lineno, f"{name}: interface {dev} has no IPv4 address")
            return True
        return False

    if name == "ucast":
        if len(a) < 2 or not is_ip(a[1]) and not re.fullmatch(r"[A-Za-z0-9.-]+", a[1]):
            err(cf, d.lineno, "ucast needs an interface and the peer's address: ucast eth1 "
                              "192.168.0.2")
        elif re.fullmatch(r"[\d.]+", a[1]) and not is_ip(a[1]):
            err(cf, d.lineno, f"ucast: {a[1]} is not an IP address")
        elif host is not None and not is_ip(a[1]) and not host.resolves(a[1]):
            err(cf, d.lineno, f"ucast: {a[1]} does not resolve on this host (/etc/hosts)")
        return 1
    if name == "bcast":
        interfaces = [v for v in _values(d)]
        return sum(not missing(dev) for dev in interfaces)
    if name == "mcast":
        ok = (len(a) == 5 and is_ip(a[1]) and ipaddress.ip_address(a[1]).is_multicast
              and 0 < _atoi(a[2]) <= 65535 and 0 <= _atoi(a[3]) <= 255 and a[4] in ("0", "1"))
        if not ok:
            err(cf, d.lineno, "mcast needs: interface, multicast group, port, ttl (0-255), "
                              "loop (0|1), e.g. mcast eth1 225.0.0.1 694 1 0")
        elif not missing(a[0], need_ipv4=True):
            return 1
        return 0
    if name == "serial":
        for dev in _values(d):
            if host is not None and not host.exists(dev):
                err(cf, d.lineno, f"serial: {dev} does not exist on this host")
        return len(_values(d))
    return 1                                       # ucast6, mcast6, ping...: heartbeat's own


def _check_times(cf, values: dict, err, warn) -> None:
    """heartbeat's defaults (keepalive 1 s, deadtime 30 s) and its checks between them."""
    def ms(name, default):
        value, line = values.get(name, (None, 1))
        parsed = parse_time(value) if value is not None else None
        return (default if parsed is None else parsed), line

    keepalive, _ = ms("keepalive", 1000)
    deadtime, dline = ms("deadtime", 30000)
    if deadtime <= 2 * keepalive:
        err(cf, dline, f"deadtime ({deadtime} ms) must be more than twice keepalive "
                       f"({keepalive} ms)")
    default_initdead = deadtime if deadtime > 10000 else 12000 if deadtime < 6000 else 2 * deadtime
    initdead, iline = ms("initdead", default_initdead)
    if initdead < deadtime:
        err(cf, iline, f"initdead ({initdead} ms) must be at least deadtime ({deadtime} ms)")
    elif initdead < 10000:
        warn(cf, iline, f"initdead ({initdead} ms) should be 10 s or more (network start-up)")
    elif "initdead" in values and initdead < 2 * deadtime:
        warn(cf, iline, "initdead should be at least twice deadtime (network start-up)")
    deadping, pline = ms("deadping", None)
    if deadping is not None and deadping <= 2 * keepalive:
        err(cf, pline, f"deadping ({deadping} ms) must be more than twice keepalive "
                       f"({keepalive} ms)")
    warntime, wline = ms("warntime", None)
    if warntime is not None and warntime >= deadtime:
        warn(cf, wline, f"warntime ({warntime} ms) at or above deadtime ({deadtime} ms) "
                        "never warns")
    first_media = min([d.lineno for d in cf.directives() if d.name in MEDIA] or [10 ** 9])
    for d in cf.all("udpport"):
        if d.lineno > first_media:
            warn(cf, d.lineno, "udpport after a media line: it applies only to the media lines "
                               "that follow it")


def _check_logging(cf, values: dict, err) -> None:
    logged = "logfile" in values or "debugfile" in values or \
        values.get("logfacility", ("none", 0))[0] != "none"
    logd = values.get("use_logd")
    if not logged and logd is not None and _boolean(logd[0]) is False:
        err(cf, logd[1], "no logfile, debugfile or logfacility and use_logd off: heartbeat "
                         "would log nowhere")




def _check_resources(res: HaResources, nodes: list[str], err, warn) -> None:
    groups = res.groups()
    if not groups:
        warn(res, 1, "no resource group: heartbeat would manage nothing")
    for g in groups:
        if nodes and g.node.lower() not in nodes:
            err(res, g.lineno, f"node {g.node!r} is not a node of ha.cf ({', '.join(nodes)})")
        if not g.resources:
            warn(res, g.lineno, f"node {g.node} has no resources")
        for r in g.resources:
            m = IP_RESOURCE.match(r)
            if m and not is_ip(m[2]):
                err(res, g.lineno, f"resource {r!r}: {m[2]} is not an IP address")
            elif m and m[3]:
                prefix = m[3].lstrip("/").split("/")[0]
                top = 32 if ipaddress.ip_address(m[2]).version == 4 else 128
                if prefix and (not prefix.isascii() or not prefix.isdigit()
                               or len(prefix.lstrip("0")) > 3 or int(prefix) > top):
                    err(res, g.lineno, f"resource {r!r}: {prefix!r} is not a prefix length")


def _check_authkeys(keys: AuthKeys, mode: int | None, err, warn) -> None:
    if mode is not None and mode & 0o077:
        err(keys, 1, f"authkeys is mode {mode:04o}: heartbeat refuses it unless it is 0600")
    active = keys.active()
    table = keys.keys()
    if active is None:
        err(keys, 1, "no 'auth N' line choosing the key")
    elif active not in table:
        err(keys, 1, f"auth {active} names a key that is not defined")
    secretless = {d.name for d in keys.directives() if d.name != "auth" and len(d.args) < 2}
    for d in keys.directives():
        if d.name == "auth":
            continue
        index, method, line = d.name, (d.args[0] if d.args else ""), d.lineno
        if not (index.isascii() and index.isdigit() and len(index.lstrip('0')) <= 2) or int(index) > 15:
            err(keys, line, f"{index!r} is not a key index (0-15)")
        elif method not in ("sha1", "md5", "crc"):
            err(keys, line, f"key {index}: unknown method {method!r} (sha1, md5 or crc, "
                            "in lower case)")
        elif index in secretless and method != "crc":
            err(keys, line, f"key {index} ({method}) has no secret")
        elif method == "crc":
            warn(keys, line, f"key {index} uses crc: no security, anyone on the link can "
                             "forge heartbeats")


