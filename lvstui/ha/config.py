"""Heartbeat's files — ha.cf, haresources, authkeys — read and edited without losing a byte.

Each file keeps its lines exactly as read; an edit rewrites only the line(s) it touches, keeping
indentation, separators and trailing comments. Saving goes through ``files.atomic_write`` (temp
file, fsync, rename, backup); authkeys is always written mode 0600. The authkeys secret never
leaves this module in readable form: ``AuthKeys.describe()`` masks it.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
from dataclasses import dataclass

from ..files import atomic_write
from ..findings import Finding

DIRECTIVE = re.compile(r"^(?P<lead>\s*)(?P<name>[^\s#]+)(?P<sep>\s*)(?P<args>[^#]*?)"
                       r"(?P<tail>\s*(#.*)?)$")


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]
    lineno: int


class LineFile:
    """A text file as its lines (ends kept), so that an unchanged file saves byte-identical."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = text.splitlines(keepends=True)

    def text(self) -> str:
        return "".join(self.lines)

    def directives(self) -> list[Directive]:
        out = []
        for i, line in enumerate(self.lines):
            body = line.rstrip("\r\n")
            if not body.strip() or body.lstrip().startswith("#"):
                continue
            m = DIRECTIVE.match(body)
            if m:
                out.append(Directive(m["name"], tuple(m["args"].split()), i + 1))
        return out

    def _rewrite(self, lineno: int, args: str) -> None:
        line = self.lines[lineno - 1]
        body, end = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")):]
        m = DIRECTIVE.match(body)
        self.lines[lineno - 1] = f"{m['lead']}{m['name']}{m['sep'] or ' '}{args}{m['tail']}{end}"

    def _append(self, text: str) -> None:
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        self.lines.append(text + "\n")

    def save(self, mode: int | None = None) -> str | None:
        return atomic_write(self.path, self.text(), mode=mode)


class HaCf(LineFile):
    """ha.cf: ``directive value`` lines; nodes and media may repeat."""

    def get(self, name: str) -> tuple[str, ...] | None:
        found = [d for d in self.directives() if d.name == name]
        return found[-1].args if found else None

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.directives() if d.name == name]

    def set(self, name: str, value: str) -> None:
        """Change the (last) line of *name*, or append one."""
        found = self.all(name)
        if found:
            self._rewrite(found[-1].lineno, value)
        else:
            self._append(f"{name} {value}")

    def add(self, name: str, value: str) -> None:
        """Another line of a repeating directive (node, ucast, ...), after the last of its kind."""
        found = self.all(name)
        if not found:
            self._append(f"{name} {value}")
            return
        at = found[-1].lineno
        if not self.lines[at - 1].endswith("\n"):
            self.lines[at - 1] += "\n"
        self.lines.insert(at, f"{name} {value}\n")

    def remove(self, name: str, args: tuple[str, ...]) -> None:
        for d in self.all(name):
            if d.args == args:
                del self.lines[d.lineno - 1]
                return
        raise KeyError(f"{name} {' '.join(args)}")

    @property
    def nodes(self) -> list[str]:
        return [n for d in self.all("node") for n in d.args]


@dataclass(frozen=True)
class ResourceGroup:
    node: str
    resources: tuple[str, ...]
    lineno: int


class HaResources(LineFile):
    """haresources: ``node resource...``, lines continued with a backslash."""

    def groups(self) -> list[ResourceGroup]:
        out, words, start = [], [], None
        for i, line in enumerate(self.lines):
            body = line.split("#", 1)[0].rstrip()
            if start is None and not body.strip():
                continue
            if start is None:
                start = i + 1
            cont = body.endswith("\\")
            words += body.rstrip("\\").split()
            if not cont:
                if words:
                    out.append(ResourceGroup(words[0], tuple(words[1:]), start))
                words, start = [], None
        return out

    def replace_resource(self, old: str, new: str) -> None:
        """Replace one resource word (e.g. the VIP ``172.26.46.119/24/eth0``) where it stands."""
        pattern = re.compile(rf"(?<!\S){re.escape(old)}(?!\S)")
        for i, line in enumerate(self.lines):
            code, hash_, comment = line.partition("#")
            if pattern.search(code):
                self.lines[i] = pattern.sub(new, code, count=1) + hash_ + comment
                return
        raise KeyError(old)


