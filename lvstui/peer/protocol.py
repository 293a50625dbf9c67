"""The agent's protocol, version 1: JSON lines over the agent's stdin and stdout.

The agent speaks first: ``{"agent": "lvstui", "protocol": 1, "version", "host", "user",
"writable"}``. Each request is ``{"id": N, "op": NAME, ...}`` and gets one reply ``{"id": N,
"ok": true, ...}`` or ``{"id": N, "ok": false, "error": ONE LINE, "kind": NAME}``. Operations:

=============  =================================================  ==========================
op             request                                            reply
=============  =================================================  ==========================
services       --                                                 services: [service]
table          --                                                 changed: [row], removed:
                                                                  [key] (see table_row)
find           service                                            service
state          --                                                 info, timeouts, daemons,
                                                                  conns {state: count},
                                                                  health, heartbeat,
                                                                  quiesced (see
                                                                  encode_quiesced)
apply          ops: [operation], by: who asked (audited there)    commands
set-timeouts   timeouts, by                                       commands
start-daemon   daemon, by                                         commands
stop-daemon    state, by                                          commands
=============  =================================================  ==========================

Model objects travel as plain dicts (``encode_*`` / ``decode_*``); no I/O here.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from ..ipvs.operations import Kind, Operation
from ..model import Forwarding, RealServer, Stats, ValidationError, VirtualService

PROTOCOL = 1


class ProtocolError(ValidationError):
    """A reply or request that does not follow the protocol."""


def encode_server(rs: RealServer) -> dict:
    data = {f.name: getattr(rs, f.name) for f in fields(RealServer)}
    data["forwarding"] = rs.forwarding.value
    data["stats"] = asdict(rs.stats)
    return data


def decode_server(data: dict) -> RealServer:
    try:
        values = dict(data)
        values["forwarding"] = Forwarding(values["forwarding"])
        values["stats"] = Stats(**values.get("stats", {}))
        return RealServer(**values)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"a real server the peer sent is not understood: {exc}") from None


def encode_service(svc: VirtualService) -> dict:
    data = {f.name: getattr(svc, f.name) for f in fields(VirtualService)}
    data["flags"] = sorted(svc.flags)
    data["stats"] = asdict(svc.stats)
    data["servers"] = [encode_server(rs) for rs in svc.servers]
    return data


def decode_service(data: dict) -> VirtualService:
    try:
        values = dict(data)
        values["flags"] = frozenset(values.get("flags", ()))
        values["stats"] = Stats(**values.get("stats", {}))
        values["servers"] = [decode_server(rs) for rs in values.get("servers", ())]
        return VirtualService(**values)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"a service the peer sent is not understood: {exc}") from None


def encode_operation(op: Operation) -> dict:
    before = op.before
    if isinstance(before, list):
        before = [encode_service(s) for s in before]
    elif isinstance(before, VirtualService):
        before = encode_service(before)
    elif isinstance(before, RealServer):
        before = encode_server(before)
    return {"kind": op.kind.value,
            "service": encode_service(op.service) if op.service is not None else None,
            "server": encode_server(op.server) if op.server is not None else None,
            "before": before}


def decode_operation(data: dict) -> Operation:
    try:
        kind = Kind(data["kind"])
        service = decode_service(data["service"]) if data.get("service") else None
        server = decode_server(data["server"]) if data.get("server") else None
        before = data.get("before")
        if isinstance(before, list):
            before = [decode_service(s) for s in before]
        elif isinstance(before, dict):
            before = (decode_server(before) if kind in (Kind.EDIT_SERVER, Kind.DELETE_SERVER)
                      else decode_service(before))
        if service is None and kind not in (Kind.ZERO, Kind.FLUSH):
            raise ProtocolError(f"a {kind.value} needs a service")
        if server is None and kind in (Kind.ADD_SERVER, Kind.EDIT_SERVER, Kind.DELETE_SERVER):
            raise ProtocolError(f"a {kind.value} needs a real server")
        return Operation(kind, service, server, before)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError(f"an operation is not understood: {exc}") from None


def encode_plain(record) -> dict:
    """Timeouts, a sync daemon, info: their fields as they are."""
    return asdict(record)


def decode_plain(kind: type, data: dict, what: str):
    """The record *encode_plain* made of a *kind* (Timeouts, SyncDaemon, Info); *what* names
    it in the error."""
    try:
        return kind(**data)
    except TypeError as exc:
        raise ProtocolError(f"{what} not understood: {exc}") from None


def encode_quiesced(quiesced: dict) -> list:
    """The servers the peer's checks quiesced, as [service key, server key, configured
    weight] (an older agent sends none: nothing is known quiesced there)."""
    return [[list(svc), list(rs), weight] for (svc, rs), weight in quiesced.items()]


def decode_quiesced(data) -> dict:
    """*encode_quiesced*'s list back as (service key, server key) -> configured weight."""
    if data is None:
        return {}
    try:
        out = {}
        for svc, rs, weight in data:
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
                raise ValueError(f"weight {weight!r}")
            out[(tuple(svc), tuple(rs))] = weight
        return out
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"the quiesced servers are not understood: {exc}") from None


