"""The demo's last hour, recorded before the console opens so its history has something to
show: the traffic sampled every few seconds, and a small incident — a failover and back,
someone's ipvsadm changing RS1's weight, RS2 failing its check (quiesced by the monitor) and
coming back, RS1's weight put back. The table ends as it began."""

from __future__ import annotations

import os

from ..audit import AuditLog
from ..history import History, Recorder
from ..history.events import server_name
from ..ipvs.memory import MemoryBackend
from .table import REAL_SERVERS, Traffic

EVERY = 10.0          # seconds between the past's samples


def record_past(path: str, table: MemoryBackend, me: str, now: float,
                hours: float = 1.0) -> None:
    """Record *hours* of the demo cluster into *path*, ending at *now* (the monitor's changes
    audited in a log of the past's own, beside it: the operator's audit log stays clean)."""
    audit = AuditLog(os.path.join(os.path.dirname(path) or ".", "past-audit.log"))
    svc = table.services()[0]
    rs1, rs2 = (server_name(svc.key, (address, 80)) for address in REAL_SERVERS)
    states = {("failover", "heartbeat"): f"{me}: resources all",
              ("health", rs1): "up", ("health", rs2): "up"}
    clock = [now - hours * 3600]
    history = History(path, writer=True)
    recorder = Recorder(table, history, audit.path, EVERY, me, clock=lambda: clock[0],
                        observe=lambda: dict(states), audit_lag=0)   # audited before the tick
    monitor = audit.by("monitor")

    def weight(address: str, value: int, by: AuditLog | None = None) -> None:
        table.set_weight(svc, address, 80, value)
        if by is not None:
            by.record(f"ipvsadm -e -t {svc.address}:80 -r {address}:80 -g -w {value}", "ok")

    story = {
        58: lambda: states.update({("failover", "heartbeat"): f"{me}: resources none"}),
        55: lambda: states.update({("failover", "heartbeat"): f"{me}: resources all"}),
        50: lambda: weight(REAL_SERVERS[0], 2),
        40: lambda: (states.update({("health", rs2): "DOWN (HTTP 503)"}),
                     weight(REAL_SERVERS[1], 0, monitor)),
        28: lambda: (states.update({("health", rs2): "up"}), weight(REAL_SERVERS[1], 1, monitor)),
        10: lambda: weight(REAL_SERVERS[0], 1),
    }
    traffic = Traffic(table, seed=7)
    try:
        while clock[0] < now:
            minutes_ago = int((now - clock[0]) // 60)
            step = story.pop(minutes_ago, None) if minutes_ago in story else None
            if step is not None:
                step()
            traffic.tick(EVERY)
            recorder.tick()
            clock[0] += EVERY
    finally:
        history.close()
