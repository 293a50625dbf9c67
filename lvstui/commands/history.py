"""``lvstui record`` (the recorder, in the foreground) and ``lvstui history`` (the table at a
past moment, the changes with their source)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

from ..history import History, HistoryError, Recording, parse_time
from ..history.store import format_time


def run_record(db: str, every: float, backend, audit_path: str | None) -> int:
    """Record until SIGTERM or SIGINT; one writer per database (a second one is refused)."""
    try:
        recording = Recording.start(backend, db, audit_path, every, on_error=lambda exc: print(
            f"lvstui record: {exc}", file=sys.stderr, flush=True))
    except HistoryError as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"lvstui record: every {every:g} s into {db}", file=sys.stderr, flush=True)
    stop.wait()
    recording.stop()
    return 0


@contextlib.contextmanager
def recording_beside(wanted: bool, db: str, backend, audit_path: str | None):
    """``lvstui monitor --record``: the recorder on its own thread while the monitor runs (a
    recorder already writing *db* is said, and the monitor runs without)."""
    recording = None
    if wanted:
        try:
            recording = Recording.start(backend, db, audit_path, 1.0)
        except HistoryError as exc:
            print(f"lvstui: not recording: {exc}", file=sys.stderr)
    try:
        yield
    finally:
        if recording is not None:
            recording.stop()


def run_history(args) -> int:
    """``--at TIME``: the table then (ipvsadm -Sn); ``--changes``: one line per change."""
    try:
        history = History(args.db)
        if args.at:
            sys.stdout.write(history.table_at(parse_time(args.at)))
            return 0
        since = parse_time(args.since) if args.since else None
        until = parse_time(args.until) if args.until else None
        for t, source, command in history.changes(since, until):
            print(f"{format_time(t)} {source} {command}")
        return 0
    except HistoryError as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1
