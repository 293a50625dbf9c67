"""Reads the table every few seconds and records what changed: the ipvsadm commands that turn
one read into the next, each attributed to the lvstui change that made it (from the audit log
lines written since the last read) or else to ``external`` (someone's ipvsadm, keepalived, a
script)."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time

from ..ipvs.operations import diff
from ..ipvs.rules import parse_rules, save
from ..ipvs.backend import IPVSError
from ..model import service_config
from . import DEFAULT_CAP_MB
from .events import ALARM, alarm_states
from .samples import Sampler
from .store import CHECKPOINT_EVERY, History, HistoryError, writer_lock

SEEN = "seen"                 # a state first seen: where things stood, not a change
AUDIT_LAG = 0.2       # seconds: how long after a change its audit line may come
AUDIT_LINE = re.compile(r" user=(?P<user>\S+) via=(?P<via>\S+)(?: for=(?P<asked>\S+))?.*? "
                        r"result=ok (?P<command>ipvsadm .*)$")


def target(command: str) -> tuple:
    """What an ipvsadm command acts on (its switch, service and real server), options aside."""
    words = command.split("  #")[0].split()
    return tuple(words[:words.index("-r") + 2]) if "-r" in words else tuple(words[:4])


class Recorder:
    """One recorder per database; ``tick()`` reads the table once and records a transaction."""

    def __init__(self, backend, history: History, audit_path: str | None, every: float = 1.0,
                 hostname: str | None = None, clock=time.time,
                 checkpoint_every: int = CHECKPOINT_EVERY, observe=None,
                 audit_lag: float = AUDIT_LAG):
        self.backend, self.history, self.every, self.clock = backend, history, every, clock
        self.observe = observe            # () -> {(kind, subject): state text}: events
        self.observed: dict = history.last_states()
        self.audit_lag = audit_lag
        self.sampler = Sampler()
        self.checkpoint_every = checkpoint_every
        self.audit_path, self.hostname = audit_path, hostname or os.uname().nodename
        self.audit_at = _size(audit_path)         # only what is written from now on counts
        self.span = None
        self.before = None                         # (configuration, services) of the last read

    def tick(self) -> int:
        """Read, compare, record; the number of changes recorded."""
        services = self.backend.services()
        now, config = self.clock(), configuration(services)
        changed = self.before is None or config != self.before[0]
        changes: list[tuple[str, str]] = []
        rules = None
        if self.span is None:
            self.span = self.history.begin_span(now, self.every)
            last, text = self.history.last_table(), save(services)
            if last is not None and last != text:          # changed while nobody recorded
                changes = [("external (while not recording)", op.command())
                           for op in diff(parse_rules(last).services, services)]
            rules = text if last != text else None
        elif changed:
            ops = diff(self.before[1], services)
            sources = self._lvstui_changes()
            if any(target(op.command()) not in sources for op in ops):
                time.sleep(self.audit_lag)   # lvstui audits a change just after making it
                sources.update(self._lvstui_changes())
            changes = [(sources.get(target(op.command()), "external"), op.command())
                       for op in ops]
            if self.history.changes_since_checkpoint() + len(changes) >= self.checkpoint_every:
                rules = save(services)
        self.history.record(self.span, now, rules, changes,
                            self.sampler.records(services, changed), self._events(services))
        self.before = (config, services)
        return len(changes)

    def _events(self, services) -> list[tuple[str, str, str]]:
        """(kind, subject, text) for each observed state that changed; one seen for the
        first time (the recording starts: nothing moved) is of kind SEEN, not a failover. A
        black-holed service is an ALARM however it is first seen."""
        now = alarm_states(services, self.observed)
        if self.observe is not None:
            try:
                now.update(self.observe())
            except (OSError, ValueError) as exc:
                now[("recorder", "observe")] = f"cannot read health or heartbeat: {exc}"
        events = [(key[0] if key in self.observed or key[0] == ALARM else SEEN, key[1], text)
                  for key, text in now.items() if self.observed.get(key) != text]
        self.observed.update(now)
        return events

    def _lvstui_changes(self) -> dict:
        """target -> who, for the changes lvstui made on this table since the last read."""
        if not self.audit_path:
            return {}
        try:
            with open(self.audit_path, "rb") as fh:
                fh.seek(self.audit_at)
                data = fh.read()
        except OSError:
            return {}
        self.audit_at += len(data)
        who = {}
        for line in data.decode(errors="replace").splitlines():
            m = AUDIT_LINE.search(line)
            if m is None or "  # on " in m["command"]:     # a change made on the peer
                continue
            who[target(m["command"])] = (
                "monitor" if m["via"] == "monitor" else
                f"{m['asked']} (via peer)" if m["via"] == "peer" and m["asked"] else
                f"{m['user']}@{self.hostname}")
        return who


def configuration(services) -> list:
    """What the operator sets in the table (no counters): equal for two reads with no change.
    A server's fields are taken raw (config_of without the call, on the recorder's every
    read; a tunnel field that does not matter can only make the diff run and find nothing)."""
    return [(service_config(svc), [(rs.address, rs.port, rs.forwarding, rs.weight,
                                    rs.upper_threshold, rs.lower_threshold, rs.tunnel_type,
                                    rs.tunnel_port, rs.tunnel_checksum) for rs in svc.servers])
            for svc in services]


def _size(path: str | None) -> int:
    try:
        return os.path.getsize(path) if path else 0
    except OSError:
        return 0


class Recording:
    """A recorder on its own thread: ``lvstui record``'s, ``monitor --record``'s, or a
    console's when no ``lvstui record`` runs. *on_error* hears a read or write that failed
    (the next tick tries again)."""

    def __init__(self, recorder: Recorder, lock, on_error=lambda exc: None):
        self.recorder, self.lock, self.on_error = recorder, lock, on_error
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="lvstui-record")

    @classmethod
    def start(cls, backend, path: str, audit_path: str | None, every: float,
              hostname: str | None = None, on_error=lambda exc: None,
              observe=None, cap_mb: float = DEFAULT_CAP_MB) -> Recording:
        """Recording into *path*; HistoryError (one line) when another recorder writes it or it
        cannot be opened."""
        try:
            lock = writer_lock(path)
        except OSError as exc:
            raise HistoryError(f"{path}: {exc.strerror}") from None
        if lock is None:
            raise HistoryError(f"another lvstui record writes to {path} (it holds {path}.lock)")
        try:
            history = History(path, writer=True, cap_mb=cap_mb)
        except HistoryError:
            lock.close()
            raise
        recording = cls(Recorder(backend, history, audit_path, every, hostname,
                                 observe=observe), lock, on_error)
        recording.thread.start()
        return recording

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.recorder.tick()
            except (IPVSError, OSError, HistoryError, sqlite3.Error) as exc:
                self.on_error(exc)
            self.stopped.wait(self.recorder.every)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
        self.recorder.history.close()
        self.lock.close()
