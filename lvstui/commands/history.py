"""``lvstui record`` (the recorder, in the foreground) and ``lvstui history`` (the table at a
past moment, the changes with their source, a row's samples)."""

from __future__ import annotations

import contextlib
import csv
import json
import sys

from ..history import DEFAULT_CAP_MB, History, HistoryError, Recording, parse_time
from ..history.samples import FIELDS, server_row
from ..ipvs.switches import service_spec
from ..model import ValidationError, format_time, parse_server
from ..session import Session
from . import stop_on_signals
from .table import one_service


@contextlib.contextmanager
def host_observer(backend, state_path: str, demo: bool):
    """The host's health (a running monitor's published state), heartbeat and VIPs, for the
    recorder's events (none in the demo: its cluster lives in the console)."""
    if demo:
        yield None
        return
    from ..ha.cluster import Heartbeat
    from ..health.sources import PublishedHealth
    from ..system.network import HostNetwork
    network = HostNetwork()
    try:
        yield Session(backend, network=network, heartbeat=Heartbeat(),
                      health=PublishedHealth(state_path)).record.observed
    finally:
        network.close()


def run_record(db: str, every: float, backend, audit_path: str | None, observe=None,
               cap_mb: float = DEFAULT_CAP_MB, stop=None) -> int:
    """Record until SIGTERM or SIGINT (*stop*: their event, when installed earlier); one
    writer per database (a second one is refused)."""
    if not (every > 0 and cap_mb > 0):
        print("lvstui: --interval and --max-size must be more than 0", file=sys.stderr)
        return 1
    stop = stop or stop_on_signals()
    try:
        recording = Recording.start(backend, db, audit_path, every, on_error=lambda exc: print(
            f"lvstui record: {exc}", file=sys.stderr, flush=True), observe=observe,
            cap_mb=cap_mb)
    except HistoryError as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1
    print(f"lvstui record: every {every:g} s into {db}", file=sys.stderr, flush=True)
    stop.wait()
    recording.stop()
    return 0


@contextlib.contextmanager
def recording_beside(wanted: bool, db: str, backend, audit_path: str | None, observe=None):
    """``lvstui monitor --record``: the recorder on its own thread while the monitor runs (a
    recorder already writing *db* is said, and the monitor runs without)."""
    recording = None
    if wanted:
        try:
            recording = Recording.start(backend, db, audit_path, 1.0, observe=observe)
        except HistoryError as exc:
            print(f"lvstui: not recording: {exc}", file=sys.stderr)
    try:
        yield
    finally:
        if recording is not None:
            recording.stop()


def run_history(args) -> int:
    """``--at TIME``: the table then (ipvsadm -Sn); ``--changes``: one line per change;
    ``--export csv|json``: one row's samples."""
    try:
        history = History(args.db)
        if args.at:
            sys.stdout.write(history.table_at(parse_time(args.at)))
            return 0
        since = parse_time(args.since) if args.since else None
        until = parse_time(args.until) if args.until else None
        if args.export:
            return export(history, row_name(args), since, until, args.export)
        for t, source, command in history.changes(since, until):
            print(f"{format_time(t)} {source} {command}")
        return 0
    except (HistoryError, ValidationError) as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1


def row_name(args) -> str:
    """The samples' name of the row asked for: ``-t VIP:PORT`` or ``-t VIP:PORT -r RIP:PORT``."""
    svc = one_service(args)
    if svc is None:
        raise HistoryError("--export needs the service: -t|-u|--sctp-service VIP:PORT or -f MARK")
    if not args.real_server:
        return service_spec(svc)
    return server_row(service_spec(svc), parse_server(args.real_server, svc).endpoint)


def export(history: History, name: str, since: float | None, until: float | None,
           form: str) -> int:
    """The row's samples as CSV (a header, then time,epoch,FIELDS) or one JSON object."""
    if name not in history.rows():
        raise HistoryError(f"{name} has no samples in {history.path}")
    since = since if since is not None else float("-inf")
    until = until if until is not None else float("inf")
    points = history.series(name, since, until)
    if not points:
        raise HistoryError(f"no samples of {name} between {_shown(since)} and {_shown(until)}")
    if form == "json":
        json.dump({"row": name, "fields": list(FIELDS), "samples": [
            {"time": format_time(t), "epoch": t, **dict(zip(FIELDS, values))}
            for t, values in points]}, sys.stdout)
        print()
        return 0
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["time", "epoch", *FIELDS])
    for t, values in points:
        out.writerow([format_time(t), f"{t:.3f}", *(f"{v:g}" for v in values)])
    return 0


def _shown(t: float) -> str:
    return format_time(t) if abs(t) != float("inf") else "the record's " + (
        "start" if t < 0 else "end")
