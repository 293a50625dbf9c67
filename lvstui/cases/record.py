"""The incident record: the table's changes and the cluster's events recorded while a session
runs (unless a recorder already writes them), and read back: the timeline, the table at a
moment with the operations that bring it back, a row's samples."""

from __future__ import annotations

from ..history import DEFAULT_DB, HistoryError
from ..history.samples import FIELDS, server_row  # noqa: F401  (the rows' names and fields, for the UI)
from ..ipvs.order import sorted_services
from ..ipvs.rules import parse_rules
from .area import Area
from .results import PastTable


class Record(Area):
    """The history database at ``path``; ``recording`` while this session writes it."""

    def __init__(self, session, path: str = DEFAULT_DB):
        super().__init__(session)
        self.path, self.recording = path, None

    def start(self, every: float) -> None:
        """Record the table's changes while this session runs, unless a recorder already
        writes the history (then it is only read)."""
        from ..history.recorder import Recording
        s = self.session
        try:
            self.recording = Recording.start(s.backend, self.path, s.audit.path, every,
                                             s.hostname, observe=self.observed)
        except HistoryError:
            self.recording = None

    def stop(self) -> None:
        if self.recording is not None:
            self.recording.stop()
            self.recording = None

    def observed(self) -> dict:
        """The states the recorder keeps as events (health, HA manager, VIPs), read without
        the table."""
        from ..history.events import observed_states
        s = self.session
        return observed_states(s.health.read() if s.health is not None else None,
                               s.heartbeat.state() if s.heartbeat is not None else None,
                               s.ha.vips(), s.host.held())

    def _open(self):
        from ..history.store import History
        return History(self.path)

    def entries(self) -> list[tuple[float, str, str]]:
        """Every recorded change and event, newest first: (time, who made it or the event's
        kind, the ipvsadm command or what happened); HistoryError when there is no history."""
        history = self._open()
        try:
            entries = history.changes() + [(t, kind, f"{subject}: {text}")
                                           for t, kind, subject, text in history.events()]
        finally:
            history.close()
        return sorted(entries, key=lambda e: e[0], reverse=True)

    def table_at(self, t: float) -> PastTable:
        """The table as it was at *t* with its traffic then, and the operations that bring it
        back (HistoryError outside the record, IPVSError when the table cannot be read)."""
        from ..history.samples import with_samples
        history = self._open()
        try:
            text, samples = history.table_at(t), history.samples_at(t)
        finally:
            history.close()
        services = sorted_services(parse_rules(text).services)
        with_samples(services, samples)
        return PastTable(t, services, self.session.rules.plan(text, emptying=True),
                         bool(samples))

    def plot(self, name: str, since: float, until: float) -> tuple[list, list]:
        """Row *name*'s samples from *since* to *until* (time, FIELDS), and the changes and
        events about it or about failover then (time, who or kind, what)."""
        from ..history.samples import touches
        history = self._open()
        try:
            points = history.series(name, since, until)
            marks = [c for c in history.changes(since, until) if touches(name, c[2])] + [
                (t, kind, f"{subject}: {text}") for t, kind, subject, text
                in history.events(since, until) if kind == "failover" or touches(name, subject)]
        finally:
            history.close()
        return points, sorted(marks)
