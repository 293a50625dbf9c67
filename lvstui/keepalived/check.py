"""keepalived.conf checked as ``keepalived -t`` (2.2.7) checks it: an error is exactly what makes
it refuse the file — its reader's problems, an unknown keyword, and the values of the blocks an
LVS director uses (vrrp_instance, virtual_server, real_server and its checkers), worded as
keepalived words them. 2.2.7 refuses some things it calls warnings (a truncated auth_pass, a
virtual server left without a scheduler, forwarding method or protocol): errors here too."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ..findings import Finding
from .conf import Block, KaConfig, Line

SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed",
              "nq", "twos")
METHODS = ("NAT", "DR", "TUN")
WEIGHT_LIMIT = 2**31 - 1
SCRIPT_KEYWORDS = ("misc_path", "notify_master", "notify_backup", "notify_fault", "notify_stop",
                   "notify", "notify_up", "notify_down", "script")


@dataclass(frozen=True)
class HostFacts:
    """What keepalived looks up on this host: its interfaces (name -> is a loopback)."""

    interfaces: dict[str, bool]


class Checker:
    """The findings for one read configuration."""

    def __init__(self, config: KaConfig, facts: HostFacts):
        self.config, self.facts = config, facts
        self.findings: list[Finding] = [
            Finding(p.line.path or config.path, p.line.number, p.level, p.message)
            for p in config.problems]

    def error(self, line: Line, message: str, level: str = "error") -> None:
        self.findings.append(Finding(line.path, line.number, level, message))

    def run(self) -> list[Finding]:
        blocks = self.config.blocks
        for block in blocks:
            check = {"vrrp_instance": self.vrrp_instance, "virtual_server": self.virtual_server,
                     "global_defs": self.global_defs}.get(block.keyword)
            if check:
                check(block)
        self.script_security(blocks)
        return self.findings

    # ------------------------------------------------------------ values
    def argument(self, block: Block) -> str | None:
        if len(block.line.words) < 2:
            self.error(block.line, f"*** Configuration line starting `{block.keyword}` is "
                                   f"missing a parameter after keyword `{block.keyword}` at "
                                   "word position 2")
            return None
        return block.args[0]

    def unsigned(self, block: Block, low: int, high: int, why: str | None = None) -> int | None:
        text = self.argument(block)
        if text is None:
            return None
        problem = _unsigned(text, low, high)
        if problem:
            self.error(block.line, problem)
            if why:
                self.error(block.line, why.format(text))
            return None
        return int(text)

    def decimal(self, block: Block, low: float, high: float, why: str) -> float | None:
        text = self.argument(block)
        if text is None:
            return None
        problem = _decimal(text, low, high)
        if problem:
            self.error(block.line, problem)
            self.error(block.line, why.format(text))
            return None
        return float(text)

    def one_of(self, block: Block, allowed, why: str, fold: bool = False) -> str | None:
        text = self.argument(block)
        if text is not None and (text.upper() if fold else text) not in allowed:
            self.error(block.line, why.format(text))
            return None
        return text

    # ------------------------------------------------------------ blocks
    def global_defs(self, block: Block) -> None:
        for router_id in block.find("router_id"):
            if not router_id.args:
                self.error(router_id.line, "routerid name missing - ignoring")

    def vrrp_instance(self, block: Block) -> None:
        name = block.args[0] if block.args else ""
        if not name:
            self.error(block.line, "vrrp_instance must have a name")
        three = any(v.args[:1] == ("3",) for v in block.find("version"))
        for kw in block.children:
            if kw.keyword == "state":
                self.one_of(kw, ("MASTER", "BACKUP"),
                            f"({name}) unknown state '{{}}', defaulting to BACKUP")
            elif kw.keyword == "virtual_router_id":
                self.unsigned(kw, 1, 255, f"({name}): VRID '{{}}' not valid - must be "
                                          "between 1 & 255")
            elif kw.keyword == "priority":
                self.unsigned(kw, 1, 255, f"({name}) Priority not valid! must be between 1 & "
                                          "255. Using default 100")
            elif kw.keyword == "advert_int":
                seconds = self.decimal(kw, 0.01, 255, f"({name}) Advert interval ({{}}) not "
                                                      "valid! Must be > 0 - ignoring")
                if seconds is not None and not three and seconds != int(seconds):
                    self.error(kw.line, f"({name}) VRRPv2 advertisement interval "
                                        f"{seconds:f}s must be an integer. rounding")
            elif kw.keyword == "interface":
                self.interface(kw, name)
            elif kw.keyword == "authentication":
                self.authentication(kw, name)
        ids = [b for b in block.find("virtual_router_id")
               if b.args and not _unsigned(b.args[0], 1, 255)]
        if not ids:
            self.error(block.line, f"({name}) the virtual router id must be set")
        vips = [v for b in block.find("virtual_ipaddress") for v in b.values]
        good = [v for v in vips if self.vip(v)]
        if not good:
            self.error(block.line, f"({name}) No VIP specified; at least one is sensible")
        self.authentication_fits(block, name, three or any(":" in v.words[0] for v in good))

    def authentication_fits(self, block: Block, name: str, three: bool) -> None:
        """VRRPv3 (asked for, or an IPv6 VIP) has no authentication; AH none as MASTER (but
        the VIPs' owner, at priority 255)."""
        for auth in block.find("authentication"):
            if three:
                self.error(auth.line, f"({name}) VRRP version 3 does not support "
                                      "authentication. Ignoring.")
            master = any(s.args[:1] == ("MASTER",) for s in block.find("state"))
            owner = block.value("priority") == "255"     # vrrp.c: an owner may start as one
            if master and not owner and any(t.args[:1] == ("AH",)
                                            for t in auth.find("auth_type")):
                self.error(auth.line, f"({name}) Initial state master is incompatible with AH "
                                      "authentication - clearing")

    def interface(self, block: Block, name: str) -> None:
        ifname = self.argument(block)
        if ifname and ifname not in self.facts.interfaces:
            self.error(block.line, f"WARNING - interface {ifname} for vrrp_instance {name} "
                                   "doesn't exist")
        elif ifname and self.facts.interfaces[ifname]:
            self.error(block.line, f"({name}) cannot use a loopback interface ({ifname}) for "
                                   "vrrp - ignoring")

    def authentication(self, block: Block, name: str) -> None:
        for kw in block.children:
            if kw.keyword == "auth_type":
                self.one_of(kw, ("PASS", "AH"), f"({name}) unknown authentication type '{{}}'")
            elif kw.keyword == "auth_pass":
                secret = self.argument(kw)
                if secret is not None and len(secret) > 8:
                    self.error(kw.line, "Truncating auth_pass to 8 characters")

    def vip(self, value: Line) -> bool:
        """One line of virtual_ipaddress: ADDRESS[/PREFIX] [options]; said when invalid."""
        text = value.words[0]
        address, _, prefix = text.partition("/")
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            self.error(value, f"VRRP parsed invalid IP {text}. skipping IP...")
            return False
        if prefix:
            top = 32 if ip.version == 4 else 128
            problem = _unsigned(prefix, 0, top)
            if problem:
                self.error(value, problem)
                self.error(value, f"Invalid address prefix len {prefix} for address {text} - "
                                  f"using {top}")
        return True

    def virtual_server(self, block: Block) -> None:
        args = block.args
        fwmark = args[:1] == ("fwmark",)
        if fwmark or args[:1] == ("group",):
            if len(args) < 2:
                self.argument(block)
        elif not self.endpoint(block.line, args, 1, "virtual server IP address/port"):
            return
        name = " ".join(args)
        seen = {kw.keyword for kw in block.children}
        quorum, weights = 1, 0
        for kw in block.children:
            if kw.keyword in ("lb_algo", "lvs_sched"):
                self.one_of(kw, SCHEDULERS, "Invalid lvs_scheduler '{}' - ignoring")
            elif kw.keyword in ("lb_kind", "lvs_method"):
                self.one_of(kw, METHODS, "PARSER : unknown [{}] routing method for virtual "
                                         "server.")
            elif kw.keyword == "protocol":
                self.one_of(kw, ("TCP", "UDP", "SCTP"), "Unknown protocol {} - ignoring",
                            fold=True)
            elif kw.keyword == "delay_loop":
                self.decimal(kw, 0.000001, 18446744073709.551614,
                             "virtual server delay loop '{}' invalid - ignoring")
            elif kw.keyword == "persistence_timeout":
                self.unsigned(kw, 1, 86400 * 31, "persistence_timeout invalid")
            elif kw.keyword == "quorum":
                quorum = self.unsigned(kw, 1, 2**32 - 1, "Quorum {} must be in [1, "
                                                         "4294967295]. Setting to 1.") or 1
            elif kw.keyword == "real_server":
                weights += self.real_server(kw)
                if fwmark and len(kw.args) > 1 and kw.args[1] != "0":
                    self.error(kw.line, f"WARNING - fwmark virtual server FWM {args[1]}, real "
                                        f"server {kw.args[0]} has port specified - clearing")
        if not seen & {"lb_algo", "lvs_sched"}:
            self.error(block.line, f"Virtual server {name}: no scheduler set, setting default "
                                   "'wlc'")
        if not seen & {"lb_kind", "lvs_method"}:
            self.error(block.line, f"Virtual server {name}: no forwarding method set, setting "
                                   "default NAT")
        if fwmark and "protocol" in seen:
            self.error(block.line, f"Virtual server FWM {args[1] if len(args) > 1 else ''}: "
                                   "protocol specified for fwmark - protocol will be ignored")
        elif not fwmark and "protocol" not in seen and args[:1] != ("group",):
            self.error(block.line, f"Virtual server {name}: no protocol set - defaulting to "
                                   "UDP")
        if "real_server" not in seen:
            self.error(block.line, f"Virtual server {name} has no real servers - ignoring")
        elif quorum > weights:                 # check_data.c: it could never come up
            self.error(block.line, f"Warning - quorum {quorum} for {name} exceeds total weight "
                                   f"of real servers {weights}, reducing quorum to {weights}")

    def real_server(self, block: Block) -> int:
        """Its findings; its weight as keepalived counts it towards the quorum (1 where it
        sets none or a bad one, 0 where the server is not read at all)."""
        if not self.endpoint(block.line, block.args, 0, "real server ip address/port"):
            return 0
        weight = 1
        for kw in block.children:
            if kw.keyword == "weight":
                got = self.unsigned(kw, 0, WEIGHT_LIMIT, "Real server weight {} is outside "
                                                         f"range 0-{WEIGHT_LIMIT}")
                weight = weight if got is None else got
            elif kw.keyword in ("HTTP_GET", "SSL_GET"):
                self.http_check(kw)
            elif kw.keyword == "MISC_CHECK" and not kw.find("misc_path"):
                self.error(kw.line, "No script path has been specified for MISC_CHECKER - "
                                    "skipping")
            elif kw.keyword == "FILE_CHECK":
                self.file_check(kw)
            self.connect_timeout(kw)
        return weight

    def file_check(self, block: Block) -> None:
        """A FILE_CHECK follows a track_file declared at the top of the file."""
        declared = {b.args[0] for b in self.config.blocks
                    if b.keyword in ("track_file", "vrrp_track_file") and b.args}
        tracked = [t for t in block.find("track_file") if t.args and t.args[0] in declared]
        for t in block.find("track_file"):
            if t.args and t.args[0] not in declared:
                self.error(t.line, f"track_file {t.args[0]} not found")
        if not tracked:
            self.error(block.line, "FILE_CHECK has no track_file specified - ignoring")

    def http_check(self, block: Block) -> None:
        """Its urls (2.2.7's -t crashes on one without: exit 139, a refusal all the same)."""
        urls = [u for u in block.find("url") if u.find("path")]
        for url in block.find("url"):
            if not url.find("path"):
                self.error(url.line, "HTTP/SSL_GET checker url has no path - ignoring")
        if not urls:
            self.error(block.line, "HTTP/SSL_GET checker has no urls specified - ignoring")
        for url in block.find("url"):
            for code in url.find("status_code"):
                for text in code.args:
                    if _unsigned(text, 100, 599):
                        self.error(code.line, f"Invalid {block.keyword} status code '{text}'")

    def connect_timeout(self, block: Block) -> None:
        for kw in block.find("connect_timeout"):
            self.decimal(kw, 0.000001, 4294.967295, "connect_timeout {} invalid - ignoring")

    def endpoint(self, line: Line, args: tuple, low_port: int, what: str) -> bool:
        """``ADDRESS PORT`` of a virtual or real server; said when invalid."""
        if len(args) < 2:
            self.error(line, f"Invalid {what} {'/'.join(args)} - skipping")
            return False
        address, port = args[0], args[1]
        bad_port = _unsigned(port, low_port, 65535)
        try:
            ipaddress.ip_address(address)
        except ValueError:
            bad_port = bad_port or "address"
        if bad_port:
            if bad_port != "address":
                self.error(line, bad_port)
            self.error(line, f"Invalid {what} {address}/{port} - skipping")
            return False
        return True

    def script_security(self, blocks: list[Block]) -> None:
        """A script run by keepalived (a MISC_CHECK, a notify) needs script security on."""
        secure = any(kw.keyword == "enable_script_security"
                     for b in blocks if b.keyword == "global_defs" for kw in b.children)
        scripts = [b for b in _walk(blocks) if b.keyword in SCRIPT_KEYWORDS and b.args]
        if scripts and not secure:
            self.error(scripts[0].line, "SECURITY VIOLATION - check scripts are being executed "
                                        "but script_security not enabled.")


def _walk(blocks: list[Block]):
    for block in blocks:
        yield block
        yield from _walk(block.children)


def _unsigned(text: str, low: int, high: int) -> str | None:
    """keepalived's read_unsigned: None when *text* is a whole number in [low, high]."""
    if text.startswith("-") and text[1:].isdigit():
        return f"negative number '{text}'"
    if not re.fullmatch(r"\+?\d+", text):
        return f"invalid number '{text}'"
    if not low <= int(text) <= high:
        return f"number '{text}' outside range [{low}, {high}]"
    return None


def _decimal(text: str, low: float, high: float) -> str | None:
    if not re.fullmatch(r"\+?(\d+(\.\d*)?|\.\d+)", text):
        return f"invalid number '{text}'"
    if not low <= float(text) <= high:
        return f"number '{text}' outside range [{low:f}, {high:f}]"
    return None


def check(config: KaConfig, facts: HostFacts) -> list[Finding]:
    return Checker(config, facts).run()
