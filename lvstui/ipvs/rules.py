"""ipvsadm's rule format (``-S`` / ``-R``) and the difference between two tables as operations.

A rules file describes the whole wanted table, as ``ipvsadm -S`` writes it. ``diff(live, wanted)``
turns it into the few operations that make the live table equal to it; each ``Operation`` renders
as the ipvsadm command that does the same, applies itself to a backend, and knows its inverse (for
rollback and undo).
"""

from __future__ import annotations

import re
import shlex
import socket
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cmp_to_key

from ..model import (DEFAULT_PERSISTENCE, DEFAULT_SCHEDULER, MAX_INT, SCHED_FLAGS, Forwarding,
                     RealServer, ValidationError, VirtualService, format_endpoint, format_netmask,
                     parse_int, parse_netmask, parse_port, parse_server, parse_service,
                     parse_weight, split_endpoint)
from .backend import Backend, IPVSError, gc_paused

FWD_SWITCH = {Forwarding.ROUTE: "-g", Forwarding.LOCAL: "-g", Forwarding.MASQ: "-m",
              Forwarding.TUNNEL: "-i"}
PROTO_SWITCH = {"tcp": "-t", "udp": "-u", "sctp": "--sctp-service"}
PROTO_ORDER = {"tcp": 6, "udp": 17, "sctp": 132, "fwmark": 0}


# ---------------------------------------------------------------- ipvsadm's sort order

