"""A change made here, built again on the peer's own entries; the drift between the two."""

from __future__ import annotations

from dataclasses import replace

from ..ipvs.operations import Kind, Operation, diff
from ..model import VirtualService, edited


def mirrored(ops: list[Operation], peer) -> list[Operation]:
    """*ops* (made on this director's entries) as the peer must make them: an edit changes
    there only the settings it changed here, on the peer's live entry (none, when the peer
    already has them); a delete takes the peer's entry (so its undo restores the peer's own).
    NoSuchService / NoSuchServer when the peer lacks what is edited or deleted."""
    return [m for m in (_mirror(op, peer) for op in ops) if not _unchanged(m)]


def _unchanged(op: Operation) -> bool:
    if op.kind == Kind.EDIT_SERVER:
        return op.server.same_config(op.before)
    if op.kind == Kind.EDIT_SERVICE:
        return op.service.same_config(op.before)
    return False


def _mirror(op: Operation, peer) -> Operation:
    kind, svc, rs = op.kind, op.service, op.server
    if kind in (Kind.ADD_SERVICE, Kind.ADD_SERVER, Kind.ZERO):
        return Operation(kind, svc, rs)
    if kind == Kind.FLUSH:
        return Operation(kind, None, before=peer.services())
    if kind == Kind.DELETE_SERVICE:
        live = peer.find_service(svc)
        return Operation(kind, live, before=live)
    if kind == Kind.EDIT_SERVICE:
        live = peer.find_service(svc).without_servers()
        return Operation(kind, edited(op.before, svc, live), before=live)
    live = peer.find_server(svc, *rs.key)
    if kind == Kind.DELETE_SERVER:
        return Operation(kind, svc, live, before=live)
    return Operation(kind, svc, edited(op.before, rs, live), before=live)


def drift(here: list[VirtualService], there: list[VirtualService],
          quiesced_here: dict | None = None, quiesced_there: dict | None = None
          ) -> list[Operation]:
    """The operations that make the peer's table (*there*) equal to this one's (*here*):
    the operators' configuration only — never counters, never a health check's quiesce
    (*quiesced_here* / *quiesced_there*: (service key, server key) -> the configured weight of
    each server a check took to 0 on that side). Empty: the two agree."""
    return diff(intended(there, quiesced_there or {}), intended(here, quiesced_here or {}))


def intended(services: list[VirtualService], quiesced: dict) -> list[VirtualService]:
    """*services* as configured: a server a check quiesced (weight 0 in the kernel) with its
    configured weight instead — the check's effect is not the pair's to copy."""
    if not quiesced:
        return services
    out = []
    for svc in services:
        servers = [replace(rs, weight=quiesced[(svc.key, rs.key)])
                   if rs.weight == 0 and (svc.key, rs.key) in quiesced else rs
                   for rs in svc.servers]
        out.append(replace(svc, servers=servers) if servers != svc.servers else svc)
    return out


def drift_marks(ops: list[Operation]) -> tuple[set, set]:
    """(service keys, (service key, server key) pairs) the drift touches: the rows to mark."""
    services, servers = set(), set()
    for op in ops:
        if op.service is None:
            continue
        if op.server is None:
            services.add(op.service.key)
        else:
            servers.add((op.service.key, op.server.key))
            services.add(op.service.key)
    return services, servers
