"""keepalived's checkers as the console's health source, where keepalived checks the real
servers of its own virtual servers: each verdict of its data dump (``checkers.py``) as one
``ServerHealth``, asked at most every *every* seconds (each ask is a SIGUSR1 and a file
keepalived writes), the last answer kept and said stale when keepalived stops answering.

A failed server keepalived keeps at weight 0 (``inhibit_on_failure``) is quiesced by a check,
exactly as lvstui's own monitor quiesces one: its configured weight is the intent, so the pair
never copies the 0 and never calls it drift. One it took out of the table is ``removed``."""

from __future__ import annotations

import time

from ..model import ValidationError, parse_server, parse_service
from .state import HealthState, ServerHealth

ASK_EVERY = 5.0           # seconds between two asks (the console reads every second)


class KeepalivedChecks:
    """The health source of a console or command on a keepalived director."""

    def __init__(self, keepalived, every: float = ASK_EVERY, clock=time.time,
                 monotonic=time.monotonic):
        self.keepalived, self.every = keepalived, every
        self.clock, self.monotonic = clock, monotonic
        self._asked: float | None = None
        self._state: HealthState | None = None
        self._since: dict = {}            # (service key, server key) -> (alive, since)
        self.error = ""

    def read(self) -> HealthState | None:
        """keepalived's verdicts (asked again once *every* seconds passed), or None before
        it ever answered."""
        now = self.monotonic()
        if self._asked is None or now - self._asked >= self.every:
            self._asked = now
            self._ask()
        return self._state

    def _ask(self) -> None:
        answer = self.keepalived.checkers()
        self.error = answer.error
        pid = answer.pid or 0
        if not answer.fresh and not answer.verdicts and self._state is not None:
            self._state = HealthState(False, pid, self._state.updated, self._state.source,
                                      self._state.servers)
            return
        if answer.age is None:
            return
        updated = self.clock() - answer.age
        servers = {}
        for verdict in answer.verdicts:
            key = _key(verdict)
            if key is not None:
                servers[key] = self._health(key, verdict, updated)
        self._state = HealthState(answer.running and answer.fresh, pid, updated,
                                  "keepalived's checkers", servers)

    def _health(self, key: tuple, verdict, updated: float) -> ServerHealth:
        alive, since = self._since.get(key, (None, updated))
        if alive is not verdict.alive:
            since = updated
        self._since[key] = (verdict.alive, since)
        failing = f"{verdict.failed} of its checkers failing" if verdict.failed else ""
        return ServerHealth(
            verdict.alive, since, updated, None,
            "alive" if verdict.alive else failing or "failed", failing,
            verdict.failed, 0, verdict.weight, False, False, not verdict.in_table,
            ", ".join(verdict.methods) or "none (keepalived: always alive)",
            verdict.delay_loop, 1, 1, "quiesce" if verdict.inhibit else "remove")

    def describe(self, state: HealthState | None) -> str:
        """Where the health comes from, for the console's status line."""
        if state is None:
            return f"keepalived's checkers: no answer ({self.error or 'not asked yet'})"
        if state.running:
            return f"keepalived's checkers (pid {state.pid})"
        return f"keepalived's checkers: STALE ({self.error}; last answer shown)"

    def close(self) -> None:
        pass


def _key(verdict) -> tuple | None:
    """(service key, server key) of a verdict; None for what lvstui's table cannot name (a
    virtual_server_group's servers are the group's, not one service's)."""
    try:
        svc = parse_service(verdict.service)
        return svc.key, parse_server(verdict.server, svc).key
    except ValidationError:
        return None
