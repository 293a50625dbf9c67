"""The history database (SQLite, write-ahead log): the changes as ipvsadm commands with their
source, the whole table as ``ipvsadm -Sn`` text now and then (a checkpoint: when a recorder
starts, and after every CHECKPOINT_EVERY changes), and the spans of time the recorder covered.
The table at a moment is its last checkpoint with the changes after it played on top. Each recorder tick is one transaction: a recorder killed at any point
loses at most the tick in flight, never the database."""

from __future__ import annotations

import datetime
import fcntl
import os
import sqlite3

DEFAULT_DB = "/var/lib/lvstui/history.db"
CHECKPOINT_EVERY = 50     # changes between two whole tables (a large table's text is big)
SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (t REAL NOT NULL, rules TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tables_t ON tables (t);
CREATE TABLE IF NOT EXISTS changes (t REAL NOT NULL, source TEXT NOT NULL, command TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_t ON changes (t);
CREATE TABLE IF NOT EXISTS spans (start REAL NOT NULL, last REAL NOT NULL, every REAL NOT NULL);
"""


class HistoryError(Exception):
    """A question the record cannot answer, in one line."""


def writer_lock(path: str):
    """The one-writer lock beside the database (held while the handle stays open), or None
    when another recorder holds it."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    handle = open(path + ".lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def parse_time(text: str) -> float:
    """ISO 8601 local time (``2026-11-25T03:12:00``) or ``@EPOCH``, as epoch seconds."""
    try:
        if text.startswith("@"):
            t = float(text[1:])
            datetime.datetime.fromtimestamp(t)      # a time this machine can write down
            return t
        return datetime.datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):
        raise HistoryError(f"{text!r} is not a time: use 2026-11-25T03:12:00 (local time) "
                           "or @EPOCH") from None


def format_time(t: float) -> str:
    return datetime.datetime.fromtimestamp(t).isoformat(timespec="seconds")


class History:
    """One database file; *writer* opens it for a recorder (the schema made if needed)."""

    def __init__(self, path: str = DEFAULT_DB, writer: bool = False):
        self.path = path
        if not writer and not os.path.exists(path):
            raise HistoryError(f"no history at {path} (run lvstui record, or name it with --db)")
        if writer:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None,
                                      check_same_thread=False)   # one user at a time
            if writer:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: {exc}") from None

    # ------------------------------------------------------------ writing (the recorder)
    def begin_span(self, t: float, every: float) -> int:
        return self.db.execute("INSERT INTO spans VALUES (?, ?, ?)", (t, t, every)).lastrowid

    def last_table(self) -> str | None:
        """The table as the record left it (None: an empty record)."""
        last = self.db.execute("SELECT max(last) FROM spans").fetchone()[0]
        return self._table(last) if last is not None else None

    def changes_since_checkpoint(self) -> int:
        return self.db.execute("SELECT count(*) FROM changes WHERE t > (SELECT coalesce("
                               "max(t), -1e300) FROM tables)").fetchone()[0]

    def record(self, span: int, t: float, rules: str | None,
               changes: list[tuple[str, str]]) -> None:
        """One tick, all or nothing: the table when it changed, its changes, the span's end."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if rules is not None:
                self.db.execute("INSERT INTO tables VALUES (?, ?)", (t, rules))
            self.db.executemany("INSERT INTO changes VALUES (?, ?, ?)",
                                [(t, source, command) for source, command in changes])
            self.db.execute("UPDATE spans SET last = ? WHERE rowid = ?", (t, span))

    # ------------------------------------------------------------ reading
    def table_at(self, t: float) -> str:
        """The table as it was at *t* (``ipvsadm -Sn`` text); HistoryError outside the record."""
        covered = self.db.execute("SELECT 1 FROM spans WHERE start <= ? AND ? <= last + every",
                                  (t, t)).fetchone()
        text = self._table(t) if covered else None
        if text is None:
            first, last = self.db.execute("SELECT min(start), max(last) FROM spans").fetchone()
            within = (f"it covers {format_time(first)} to {format_time(last)}" if first
                      else "it is empty")
            raise HistoryError(f"{format_time(t)} is outside the record ({within})")
        return text

    def _table(self, t: float) -> str | None:
        """The last checkpoint at or before *t* with the changes after it played on top."""
        row = self.db.execute("SELECT t, rules FROM tables WHERE t <= ? ORDER BY t DESC, "
                              "rowid DESC LIMIT 1", (t,)).fetchone()
        if row is None:
            return None
        since, rules = row
        later = self.db.execute("SELECT command FROM changes WHERE t > ? AND t <= ? "
                                "ORDER BY t, rowid", (since, t)).fetchall()
        if not later:
            return rules
        from ..ipvs.rules import parse_rules, save
        return save(parse_rules(rules + "".join(c + "\n" for (c,) in later)).services)

    def changes(self, since: float | None = None, until: float | None = None
                ) -> list[tuple[float, str, str]]:
        return self.db.execute(
            "SELECT t, source, command FROM changes WHERE t >= ? AND t <= ? ORDER BY t, rowid",
            (since if since is not None else float("-inf"),
             until if until is not None else float("inf"))).fetchall()

    def close(self) -> None:
        self.db.close()
