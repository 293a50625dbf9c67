"""Where the console gets health from: the state ``lvstui monitor`` publishes, or a monitor
the console runs itself (in its own thread and event loop, never blocking the UI)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading

from ..model import ValidationError
from .config import load
from .engine import Monitor
from .state import HealthState, quiesced_by, read_state, snapshot


class ConfigError(ValidationError):
    """The health-check file has errors (one finding per line)."""


class PublishedHealth:
    """The state file of a separate ``lvstui monitor``; re-read only when it changed."""

    def __init__(self, path: str):
        self.path = path
        self._seen: tuple | None = None
        self._state: HealthState | None = None

    def read(self) -> HealthState | None:
        try:
            st = os.stat(self.path)
        except OSError:
            self._seen, self._state = None, None
            return None
        if (st.st_mtime_ns, st.st_ino) != self._seen:
            self._seen, self._state = (st.st_mtime_ns, st.st_ino), read_state(self.path)
        return self._state

    def close(self) -> None:
        pass

    @staticmethod
    def describe(state: HealthState | None) -> str:
        """Where the health comes from, for the console's status line."""
        if state is None:
            return "no lvstui monitor"
        return (f"lvstui monitor (pid {state.pid})" if state.running
                else "lvstui monitor NOT RUNNING (last state shown)")


class LocalMonitor:
    """A ``Monitor`` run by the console, for when no ``lvstui monitor`` runs. Its state is
    taken on the monitor's own loop when the console asks, once per console poll."""

    def __init__(self, monitor: Monitor, source: str):
        self.monitor, self.source = monitor, source
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lvstui-health", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _run(self) -> None:
        async def main():
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await self.monitor.run(self._stop)
        asyncio.run(main())

    def describe(self, state: HealthState | None) -> str:
        """Where the health comes from, for the console's status line."""
        return self.source

    async def _snapshot(self) -> HealthState:
        return snapshot(self.monitor, self.source)

    def read(self) -> HealthState | None:
        """Called from the console's poll thread, never from the monitor's loop."""
        if self._loop is None or not self._loop.is_running():
            return None
        try:
            return asyncio.run_coroutine_threadsafe(self._snapshot(), self._loop).result(5)
        except (concurrent.futures.TimeoutError, RuntimeError):
            return None

    def close(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def open_health(backend, config_path: str | None, ldirectord: bool, state_path: str,
                record, keepalived: dict | None = None, checkers=None):
    """The running monitor's state; or, given a config and no running monitor, checks run by
    the console; or, with neither, keepalived's checkers where its keepalived.conf declares
    virtual servers (*keepalived*: those services; *checkers*: that keepalived). A config
    with errors raises ``ConfigError`` (its findings, file:line), and so does one naming a
    service keepalived checks."""
    from ..keepalived.services import clashes
    published = PublishedHealth(state_path)
    state = published.read()
    if state is not None and state.running:
        return published
    if config_path is None:
        if keepalived and checkers is not None:
            from .keepalived import KeepalivedChecks
            return KeepalivedChecks(checkers)
        return published
    config = load(config_path, ldirectord)
    if config.errors:
        raise ConfigError("\n".join(map(str, config.errors)))
    refused = clashes([svc for svc, _ in config.services], keepalived or {})
    if refused:
        raise ConfigError("\n".join(refused))
    monitor = Monitor(backend, config.services, log=lambda message: None, record=record)
    monitor.prepare(quiesced_by(state))
    return LocalMonitor(monitor, f"checked by this console ({config_path})")
