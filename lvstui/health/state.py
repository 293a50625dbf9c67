"""The monitor's published state: one JSON file, written atomically, read by the console.

``snapshot()`` of a running ``Monitor`` and ``read_state()`` of the file give the same
``ServerHealth`` rows, so the console shows an in-process monitor and a separate
``lvstui monitor`` the same way."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass

from ..files import atomic_write
from .checks import describe
from .engine import Monitor


@dataclass(frozen=True)
class ServerHealth:
    """One real server as the monitor sees it (times are wall-clock seconds)."""

    up: bool
    since: float
    checked: float               # 0: not checked yet
    latency: float | None
    result: str                  # the last check's reason ("ok", "refused", "HTTP 503", ...)
    last_failure: str
    fails: int
    passes: int
    weight: int                  # the configured weight
    maintenance: bool
    guarded: bool
    removed: bool
    check: str                   # describe(check)
    interval: float
    fall: int
    rise: int
    action: str
    override: bool = False       # down, weight given by the operator: left in

    @property
    def why_down(self) -> str:
        """Why it is down: its last failure (its latest check may have passed already while
        it waits to rise), never "ok"."""
        return self.last_failure or self.result


@dataclass(frozen=True)
class HealthState:
    running: bool
    pid: int
    updated: float
    source: str
    servers: dict                # (service key, (address, port)) -> ServerHealth


def snapshot(monitor: Monitor, source: str, running: bool = True) -> HealthState:
    servers = {}
    for svc, policy in monitor.services:
        for key, st in monitor.health[svc.key].items():
            own = policy.of(key)
            servers[(svc.key, key)] = ServerHealth(
                st.up, st.since, st.checked, st.last.latency if st.last else None,
                st.last.reason if st.last else "not checked yet", st.last_failure, st.fails,
                st.passes, st.weight, st.maintenance, st.guarded, st.removed,
                describe(own.check), own.interval, own.fall, own.rise, policy.action,
                st.override)
    return HealthState(running, os.getpid(), time.time(), source, servers)


def quiesced_by(state: HealthState | None) -> set:
    """(service key, server key) pairs the monitor had quiesced: restored when up again."""
    if state is None:
        return set()
    return {key for key, h in state.servers.items()
            if not h.up and not h.maintenance and not h.override and h.action == "quiesce"}


def intents(state: HealthState | None) -> dict:
    """(service key, server key) -> configured weight, for each server a check has quiesced:
    its weight 0 in the kernel is the check's effect; the configured one is the intent."""
    return {key: state.servers[key].weight for key in quiesced_by(state)}


def write_state(path: str, state: HealthState) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = {"running": state.running, "pid": state.pid, "updated": state.updated,
            "source": state.source,
            "servers": [{"service": list(svc), "server": list(rs), **asdict(h)}
                        for (svc, rs), h in state.servers.items()]}
    atomic_write(path, json.dumps(data, separators=(",", ":")), mode=0o644, backup=False)


def read_state(path: str) -> HealthState | None:
    """The published state, or None when there is none (or it cannot be read). A monitor
    whose process is gone is reported as not running, whatever the file says."""
    try:
        with open(path) as fh:
            data = json.load(fh)
        servers = {(tuple(row.pop("service")), tuple(row.pop("server"))): ServerHealth(**row)
                   for row in data["servers"]}
        if type(data["pid"]) is not int or not 0 < data["pid"] < 2 ** 31:
            return None                   # no process: a file no monitor wrote
        running = bool(data["running"]) and _alive(data["pid"])
        return HealthState(running, data["pid"], data["updated"], data["source"], servers)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