class AuthKeys(LineFile):
    """authkeys: ``auth N`` and ``N method secret`` lines. Secrets are never shown."""

    def active(self) -> str | None:
        for d in self.directives():
            if d.name == "auth" and d.args:
                return d.args[0]
        return None

    def keys(self) -> dict[str, tuple[str, int]]:
        """Key index -> (method, line); the secrets are not part of the answer."""
        return {d.name: (d.args[0].lower() if d.args else "", d.lineno)
                for d in self.directives() if d.name != "auth"}

    def describe(self) -> str:
        active = self.active()
        method = self.keys().get(active, ("?", 0))[0] if active else "?"
        return f"key {active or '?'} ({method}, secret ********)"

    def set_key(self, index: str, method: str, secret: str) -> None:
        if not re.fullmatch(r"\d{1,2}", index):
            raise ValueError("the key index is a number (1-15)")
        if method not in ("sha1", "md5", "crc") or (method != "crc" and not secret.strip()):
            raise ValueError("method sha1 or md5 with a secret (crc: no security)")
        if any(c.isspace() for c in secret):
            raise ValueError("the secret must not contain spaces")
        line = f"{index} {method} {secret}".rstrip()
        existing = self.keys().get(index)
        if existing:
            end = "\n" if self.lines[existing[1] - 1].endswith("\n") else ""
            self.lines[existing[1] - 1] = line + end
        else:
            self._append(line)
        auth = next((d for d in self.directives() if d.name == "auth"), None)
        if auth is None:
            self.lines.insert(0, f"auth {index}\n")
        else:
            self._rewrite(auth.lineno, index)

    def save(self, mode: int | None = None) -> str | None:
        """Always mode 0600: heartbeat refuses a readable authkeys."""
        return super().save(mode=0o600)


@dataclass(frozen=True)
class HaConfig:
    """The three files of one directory (``/etc/ha.d``)."""

    ha_cf: HaCf
    haresources: HaResources | None
    authkeys: AuthKeys | None
    authkeys_mode: int | None

    @classmethod
    def read(cls, directory: str = "/etc/ha.d") -> HaConfig:
        def load(kind, name):
            path = os.path.join(directory, name)
            try:
                with open(path) as fh:
                    return kind(fh.read(), path)
            except FileNotFoundError:
                return None

        ha_cf = load(HaCf, "ha.cf")
        if ha_cf is None:
            path = os.path.join(directory, "ha.cf")
            raise FileNotFoundError(errno.ENOENT, "not found", path)
        keys_path = os.path.join(directory, "authkeys")
        mode = os.stat(keys_path).st_mode & 0o777 if os.path.exists(keys_path) else None
        return cls(ha_cf, load(HaResources, "haresources"), load(AuthKeys, "authkeys"), mode)


# ---------------------------------------------------------------- validation

TIMES = ("keepalive", "warntime", "deadtime", "initdead")
MEDIA = ("ucast", "bcast", "mcast", "serial")
KNOWN = {*TIMES, *MEDIA, "node", "udpport", "auto_failback", "logfacility", "logfile",
         "debugfile", "use_logd", "crm", "compression", "compression_threshold",
         "traditional_compression", "ping", "ping_group", "respawn", "apiauth", "baud",
         "hopfudge", "realtime", "debug", "coredumps", "autojoin", "uuidfrom", "msgfmt",
         "conn_logd_time", "max_rexmit_delay", "stonith", "stonith_host", "watchdog",
         "deadping", "pacemaker", "hbgenmethod", "logdaemon", "rtprio", "nice_failback"}


