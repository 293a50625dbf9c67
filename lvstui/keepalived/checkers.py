"""keepalived's verdict on each real server, from its own data dump: the checker process writes
``$TMPDIR/keepalived_check.data`` when keepalived gets SIGUSR1 (``keepalived --signum=DATA``).
Per real server: alive or not, how many of its checkers fail, the weight keepalived gives it,
and its checkers' methods. Services and servers are named as lvstui names them
(``TCP 10.9.9.9:80``, ``FWM 7``; ``10.9.9.1:80``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import format_endpoint

DATA_FILE = "keepalived_check.data"
_VIP = re.compile(r"^ VS VIP = (\S+), VPORT = (\d+)$")
_FWMARK = re.compile(r"^ VS FWMARK = (\d+)( IPv6)?$")
_GROUP = re.compile(r"^ VS GROUP = (.+)$")
_PROTOCOL = re.compile(r"^   protocol = (\w+)$")
_RIP = re.compile(r"^   RIP = (\S+), RPORT = (\d+), WEIGHT = (-?\d+) EFF WEIGHT = (-?\d+)$")
_FIELD = re.compile(r"^   (alive|num failed checkers|RS set) = (\d+)$")
_INHIBIT = re.compile(r"^   Inhibit on failure is (ON|OFF)$")
_DELAY = re.compile(r"^   Delay loop = ([0-9.]+)$")
_CHECKER = re.compile(r"^ (FWM \d+|\[[^\]]+\]:\w+:\d+) -> \[([^\]]+)\]:\w+:(\d+)$")
_METHOD = re.compile(r"^   Keepalive method = (\w+)$")


@dataclass(frozen=True)
class Verdict:
    """keepalived's word on one real server of one virtual server."""

    service: str
    server: str
    alive: bool
    failed: int                   # checkers failing now
    weight: int                   # keepalived's weight for it (in the table while alive)
    methods: tuple[str, ...] = ()
    inhibit: bool = False         # inhibit_on_failure: kept at weight 0 while failed
    in_table: bool = True         # keepalived has it in the IPVS table ("RS set")
    delay_loop: float = 0.0       # seconds between its checks

    def said(self) -> str:
        """One line for the operator."""
        how = "alive" if self.alive else "FAILED"
        checks = ", ".join(self.methods) or "no checker: always alive"
        failing = f", {self.failed} checker(s) failing" if self.failed else ""
        weight = f"weight {self.weight}" if self.alive else f"weight {self.weight} once it passes"
        return f"{self.service} -> {self.server}: {how}{failing} ({checks}), {weight}"


def parse(text: str) -> list[Verdict]:
    """The real servers of every virtual server in a checker data dump, in its order."""
    servers: dict[tuple[str, str], dict] = {}
    vs: dict = {}
    rs: dict | None = None
    methods: dict[tuple[str, str], list[str]] = {}
    checker: tuple[str, str] | None = None
    for line in text.splitlines():
        if m := _VIP.match(line):
            vs, rs = {"endpoint": format_endpoint(m[1], int(m[2]))}, None
        elif m := _FWMARK.match(line):
            vs, rs = {"name": f"FWM {m[1]}" + (m[2] or "")}, None
        elif m := _GROUP.match(line):
            vs, rs = {"name": f"group {m[1]}"}, None
        elif (m := _PROTOCOL.match(line)) and rs is None and "endpoint" in vs:
            vs["name"] = f"{m[1].upper()} {vs['endpoint']}"
        elif m := _RIP.match(line):
            rs = {"server": format_endpoint(m[1], int(m[2])), "weight": int(m[3]),
                  "service": vs.get("name", "?")}
            servers[(rs["service"], rs["server"])] = rs
        elif rs is not None and (m := _FIELD.match(line)):
            rs[m[1]] = int(m[2])
        elif rs is not None and (m := _INHIBIT.match(line)):
            rs["inhibit"] = m[1] == "ON"
        elif rs is not None and (m := _DELAY.match(line)):
            rs["delay"] = float(m[1])
        elif m := _CHECKER.match(line):
            checker = (_service_of(m[1]), format_endpoint(m[2], int(m[3])))
        elif checker and (m := _METHOD.match(line)):
            methods.setdefault(checker, []).append(m[1])
    return [Verdict(s["service"], s["server"], bool(s.get("alive", 0)),
                    s.get("num failed checkers", 0), s["weight"],
                    tuple(methods.get(key, ())), s.get("inhibit", False),
                    bool(s.get("RS set", 1)), s.get("delay", 0.0))
            for key, s in servers.items()]


def _service_of(header: str) -> str:
    """``[10.9.9.9]:tcp:80`` -> ``TCP 10.9.9.9:80``; ``FWM 7`` stays."""
    if header.startswith("FWM "):
        return header
    address, protocol, port = header[1:].rsplit("]", 1)[0], *header.rsplit(":", 2)[1:]
    return f"{protocol.upper()} {format_endpoint(address, int(port))}"
