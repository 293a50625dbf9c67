"""The recorder on the in-memory table with an injected clock: the table at any recorded moment
exactly, each change with its source (lvstui's from the audit log, anyone else's external),
changes made while nobody recorded, the record's bounds; one writer per database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.pace import patience

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.history import History, HistoryError, Recorder
from lvstui.ipvs.operations import Kind, Operation
from lvstui.ipvs.rules import save
from lvstui.model import parse_service
from lvstui.session import Session

WEB = parse_service("172.26.46.119:80")


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=[50, 1], ids=["replayed", "checkpointed"])
def bed(tmp_path, request):
    """The table at a moment: a checkpoint with changes played on it, or a checkpoint alone."""
    table, clock = reference_cluster(), Clock()
    audit = tmp_path / "audit.log"
    session = Session(table, audit=AuditLog(str(audit)), hostname="rh1")
    history = History(str(tmp_path / "history.db"), writer=True)
    recorder = Recorder(table, history, str(audit), every=1.0, hostname="rh1", clock=clock,
                        checkpoint_every=request.param)
    yield table, session, history, recorder, clock
    history.close()


def test_each_change_with_its_source_and_the_table_at_each_moment(bed):
    table, session, history, recorder, clock = bed
    recorder.tick()
    first = save(table.services())
    clock.t += 1
    rs = table.services()[0].servers[0]
    assert session.table.drain(WEB, rs).ok                         # lvstui's: audited
    recorder.tick()
    drained = save(table.services())
    clock.t += 1
    table.delete_server(WEB, table.services()[0].servers[1])  # someone's ipvsadm -d
    recorder.tick()
    clock.t += 1
    recorder.tick()
    assert history.table_at(1_000_000.5) == first
    assert history.table_at(1_000_001.0) == drained
    assert history.table_at(1_000_002.9) == save(table.services())
    changes = history.changes()
    assert [(t, source) for t, source, _ in changes] == [(1_000_001.0, "root@rh1"),
                                                        (1_000_002.0, "external")]
    assert changes[0][2] == f"ipvsadm -e -t 172.26.46.119:80 -r {rs.endpoint} -g -w 0"
    assert changes[1][2].startswith("ipvsadm -d -t 172.26.46.119:80 -r ")
    assert history.changes(since=1_000_001.5) == changes[1:]


def test_a_black_holed_service_is_an_alarm_in_the_timeline_until_a_server_is_back(bed):
    table, session, history, recorder, clock = bed
    recorder.tick()
    first, second = table.services()[0].servers[:2]
    for rs in (first, second):
        assert session.table.drain(WEB, rs).ok
    clock.t += 1
    recorder.tick()
    clock.t += 1
    recorder.tick()                                         # still black-holed: no new event
    again = Recorder(table, history, None, every=1.0, clock=clock)
    clock.t += 1
    again.tick()                                            # a restarted recorder: the same
    assert session.table.set_weight(WEB, first, lambda _: 1).ok
    clock.t += 1
    again.tick()
    alarms = [(t, text.split(":")[0]) for t, kind, subject, text in history.events()
              if kind == "alarm" and subject == "TCP 172.26.46.119:80"]
    assert alarms == [(1_000_001.0, "black-holed"), (1_000_004.0, "alarm over")]


def test_a_change_made_while_nobody_recorded_is_found_at_the_next_start(bed, tmp_path):
    table, _, history, recorder, clock = bed
    recorder.tick()
    table.apply_operations([Operation(Kind.DELETE_SERVICE, WEB, before=table.services()[0])])
    clock.t += 60
    again = Recorder(table, history, None, every=1.0, clock=clock)
    again.tick()
    [(_, source, command)] = history.changes()
    assert (source, command) == ("external (while not recording)",
                                 "ipvsadm -D -t 172.26.46.119:80")
    with pytest.raises(HistoryError, match="outside the record"):
        history.table_at(1_000_030.0)                       # between the two spans
    assert history.table_at(1_000_060.0) == ""


def test_a_time_outside_the_record_is_one_line(bed):
    *_, history, recorder, clock = bed
    with pytest.raises(HistoryError, match="it is empty"):
        history.table_at(1_000_000.0)
    recorder.tick()
    with pytest.raises(HistoryError, match="outside the record"):
        history.table_at(999_000.0)


def lvstui(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lvstui", "--backend", "memory", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_second_recorder_on_one_database_is_refused(tmp_path):
    db = str(tmp_path / "h.db")
    first = lvstui("--audit-log", str(tmp_path / "a.log"), "record", "--db", db)
    try:
        assert "every 1 s into" in first.stderr.readline()
        second = lvstui("--audit-log", str(tmp_path / "a.log"), "record", "--db", db)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 1
        assert err.strip() == f"lvstui: another lvstui record writes to {db} (it holds {db}.lock)"
    finally:
        first.terminate()
        first.wait(timeout=10)
    assert first.returncode == 0


def test_the_monitor_records_beside_itself_when_asked(tmp_path, capsys):
    import time

    from lvstui.commands.history import recording_beside
    table, db = reference_cluster(), str(tmp_path / "h.db")
    with recording_beside(True, db, table, None):
        with recording_beside(True, db, table, None):          # a second writer: said, not run
            assert "not recording: another lvstui record writes to" in capsys.readouterr().err
        table.set_weight(WEB, *table.services()[0].servers[0].key, 0)
        deadline = time.monotonic() + patience(4)
        while not (History(db).changes() if os.path.exists(db) else []):
            assert time.monotonic() < deadline, "the change was not recorded"
            time.sleep(0.1)
    [(_, source, command)] = History(db).changes()
    assert source == "external" and command.endswith(" -g -w 0")
