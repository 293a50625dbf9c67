"""The agent's protocol, version 1: JSON lines over the agent's stdin and stdout.

The agent speaks first: ``{"agent": "lvstui", "protocol": 1, "version", "host", "user",
"writable"}``. Each request is ``{"id": N, "op": NAME, ...}`` and gets one reply ``{"id": N,
"ok": true, ...}`` or ``{"id": N, "ok": false, "error": ONE LINE, "kind": NAME}``. Operations:

=============  =================================================  ==========================
op             request                                            reply
=============  =================================================  ==========================
services       --                                                 services: [service]
find           service                                            service
state          --                                                 info, timeouts, daemons,
                                                                  conns {state: count},
                                                                  health, heartbeat
apply          ops: [operation], by: who asked (audited there)    commands
set-timeouts   timeouts, by                                       commands
start-daemon   daemon, by                                         commands
stop-daemon    state, by                                          commands
=============  =================================================  ==========================

Model objects travel as plain dicts (``encode_*`` / ``decode_*``); no I/O here.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from ..ipvs.rules import Kind, Operation
from ..model import (Forwarding, Info, RealServer, Stats, SyncDaemon, Timeouts, ValidationError,
                     VirtualService)

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


def decode_daemon(data: dict) -> SyncDaemon:
    try:
        return SyncDaemon(**data)
    except TypeError as exc:
        raise ProtocolError(f"a sync daemon is not understood: {exc}") from None


def decode_timeouts(data: dict) -> Timeouts:
    try:
        return Timeouts(**data)
    except TypeError as exc:
        raise ProtocolError(f"timeouts not understood: {exc}") from None


def decode_info(data: dict) -> Info:
    try:
        return Info(**data)
    except TypeError as exc:
        raise ProtocolError(f"info not understood: {exc}") from None