def parse_time(text: str) -> int | None:
    """Heartbeat's times: seconds (``2``, ``2.5``) or milliseconds (``500ms``) -> ms."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)?", text)
    if not m:
        return None
    value = float(m[1])
    return int(value if m[2] == "ms" else value * 1000)


def check(config: HaConfig, hostname: str) -> list[Finding]:
    """What heartbeat would refuse (errors) or what is unwise (warnings), with file:line."""
    out: list[Finding] = []
    cf = config.ha_cf
    err = lambda f, line, msg: out.append(Finding(f.path, line, "error", msg))      # noqa: E731
    warn = lambda f, line, msg: out.append(Finding(f.path, line, "warning", msg))   # noqa: E731

    directives = cf.directives()
    media_seen = False
    for d in directives:
        if d.name not in KNOWN:
            warn(cf, d.lineno, f"unknown directive {d.name!r} (kept as it is)")
        elif d.name in MEDIA:
            media_seen = True
            _check_media(cf, d, err)
        elif d.name == "udpport":
            if len(d.args) != 1 or not d.args[0].isdigit() or not 1 <= int(d.args[0]) <= 65535:
                err(cf, d.lineno, "udpport needs a port number 1-65535")
            elif media_seen:
                warn(cf, d.lineno, "udpport after a media line: it applies only to the media "
                                   "lines that follow it")
        elif d.name == "auto_failback" and (len(d.args) != 1 or d.args[0].lower() not in
                                            ("on", "off", "legacy")):
            err(cf, d.lineno, "auto_failback must be on, off or legacy")
    if not media_seen:
        err(cf, 1, "no communication media (ucast, bcast, mcast or serial): the nodes cannot "
                   "hear each other")

    nodes = cf.nodes
    if not nodes:
        err(cf, 1, "no node lines: list both directors with their uname -n names")
    elif hostname not in nodes:
        line = cf.all("node")[0].lineno
        err(cf, line, f"this host ({hostname}) is not among the nodes {', '.join(nodes)}: node "
                      "names must equal uname -n")

    times = {}
    for name in TIMES:
        found = cf.all(name)
        if found:
            d = found[-1]
            value = parse_time(d.args[0]) if len(d.args) == 1 else None
            if value is None or value <= 0:
                err(cf, d.lineno, f"{name} needs a time: seconds (2) or milliseconds (500ms)")
            else:
                times[name] = (value, d.lineno)
    _check_times(cf, times, err, warn)

    if config.haresources is not None:
        _check_resources(config.haresources, nodes, err, warn)
    if config.authkeys is None:
        err(cf, 1, "authkeys is missing next to ha.cf")
    else:
        _check_authkeys(config.authkeys, config.authkeys_mode, err, warn)
    return out


def _check_media(cf, d: Directive, err) -> None:
    a = d.args
    if d.name == "ucast":
        if len(a) != 2 or not _is_ip(a[1]):
            err(cf, d.lineno, "ucast needs an interface and the peer's IP address: ucast eth1 "
                              "192.168.0.2")
    elif d.name == "bcast":
        if not a:
            err(cf, d.lineno, "bcast needs at least one interface")
    elif d.name == "mcast":
        ok = (len(a) == 5 and _is_ip(a[1]) and ipaddress.ip_address(a[1]).is_multicast
              and a[2].isdigit() and 1 <= int(a[2]) <= 65535 and a[3].isdigit()
              and 1 <= int(a[3]) <= 255 and a[4] in ("0", "1"))
        if not ok:
            err(cf, d.lineno, "mcast needs: interface, multicast group, port, ttl (1-255), "
                              "loop (0|1), e.g. mcast eth1 225.0.0.1 694 1 0")
    elif d.name == "serial":
        if not a or not all(x.startswith("/dev/") for x in a):
            err(cf, d.lineno, "serial needs device paths such as /dev/ttyS0")


def _check_times(cf, times: dict, err, warn) -> None:
    def at(name):
        return times[name][1]

    order = [n for n in TIMES if n in times]
    for earlier, later in zip(order, order[1:]):
        a, b = times[earlier][0], times[later][0]
        must_be_less = (earlier, later) != ("warntime", "deadtime")
        if (a >= b) if must_be_less else (a > b):
            rel = "less than" if must_be_less else "at most"
            err(cf, at(later), f"{earlier} ({a} ms) must be {rel} {later} ({b} ms)")
    if "keepalive" in times and "deadtime" in times and \
            times["deadtime"][0] < 2 * times["keepalive"][0]:
        warn(cf, at("deadtime"), "deadtime should be at least twice keepalive")
    if "deadtime" in times and "initdead" in times and \
            times["initdead"][0] < 2 * times["deadtime"][0]:
        warn(cf, at("initdead"), "initdead should be at least twice deadtime (network start-up)")


IP_RESOURCE = re.compile(r"^(?:(IPaddr2?)::)?(\d[\d.]*|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)(/.*)?$")


def _check_resources(res: HaResources, nodes: list[str], err, warn) -> None:
    groups = res.groups()
    if not groups:
        warn(res, 1, "no resource group: heartbeat would manage nothing")
    for g in groups:
        if nodes and g.node not in nodes:
            err(res, g.lineno, f"node {g.node!r} is not a node of ha.cf ({', '.join(nodes)})")
        if not g.resources:
            err(res, g.lineno, f"node {g.node} has no resources")
        for r in g.resources:
            m = IP_RESOURCE.match(r)
            if m and not _is_ip(m[2]):
                err(res, g.lineno, f"resource {r!r}: {m[2]} is not an IP address")
            elif m and m[3]:
                prefix = m[3].lstrip("/").split("/")[0]
                top = 32 if ipaddress.ip_address(m[2]).version == 4 else 128
                if prefix and (not prefix.isdigit() or not 0 <= int(prefix) <= top):
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
    for index, (method, line) in table.items():
        if index in secretless and method in ("sha1", "md5"):
            err(keys, line, f"key {index} ({method}) has no secret")
        if not index.isdigit():
            err(keys, line, f"{index!r} is not a key index")
        elif method not in ("sha1", "md5", "crc"):
            err(keys, line, f"key {index}: unknown method {method!r} (sha1, md5 or crc)")
        elif method == "crc":
            warn(keys, line, f"key {index} uses crc: no security, anyone on the link can "
                             "forge heartbeats")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