def decode_vips(vips) -> list[str] | None:
    """The state reply's held addresses (None: unread)."""
    if vips is None:
        return None
    if not isinstance(vips, list) or not all(isinstance(v, str) for v in vips):
        raise ProtocolError("the peer's addresses are not understood: a list of addresses "
                            "was expected")
    return list(vips)


# ---------------------------------------------------------------- the table, compact, as deltas
# A service travels as [key, config, servers]: key [family, protocol, address, port, fwmark],
# config [scheduler, flags, persistence, netmask, pe], each server [address, port, forwarding,
# weight, upper, lower, tunnel type, tunnel port, tunnel checksum, family, active, inactive,
# persistent]. ``table`` replies carry only the services changed since the last reply (and the
# keys of those gone): a quiet peer answers in a few bytes.

def table_row(svc: VirtualService) -> list:
    return [[svc.family, svc.protocol, svc.address, svc.port, svc.fwmark],
            [svc.scheduler, sorted(svc.flags), svc.persistence, svc.netmask, svc.pe],
            [[rs.address, rs.port, rs.forwarding.value, rs.weight, rs.upper_threshold,
              rs.lower_threshold, rs.tunnel_type, rs.tunnel_port, rs.tunnel_checksum, rs.family,
              rs.active_conns, rs.inactive_conns, rs.persistent_conns] for rs in svc.servers]]


def from_table_row(row: list) -> VirtualService:
    try:
        (family, protocol, address, port, fwmark), config, servers = row
        scheduler, flags, persistence, netmask, pe = config
        return VirtualService(
            protocol, address, port, fwmark, family, scheduler, frozenset(flags), persistence,
            netmask, pe, servers=[RealServer(a, p, Forwarding(f), w, u, lo, tt, tp, tc,
                                             active_conns=act, inactive_conns=inact,
                                             persistent_conns=pers, family=fam)
                                  for a, p, f, w, u, lo, tt, tp, tc, fam, act, inact, pers
                                  in servers])
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"a service the peer sent is not understood: {exc}") from None


class TableDelta:
    """The agent's side: what it sent last, and what changed since."""

    def __init__(self):
        self.sent: dict = {}

    def reply(self, services: list[VirtualService]) -> dict:
        rows = {}
        for svc in services:
            row = table_row(svc)
            rows[tuple(row[0])] = row
        changed = [row for key, row in rows.items() if self.sent.get(key) != row]
        removed = [list(key) for key in self.sent if key not in rows]
        self.sent = rows
        return {"changed": changed, "removed": removed}


class TableMirror:
    """The console's side: the peer's table kept from the deltas (objects made only for the
    services that changed)."""

    def __init__(self):
        self.services: dict = {}

    def apply(self, reply: dict) -> list[VirtualService]:
        try:
            for key in reply.get("removed", ()):
                self.services.pop(tuple(key), None)
            for row in reply.get("changed", ()):
                self.services[tuple(row[0])] = from_table_row(row)
        except (TypeError, IndexError) as exc:
            raise ProtocolError(f"the peer's table is not understood: {exc}") from None
        return list(self.services.values())