def _signed(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _addr_words(address: str, family: int) -> tuple[int, ...]:
    if family != 6:                                  # the common case, without a loop
        return (int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big"),)
    raw = socket.inet_pton(socket.AF_INET6, address)
    return tuple(int.from_bytes(raw[i:i + 4], "big") for i in range(0, 16, 4))


def _cmp_keys(k1: tuple, k2: tuple) -> int:
    """libipvs's comparison on (prefix, address words, port) keys: it subtracts unsigned
    32-bit words and reads the result as a signed int, so 172.x sorts before 10.x."""
    if k1[0] != k2[0]:
        return -1 if k1[0] < k2[0] else 1
    for x, y in zip(k1[1], k2[1]):
        r = _signed(x - y)
        if r:
            return r
    return k1[2] - k2[2]


def _ipvsadm_sorted(items: list, keys: list[tuple]) -> list:
    """Sort as ipvsadm does; where every address word spans less than 2^31 the signed
    comparison is the natural one, so the fast key sort gives the same order."""
    natural = True
    width = max((len(k[1]) for k in keys), default=0)
    for i in range(width):
        words = [k[1][i] for k in keys if len(k[1]) > i]
        if words and max(words) - min(words) >= 1 << 31:
            natural = False
            break
    order = sorted(range(len(items)), key=keys.__getitem__) if natural else \
        sorted(range(len(items)), key=cmp_to_key(lambda a, b: _cmp_keys(keys[a], keys[b])))
    return [items[i] for i in order]


def sorted_services(services: list[VirtualService]) -> list[VirtualService]:
    keys = [((s.fwmark, s.family, PROTO_ORDER[s.protocol]),
             () if s.is_fwmark else _addr_words(s.address, s.family),
             0 if s.is_fwmark else s.port) for s in services]
    return _ipvsadm_sorted(services, keys)


def sorted_servers(servers: list[RealServer]) -> list[RealServer]:
    try:                         # IPv4 alone, the common case: the address bytes as the key
        keys = [(socket.inet_pton(socket.AF_INET, r.address), r.port) for r in servers]
    except OSError:
        keys = None
    if keys and (int.from_bytes(max(keys)[0], "big") - int.from_bytes(min(keys)[0], "big")
                 < 1 << 31):                # the signed comparison is the natural one
        return [servers[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
    keys = [((), _addr_words(r.address, r.family), r.port) for r in servers]
    return _ipvsadm_sorted(servers, keys)


# ---------------------------------------------------------------- rendering

def service_spec(svc: VirtualService) -> str:
    """``-t 172.26.46.119:80`` / ``-f 5 -6``."""
    if svc.is_fwmark:
        return f"-f {svc.fwmark}" + (" -6" if svc.family == 6 else "")
    return f"{PROTO_SWITCH[svc.protocol]} {format_endpoint(svc.address, svc.port)}"


def service_settings(svc: VirtualService) -> dict[str, str]:
    """The service's settings as ipvsadm words them, those it has only: scheduler,
    sched-flags, persistent, netmask, pe, one-packet. One table for the rules writer's switches
    and the listing's words."""
    out = {"scheduler": svc.scheduler}
    sched_flags = [f for f in SCHED_FLAGS if f in svc.flags]
    if sched_flags:
        out["sched-flags"] = ",".join(sched_flags)
    if svc.persistence:
        out["persistent"] = str(svc.persistence)
        if svc.has_netmask:
            out["netmask"] = format_netmask(svc)
    if svc.pe:
        out["pe"] = svc.pe
    if "one-packet" in svc.flags:
        out["one-packet"] = ""
    return out


SWITCHES = (("scheduler", "-s"), ("persistent", "-p"), ("netmask", "-M"), ("pe", "--pe"),
            ("one-packet", "-o"), ("sched-flags", "-b"))     # ipvsadm -S's order


def service_options(svc: VirtualService) -> str:
    settings = service_settings(svc)
    return " ".join(f"{switch} {settings[name]}".rstrip()
                    for name, switch in SWITCHES if name in settings)


def server_options(rs: RealServer, thresholds: bool = True) -> str:
    out = f"{FWD_SWITCH[rs.forwarding]} -w {rs.weight}"
    if thresholds and rs.upper_threshold:
        out += f" -x {rs.upper_threshold}"
    if thresholds and rs.lower_threshold:
        out += f" -y {rs.lower_threshold}"
    if rs.forwarding is Forwarding.TUNNEL:
        out += f" --tun-type {rs.tunnel_type}"
        if rs.tunnel_type == "gue":
            out += f" --tun-port {rs.tunnel_port}"
        if rs.tunnel_type != "ipip":
            out += f" --tun-{rs.tunnel_checksum}"
    return out


def save(services: list[VirtualService]) -> str:
    """The table in ``ipvsadm -Sn`` format (thresholds are not part of it, as in ipvsadm)."""
    return "".join(line + "\n" for line in save_lines(services))


def save_lines(services: list[VirtualService], ordered: bool = True) -> list[str]:
    """save()'s lines; unordered, in the table's own order (cheaper, for comparing sets)."""
    lines = []
    tunnel, switch = Forwarding.TUNNEL, FWD_SWITCH
    for svc in sorted_services(services) if ordered else services:
        spec = service_spec(svc)
        lines.append(service_line(svc, spec))
        lines += [f"-a {spec} -r {rs.address}:{rs.port} {switch[rs.forwarding]} -w {rs.weight}"
                  if ":" not in rs.address and rs.forwarding is not tunnel else   # the bulk
                  f"-a {spec} -r {format_endpoint(rs.address, rs.port)} "
                  f"{server_options(rs, thresholds=False)}"
                  for rs in (sorted_servers(svc.servers) if ordered else svc.servers)]
    return lines


def service_line(svc: VirtualService, spec: str | None = None) -> str:
    """The service's ``-A`` line as ``-Sn`` writes it."""
    return f"-A {spec or service_spec(svc)} {service_options(svc)}"


@gc_paused
def diff_by_lines(live: list[VirtualService], text: str) -> list[Operation] | None:
    """The operations that make *live* equal to the rules *text*, found by comparing the file's
    lines with the live table's ``-Sn`` lines and parsing only what differs: a service whose own
    line differs (or that is new or gone) whole, a real server line alone (a configuration
    tool re-applying a large file after a small edit). None when that cannot be trusted — the
    file is not in ``-Sn``'s own words, repeats a line, differs in more than a tenth, or does
    not parse on its own — and then the whole file is parsed."""
    lines = [line for line in map(str.strip, text.splitlines()) if line and line[0] != "#"]
    file_set, live_set = set(lines), set(save_lines(live, ordered=False))
    if file_set == live_set and len(file_set) == len(lines):
        return []
    file_only = [line for line in lines if line not in live_set]
    live_only = list(live_set - file_set)
    if len(file_set) != len(lines) or len(file_only) + len(live_only) > len(lines) // 10 + 10:
        return None
    by_spec = {service_spec(svc): svc for svc in live}
    wanted = _lines_to_parse(lines, file_only, live_only, by_spec)
    if wanted is None:
        return None
    whole, servers, text_wanted = wanted
    try:
        rules = parse_rules(text_wanted)
    except ValidationError:
        return None
    touched = [by_spec[spec] for spec in whole if spec in by_spec] + [
        replace(by_spec[spec], servers=_named_servers(by_spec[spec], named))
        for spec, named in servers.items()]
    untouched = {svc.key for svc in live} - {svc.key for svc in touched}
    if any(svc.key in untouched for svc in rules.services):    # another spelling of a service
        return None
    kept = {svc.key: {rs.key for rs in svc.servers} for svc in touched}
    live_by_key = {svc.key: svc for svc in live}
    if any(rs.key not in kept[svc.key] and live_by_key[svc.key].server(*rs.key) is not None
           for svc in rules.services if svc.key in kept for rs in svc.servers):
        return None                                          # another spelling of a server
    return diff(touched, rules.services, rules.keep_thresholds)


def _named_servers(svc: VirtualService, named: set) -> list[RealServer]:
    """The service's real servers whose (address, port) is in *named* (a few of many)."""
    hosts = {host for host, _ in named}
    return [rs for rs in svc.servers if rs.address in hosts and (rs.address, rs.port) in named]


def _lines_to_parse(lines: list[str], file_only: list[str], live_only: list[str],
                    by_spec: dict) -> tuple[set, dict, str] | None:
    """What diff_by_lines parses: every line of a service whose own line changed (*whole*),
    and for a service whose servers alone changed its live ``-A`` line and its changed server
    lines (*servers*: spec -> the (address, port) keys named); None for a line that belongs
    to no service."""
    changed = file_only + live_only
    specs = {_spec_of(line) for line in changed}
    if None in specs:
        return None
    whole = {_spec_of(line) for line in changed if line.startswith("-A ")}
    if any(spec not in by_spec for spec in specs - whole):   # a server of no service
        return None
    servers: dict = {spec: set() for spec in specs - whole}
    added: dict = {spec: [] for spec in servers}
    for line in changed:
        spec = _spec_of(line)
        if spec in servers:
            host, port = split_endpoint(line[line.index(" -r ") + 4:].split(" ", 1)[0])
            if port and port.isdigit():
                servers[spec].add((host, int(port)))
    for line in file_only:
        if _spec_of(line) in added:
            added[_spec_of(line)].append(line)
    wanted = [line for line in lines if whole and _spec_of(line) in whole] + [
        line for spec in servers for line in (service_line(by_spec[spec], spec), *added[spec])]
    return whole, servers, "".join(line + "\n" for line in wanted)


def _spec_of(line: str) -> str | None:
    """The service part of an ``-A`` or ``-a`` line as ``-Sn`` writes it, or None."""
    cut = " -s " if line.startswith("-A ") else " -r " if line.startswith("-a ") else None
    at = line.find(cut) if cut else -1
    return line[3:at] if at > 3 else None


# ---------------------------------------------------------------- operations

class Kind(StrEnum):
    """What an operation does (ipvsadm's switch for it in ``SWITCH``)."""

    ADD_SERVICE = "add-service"
    EDIT_SERVICE = "edit-service"
    DELETE_SERVICE = "delete-service"
    ADD_SERVER = "add-server"
    EDIT_SERVER = "edit-server"
    DELETE_SERVER = "delete-server"
    ZERO = "zero"
    FLUSH = "flush"


SWITCH = {Kind.ADD_SERVICE: "-A", Kind.EDIT_SERVICE: "-E", Kind.DELETE_SERVICE: "-D",
          Kind.ADD_SERVER: "-a", Kind.EDIT_SERVER: "-e", Kind.DELETE_SERVER: "-d",
          Kind.ZERO: "-Z", Kind.FLUSH: "-C"}
TABLE_WIDE = (Kind.ZERO, Kind.FLUSH)


@dataclass
class Operation:
    """One change, as ipvsadm would make it. *service* is None for a table-wide one (zero
    every counter, flush); *before* is the live entry an edit or delete replaces (for a
    flush: every service)."""

    kind: Kind
    service: VirtualService | None
    server: RealServer | None = None
    before: object = None

    def __post_init__(self):
        self.kind = Kind(self.kind)

    def command(self) -> str:
        switch = SWITCH[self.kind]
        if self.service is None:
            return f"ipvsadm {switch}"
        spec = service_spec(self.service)
        if self.kind in (Kind.ADD_SERVICE, Kind.EDIT_SERVICE):
            return f"ipvsadm {switch} {spec} {service_options(self.service)}"
        if self.kind in (Kind.DELETE_SERVICE, Kind.ZERO):
            return f"ipvsadm {switch} {spec}"
        rs = self.server
        target = f"ipvsadm {switch} {spec} -r {format_endpoint(rs.address, rs.port)}"
        return target if self.kind == Kind.DELETE_SERVER else f"{target} {server_options(rs)}"

    def apply(self, backend: Backend) -> None:
        {Kind.ADD_SERVICE: lambda: backend.add_service(self.service),
         Kind.EDIT_SERVICE: lambda: backend.edit_service(self.service),
         Kind.DELETE_SERVICE: lambda: backend.delete_service(self.service),
         Kind.ADD_SERVER: lambda: backend.add_server(self.service, self.server),
         Kind.EDIT_SERVER: lambda: backend.edit_server(self.service, self.server),
         Kind.DELETE_SERVER: lambda: backend.delete_server(self.service, self.server),
         Kind.ZERO: lambda: backend.zero(self.service),
         Kind.FLUSH: backend.flush,
         }[self.kind]()

    def inverse(self) -> list[Operation]:
        """The operations that undo this one (a deleted service comes back with its servers,
        a flushed table with every service; zeroed counters do not come back)."""
        svc, rs = self.service, self.server
        if self.kind == Kind.ADD_SERVICE:
            return [Operation(Kind.DELETE_SERVICE, svc)]
        if self.kind == Kind.EDIT_SERVICE:
            return [Operation(Kind.EDIT_SERVICE, self.before, before=svc)]
        if self.kind == Kind.DELETE_SERVICE:
            return _recreate(self.before or svc)
        if self.kind == Kind.FLUSH:
            return [op for old in self.before or [] for op in _recreate(old)]
        if self.kind == Kind.ADD_SERVER:
            return [Operation(Kind.DELETE_SERVER, svc, rs)]
        if self.kind == Kind.EDIT_SERVER:
            return [Operation(Kind.EDIT_SERVER, svc, self.before, before=rs)]
        if self.kind == Kind.DELETE_SERVER:
            return [Operation(Kind.ADD_SERVER, svc, self.before or rs)]
        return []


def _recreate(old: VirtualService) -> list[Operation]:
    return ([Operation(Kind.ADD_SERVICE, old.without_servers())]
            + [Operation(Kind.ADD_SERVER, old, s) for s in reversed(old.servers)])


class ApplyError(IPVSError):
    """A step failed; the steps before it were taken back."""


def apply(backend: Backend, ops: list[Operation], on_applied=None) -> None:
    """Apply *ops* in order; on a failure undo every applied one, newest first, and raise.
    *on_applied* hears the operations as the table confirms them (in batches)."""
    applied, failure = backend.apply_operations(ops, on_applied)
    if failure is None:
        return
    index, exc = failure
    failed_undo = []
    for done in reversed(applied):
        for undo in done.inverse():
            try:
                undo.apply(backend)
            except (IPVSError, ValidationError) as undo_exc:
                failed_undo.append(f"{undo.command()}: {undo_exc}")
    note = (f"; {len(applied)} other change(s) rolled back" if not failed_undo else
            f"; rollback incomplete: {'; '.join(failed_undo)}")
    raise ApplyError(f"step {index + 1} ({ops[index].command()}) failed: {exc}{note}") from exc


@gc_paused
def diff(live: list[VirtualService], wanted: list[VirtualService],
         keep_thresholds: frozenset = frozenset()) -> list[Operation]:
    """The operations that turn *live* into *wanted*, deletions first.

    *keep_thresholds* holds (service key, server key) pairs whose thresholds the wanted table did
    not state (``ipvsadm -S`` does not write them): the live values are kept for those.
    """
    live_by_key = {s.key: s for s in live}
    wanted_keys = {s.key for s in wanted}
    server_deletes, service_deletes, changes = [], [], []
    for svc in sorted_services(live):
        if svc.key not in wanted_keys:
            service_deletes.append(Operation("delete-service", svc, before=svc))
    for want in wanted:
        have = live_by_key.get(want.key)
        if have is None:
            changes.append(Operation("add-service", want.without_servers()))
            changes += [Operation("add-server", want, rs) for rs in want.servers]
            continue
        if not have.same_config(want):
            changes.append(Operation("edit-service", want.without_servers(), before=have))
        wanted_servers = {rs.key for rs in want.servers}
        for rs in sorted_servers(have.servers):
            if rs.key not in wanted_servers:
                server_deletes.append(Operation("delete-server", have, rs, before=rs))
        for rs in want.servers:
            old = have.server(*rs.key)
            if old is None:
                changes.append(Operation("add-server", want, rs))
                continue
            if (want.key, rs.key) in keep_thresholds:
                rs = replace(rs, upper_threshold=old.upper_threshold,
                             lower_threshold=old.lower_threshold)
            if not old.same_config(rs):
                changes.append(Operation("edit-server", want, rs, before=old))
    return server_deletes + service_deletes + changes


# ---------------------------------------------------------------- reading rules files

@dataclass
class Rules:
    services: list[VirtualService] = field(default_factory=list)
    keep_thresholds: frozenset = frozenset()


_OPTS_WITH_VALUE = {"-t", "--tcp-service", "-u", "--udp-service", "--sctp-service", "-f",
                    "--fwmark-service", "-s", "--scheduler", "-M", "--netmask", "--pe",
                    "-b", "--sched-flags", "-r", "--real-server", "-w", "--weight", "-x",
                    "--u-threshold", "-y", "--l-threshold", "--tun-type", "--tun-port"}
_COMMANDS = {"-A": "-A", "--add-service": "-A", "-E": "-E", "--edit-service": "-E",
             "-D": "-D", "--delete-service": "-D", "-a": "-a", "--add-server": "-a",
             "-e": "-e", "--edit-server": "-e", "-d": "-d", "--delete-server": "-d",
             "-C": "-C", "--clear": "-C"}


def _resolve(name: str) -> str:
    return socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)[0][4][0]


@gc_paused
def parse_rules(text: str, resolve=_resolve) -> Rules:
    """Read ipvsadm commands (as ``ipvsadm -S`` writes them) into the table they build.

    The commands are played on an empty in-memory table, so a file is held to the same rules as
    the kernel; errors name the line.
    """
    from .memory import MemoryBackend   # the one implementation of the table's rules

    table = MemoryBackend(interfaces=())
    keep = set()
    services: dict[tuple, VirtualService] = {}     # the key of each service text, parsed once
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            fast = SERVER_LINE.fullmatch(line)
            if fast:
                _play_server_line(table, fast, keep, resolve, services)
                continue
            words = shlex.split(line) if any(c in line for c in "'\"\\") else line.split()
            _play(table, words, keep, resolve, services)
        except (ValidationError, IPVSError, ValueError) as exc:
            raise ValidationError(f"line {lineno}: {exc}") from None
    return Rules(table.release(), frozenset(keep))


def _play(table, words: list[str], keep: set, resolve, services: dict) -> None:
    """One ipvsadm command line, played on the in-memory *table*."""
    command, opts = _read_options(words[1:] if words[:1] == ["ipvsadm"] else words)
    if command == "-C":
        table.flush()
    elif command in ("-A", "-E", "-D"):
        _play_service(table, command, _service_from(opts, resolve), opts)
    else:
        _play_server(table, command, _known_service(services, opts, resolve), opts, keep,
                     resolve)


def _known_service(services: dict, opts: dict, resolve) -> VirtualService:
    """The service a server line names, parsed once per way of writing it."""
    spec = tuple((k, opts.get(k)) for k in ("-t", "-u", "--sctp-service", "-f", "-6"))
    svc = services.get(spec)
    if svc is None:
        svc = services[spec] = _service_from(opts, resolve)
    return svc


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
SERVER_LINE = re.compile(rf"-a (-t|-u) ({_IPV4}:\d{{1,5}}) -r ({_IPV4}):(\d{{1,5}}) -([gmi]) "
                         r"-w (\d{1,5})")
"""A real-server line as ``ipvsadm -S`` writes it (IPv4, no thresholds or tunnel options): the
bulk of a large rules file, read without the general option parser."""
_FORWARDING = {"g": Forwarding.ROUTE, "m": Forwarding.MASQ, "i": Forwarding.TUNNEL}


def _play_server_line(table, m: re.Match, keep: set, resolve, services: dict) -> None:
    """A SERVER_LINE: the same checks as any other line (the table's own, the port's and
    weight's ranges), without reading it word by word."""
    option, service, address, port, forwarding, weight = m.groups()
    svc = services.get((option, service))
    if svc is None:
        svc = services[option, service] = _known_service(services, {option: service}, resolve)
    rs = RealServer(address, int(port), _FORWARDING[forwarding], int(weight))  # ranges: add's
    rs = table.add_server(svc, rs)
    keep.add((svc.key, rs.key))


FLAG_OPTIONS = ("-g", "--gatewaying", "-m", "--masquerading", "-i", "--ipip", "-o", "--ops",
                "-6", "--ipv6", "--tun-nocsum", "--tun-csum", "--tun-remcsum")


def _read_options(words: list[str]) -> tuple[str, dict[str, str | bool]]:
    """The line's command (-A, -a, ...) and its options by their short names."""
    opts: dict[str, str | bool] = {}
    command = None
    i = 0
    while i < len(words):
        w = words[i]
        if w in _COMMANDS:
            if command:
                raise ValidationError("more than one command on the line")
            command = _COMMANDS[w]
        elif w in ("-p", "--persistent"):          # the timeout is optional
            has_value = i + 1 < len(words) and words[i + 1].isascii() and words[i + 1].isdigit()
            opts["-p"] = words[i + 1] if has_value else str(DEFAULT_PERSISTENCE)
            i += has_value
        elif w in _OPTS_WITH_VALUE:
            if i + 1 >= len(words):
                raise ValidationError(f"option {w} needs a value")
            opts[_canon(w)] = words[i + 1]
            i += 1
        elif w in FLAG_OPTIONS:
            opts[_canon(w)] = True
        elif w not in ("-n", "--numeric"):
            raise ValidationError(f"unknown option {w!r}")
        i += 1
    if command is None:
        raise ValidationError("no command (-A, -E, -D, -a, -e, -d or -C)")
    return command, opts


def _play_service(table, command: str, svc: VirtualService, opts: dict) -> None:
    if command == "-D":
        table.delete_service(svc)
        return
    svc.scheduler = str(opts.get("-s", DEFAULT_SCHEDULER))
    if "-p" in opts:
        svc.persistence = parse_int("persistence timeout", opts["-p"], 1, 2**31 - 1)
        if "-M" in opts:
            svc.netmask = parse_netmask(str(opts["-M"]), svc.family)
    svc.pe = str(opts.get("--pe", ""))
    flags = set(str(opts["-b"]).split(",")) if "-b" in opts else set()
    if opts.get("-o"):
        flags.add("one-packet")
    svc.flags = frozenset(flags)
    (table.add_service if command == "-A" else table.edit_service)(svc)


def _play_server(table, command: str, svc: VirtualService, opts: dict, keep: set,
                 resolve) -> None:
    """-a, -e, -d; the key is all a server line needs of *svc*: the table checks existence.
    A line without -x/-y keeps the live thresholds (*keep*), as ipvsadm -S writes none."""
    if "-r" not in opts:
        raise ValidationError("a real server (-r) is needed")
    rs = parse_server(str(opts["-r"]), svc, resolve)
    if command == "-d":
        table.delete_server(svc, rs)
        return
    rs.forwarding = (Forwarding.MASQ if opts.get("-m") else
                     Forwarding.TUNNEL if opts.get("-i") else Forwarding.ROUTE)
    rs.weight = parse_weight(str(opts.get("-w", "1")), MAX_INT)
    thresholds = "-x" in opts or "-y" in opts
    if thresholds:
        rs.upper_threshold = parse_int("upper threshold", opts.get("-x", "0"), 0, 2**31 - 1)
        rs.lower_threshold = parse_int("lower threshold", opts.get("-y", "0"), 0, 2**31 - 1)
    if rs.forwarding is Forwarding.TUNNEL:
        rs.tunnel_type = str(opts.get("--tun-type", "ipip"))
        rs.tunnel_port = parse_port(str(opts["--tun-port"]), "udp") if "--tun-port" in opts else 0
        rs.tunnel_checksum = next((c for c in ("csum", "remcsum") if opts.get(f"--tun-{c}")),
                                  "nocsum")
    rs = (table.add_server if command == "-a" else table.edit_server)(svc, rs)
    (keep.discard if thresholds else keep.add)((svc.key, rs.key))


def _canon(option: str) -> str:
    aliases = {"--tcp-service": "-t", "--udp-service": "-u", "--fwmark-service": "-f",
               "--scheduler": "-s", "--netmask": "-M", "--sched-flags": "-b",
               "--real-server": "-r", "--weight": "-w", "--u-threshold": "-x",
               "--l-threshold": "-y", "--gatewaying": "-g", "--masquerading": "-m",
               "--ipip": "-i", "--ops": "-o", "--ipv6": "-6"}
    return aliases.get(option, option)


def _service_from(opts: dict, resolve) -> VirtualService:
    given = [k for k in ("-t", "-u", "--sctp-service", "-f") if k in opts]
    if len(given) != 1:
        raise ValidationError("exactly one of -t, -u, --sctp-service or -f is needed")
    kind = given[0]
    if kind == "-f":
        return parse_service(f"fwmark {opts['-f']}" + (" ipv6" if opts.get("-6") else ""))
    protocol = {"-t": "tcp", "-u": "udp", "--sctp-service": "sctp"}[kind]
    return parse_service(str(opts[kind]), protocol, resolve)
