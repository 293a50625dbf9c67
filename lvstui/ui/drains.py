"""Drain until zero: after a drain, the server's active connections are watched on every read
until none is left, and the log says when."""

from __future__ import annotations

from ..ipvs.operations import Kind


class DrainWatch:
    """(service key, server key) -> (what to call it, when it was drained)."""

    def __init__(self, clock):
        self.clock = clock
        self.watched: dict[tuple, tuple[str, float]] = {}

    def started(self, ops) -> None:
        """Note the servers *ops* (an applied change) drained."""
        for op in ops:
            if (op.kind is Kind.EDIT_SERVER and op.server.weight == 0 and op.before is not None
                    and op.before.weight > 0):
                self.watched[(op.service.key, op.server.key)] = (
                    f"{op.server.endpoint} of {op.service.name}", self.clock())

    def check(self, services) -> list[str]:
        """Log lines for the watched servers with no active connection left (or gone, or
        given weight again: no longer watched)."""
        if not self.watched:
            return []
        lines = []
        by_key = {s.key: s for s in services}
        for key, (name, since) in list(self.watched.items()):
            svc = by_key.get(key[0])
            rs = next((r for r in svc.servers if r.key == key[1]), None) if svc else None
            if rs is None or rs.weight > 0:
                del self.watched[key]
            elif rs.active_conns == 0:
                del self.watched[key]
                lines.append(f"{name}: drained, no active connection left "
                             f"({self.clock() - since:.0f} s after the drain)")
        return lines
