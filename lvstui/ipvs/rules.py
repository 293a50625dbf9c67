"""ipvsadm's rule format (``-S`` / ``-R``): the table written as ``ipvsadm -Sn`` writes it,
a rules file read back into the table it describes, and a large file compared with the live
table line by line."""

from __future__ import annotations

import re
import shlex
import socket
from dataclasses import dataclass, field, replace

from ..model import (DEFAULT_PERSISTENCE, DEFAULT_SCHEDULER, MAX_INT, Forwarding, RealServer,
                     ValidationError, VirtualService, format_endpoint, parse_int, parse_netmask,
                     parse_port, parse_server, parse_service, parse_weight, split_endpoint)
from .backend import IPVSError, gc_paused
from .operations import Operation, diff
from .order import sorted_servers, sorted_services
from .switches import FWD_SWITCH, server_options, service_options, service_spec


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
