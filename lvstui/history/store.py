"""The history database (SQLite, write-ahead log): the changes as ipvsadm commands with their
source, the whole table as ``ipvsadm -Sn`` text now and then (a checkpoint: when a recorder
starts, and after every CHECKPOINT_EVERY changes), the spans of time the recorder covered, the
samples (samples.py: every sample, then 10 s and minute means as they age, under a size cap)
and the events (health verdicts, heartbeat and VIP moves). The table at a moment is its last
checkpoint with the changes after it played on top. Each recorder tick is one transaction: a
recorder killed at any point loses at most the tick in flight, never the database."""

from __future__ import annotations

import datetime
import fcntl
import os
import sqlite3

from ..model import format_time
from . import DEFAULT_CAP_MB, DEFAULT_DB, HistoryError
from .samples import TIERS, decode, encode, mean, row_of

CHECKPOINT_EVERY = 50     # changes between two whole tables (a large table's text is big)
SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (t REAL NOT NULL, rules TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tables_t ON tables (t);
CREATE TABLE IF NOT EXISTS changes (t REAL NOT NULL, source TEXT NOT NULL, command TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_t ON changes (t);
CREATE TABLE IF NOT EXISTS spans (start REAL NOT NULL, last REAL NOT NULL, every REAL NOT NULL);
CREATE TABLE IF NOT EXISTS rowsets (id INTEGER PRIMARY KEY, names TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS samples (tier INTEGER NOT NULL, t REAL NOT NULL,
                                    rowset INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS samples_tier_t ON samples (tier, t);
CREATE TABLE IF NOT EXISTS events (t REAL NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
                                   text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_t ON events (t);
"""
CAP_EVERY = 60            # ticks between two looks at the database's size


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


def rowset_text(names: list[str]) -> str:
    """A rowset as stored: its names one per line, framed by newlines (so ``instr`` finds a
    whole name, never a part of a longer one)."""
    return "\n" + "\n".join(names) + "\n"


def rowset_names(text: str) -> list[str]:
    return text.split("\n")[1:-1]


class History:
    """One database file; *writer* opens it for a recorder (the schema made if needed)."""

    def __init__(self, path: str = DEFAULT_DB, writer: bool = False,
                 cap_mb: float = DEFAULT_CAP_MB, tiers: tuple = TIERS):
        self.path, self.cap, self.tiers = path, cap_mb * 1e6, tiers
        self.rowset_ids: dict[str, int] = {}
        self.ticks = 0
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

    def record(self, span: int, t: float, rules: str | None, changes: list[tuple[str, str]],
               samples: list[tuple[list[str], bytes]] = (),
               events: list[tuple[str, str, str]] = ()) -> None:
        """One tick, all or nothing: the table when it changed, its changes, its samples, its
        events, the span's end; then one step of downsampling and pruning (its own
        transaction)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if rules is not None:
                self.db.execute("INSERT INTO tables VALUES (?, ?)", (t, rules))
            self.db.executemany("INSERT INTO changes VALUES (?, ?, ?)",
                                [(t, source, command) for source, command in changes])
            self.db.executemany("INSERT INTO samples VALUES (0, ?, ?, ?)",
                                [(t, self._rowset(names), data) for names, data in samples])
            self.db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)",
                                [(t, *event) for event in events])
            self.db.execute("UPDATE spans SET last = ? WHERE rowid = ?", (t, span))
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._downsample(t)
            self.ticks += 1
            if self.ticks % CAP_EVERY == 0:
                self._cap()

    def _rowset(self, names: list[str]) -> int:
        text = rowset_text(names)
        known = self.rowset_ids.get(text)
        if known is None:
            self.db.execute("INSERT OR IGNORE INTO rowsets (names) VALUES (?)", (text,))
            known = self.db.execute("SELECT id FROM rowsets WHERE names = ?", (text,)).fetchone()[0]
            self.rowset_ids[text] = known
        return known

    def _downsample(self, now: float) -> None:
        """Each coarser tier gets its next point once its window has closed in the finer
        tier (one window per tier per tick); each tier drops what is past its time and
        already in the coarser one."""
        for tier in range(1, len(self.tiers)):
            step = self.tiers[tier][0]
            start = self._next_window(tier)
            if start is not None and start + step <= self._finer_end(tier, now):
                finer = self.db.execute("SELECT rowset, data FROM samples WHERE tier = ? AND "
                                        "t >= ? AND t < ?", (tier - 1, start, start + step))
                points: dict[int, list] = {}
                for rowset, data in finer:
                    points.setdefault(rowset, []).append(decode(data))
                self.db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?)", [
                    (tier, start, rowset, encode(mean(values))) for rowset, values in points.items()])
        for tier, (_, keep) in enumerate(self.tiers):
            kept_from = now - keep
            if tier + 1 < len(self.tiers):
                built = self._next_window(tier + 1)
                kept_from = min(kept_from, built if built is not None else -1e300)
            self.db.execute("DELETE FROM samples WHERE tier = ? AND t < ?", (tier, kept_from))

    def _next_window(self, tier: int) -> float | None:
        """The start of the tier's next point: after its last one, or the first window of the
        finer tier's data (skipping time with no data)."""
        step = self.tiers[tier][0]
        last = self.db.execute("SELECT max(t) FROM samples WHERE tier = ?", (tier,)).fetchone()[0]
        after = last + step if last is not None else -1e300
        first = self.db.execute("SELECT min(t) FROM samples WHERE tier = ? AND t >= ?",
                                (tier - 1, after)).fetchone()[0]
        if first is None:
            return after if last is not None else None
        return max(after, first // step * step)

    def _finer_end(self, tier: int, now: float) -> float:
        """Until when the finer tier is complete: now for every sample, else the end of its
        last point."""
        if tier == 1:
            return now
        last = self.db.execute("SELECT max(t) FROM samples WHERE tier = ?",
                               (tier - 1,)).fetchone()[0]
        return last + self.tiers[tier - 1][0] if last is not None else -1e300

    def _cap(self) -> None:
        """Over the cap: the oldest samples go (the changes, tables and events stay)."""
        pages, free, size = (self.db.execute(f"PRAGMA {p}").fetchone()[0]
                             for p in ("page_count", "freelist_count", "page_size"))
        used = (pages - free) * size
        if used <= self.cap:
            return
        count = self.db.execute("SELECT count(*) FROM samples").fetchone()[0]
        drop = int(count * (used - self.cap) / used) + 1
        self.db.execute("DELETE FROM samples WHERE rowid IN (SELECT rowid FROM samples "
                        "ORDER BY t LIMIT ?)", (drop,))

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

    def series(self, name: str, since: float, until: float) -> list[tuple[float, tuple]]:
        """A row's samples (``-t VIP:PORT`` or ``-t VIP:PORT -r RIP:PORT``) from *since* to
        *until*, from the finest tier that reaches back to *since*: (time, FIELDS) oldest
        first."""
        rowsets = {rid: rowset_names(names) for rid, names in self.db.execute(
            "SELECT id, names FROM rowsets WHERE instr(names, ?)", (rowset_text([name]),))}
        if not rowsets:
            return []
        tier = self._tier_for(since)
        ids = ",".join(str(rid) for rid in rowsets)
        out = {}
        for t, rowset, data in self.db.execute(
                f"SELECT t, rowset, data FROM samples WHERE tier = ? AND t >= ? AND t <= ? "
                f"AND rowset IN ({ids}) ORDER BY t", (tier, since, until)):
            names = rowsets[rowset]
            out[t] = row_of(decode(data), len(names), names.index(name))
        return sorted(out.items())

    def samples_at(self, t: float) -> dict[str, tuple]:
        """Every row's FIELDS at the last point at or before *t* of the finest tier that has
        one within its step (empty: no samples then)."""
        for tier, (step, _) in enumerate(self.tiers):
            near = self.db.execute("SELECT max(t) FROM samples WHERE tier = ? AND t <= ?",
                                   (tier, t)).fetchone()[0]
            if near is not None and t - near <= max(step, 60):
                break
        else:
            return {}
        rows = {}
        for rowset, data in self.db.execute("SELECT rowset, data FROM samples WHERE tier = ? "
                                            "AND t = ?", (tier, near)):
            names = self._names(rowset)
            values = decode(data)
            rows.update((name, row_of(values, len(names), i)) for i, name in enumerate(names))
        return rows

    def _names(self, rowset: int) -> list[str]:
        (names,) = self.db.execute("SELECT names FROM rowsets WHERE id = ?", (rowset,)).fetchone()
        return rowset_names(names)

    def _tier_for(self, since: float) -> int:
        """The finest tier holding a point at or before *since*; when none reaches back that
        far (the record began later), the finest that no coarser tier reaches beyond by a
        whole point."""
        firsts = {tier: first for tier in range(len(self.tiers)) for (first,) in
                  self.db.execute("SELECT min(t) FROM samples WHERE tier = ?", (tier,))
                  if first is not None}
        for tier, first in firsts.items():
            if first <= since + max(self.tiers[tier][0], 1):
                return tier
        for tier, first in firsts.items():
            if all(other + self.tiers[coarser][0] > first
                   for coarser, other in firsts.items() if coarser > tier):
                return tier
        return len(self.tiers) - 1

    def rows(self) -> set[str]:
        """Every row name the samples know."""
        return {n for (names,) in self.db.execute("SELECT names FROM rowsets")
                for n in rowset_names(names)}

    def events(self, since: float | None = None, until: float | None = None
               ) -> list[tuple[float, str, str, str]]:
        """(time, kind, subject, text) oldest first: health verdicts, heartbeat, VIPs."""
        return self.db.execute(
            "SELECT t, kind, subject, text FROM events WHERE t >= ? AND t <= ? ORDER BY t, rowid",
            (since if since is not None else float("-inf"),
             until if until is not None else float("inf"))).fetchall()

    def last_states(self) -> dict:
        """{(kind, subject): text} as the last event of each left it (what a new recorder
        compares with, so a restart records only what changed)."""
        return {(kind, subject): text for kind, subject, text in self.db.execute(
            "SELECT kind, subject, text FROM events WHERE rowid IN "
            "(SELECT max(rowid) FROM events GROUP BY kind, subject)")}

    def close(self) -> None:
        self.db.close()
