"""Inside the ip_vs VM: ``lvstui record`` against the kernel's table. A change by ipvsadm is
recorded as external at its time, a change by lvstui as its user's; ``history --at`` between
them gives each table exactly as ``ipvsadm -Sn`` printed it then; a recorder killed with
SIGKILL over and over leaves a sound database, and a new one appends."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.kernel
LVSTUI = [sys.executable, "-m", "lvstui"]
WAIT = 60


def ipvsadm(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["ipvsadm", *args], input=stdin, capture_output=True, text=True,
                          check=True).stdout


def lvstui(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*LVSTUI, *args], capture_output=True, text=True, timeout=120)
    assert not check or done.returncode == 0, done.stderr
    return done


def recorder(db: str, audit: str) -> subprocess.Popen:
    proc = subprocess.Popen([*LVSTUI, "--audit-log", audit, "record", "--db", db,
                             "--interval", "0.5"], stderr=subprocess.PIPE, text=True)
    assert "into" in proc.stderr.readline()
    return proc


def changes(db: str) -> list[str]:
    return lvstui("history", "--db", db, "--changes").stdout.splitlines()


def until(condition, what: str, step: float = 0.2) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(step)


def row_count(db: str, table: str) -> int:
    """How many rows the recorder has written to *table* (0 before it made the table): what
    the waits poll, in this process — an lvstui process per poll is seconds of the emulated
    CPU the other streams wait for. What was recorded is read through lvstui history."""
    if not os.path.exists(db):
        return 0
    connection = sqlite3.connect(db, timeout=5)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:                    # the table not made yet, or busy this moment
        return 0
    finally:
        connection.close()


@pytest.fixture
def bed(tmp_path):
    ipvsadm("-C")
    ipvsadm("-R", stdin="-A -t 10.0.0.50:80 -s wlc\n-a -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 5\n"
                        "-a -t 10.0.0.50:80 -r 10.0.0.12:80 -g -w 5\n")
    db, audit = str(tmp_path / "history.db"), str(tmp_path / "audit.log")
    proc = recorder(db, audit)
    yield db, audit, proc, tmp_path
    if proc.poll() is None:
        proc.kill()
    ipvsadm("-C")


def test_external_and_lvstui_changes_and_the_table_between_them(bed):
    db, audit, proc, tmp_path = bed
    until(lambda: row_count(db, "tables") > 0, "the recorder never recorded")
    first, t_first = ipvsadm("-Sn"), time.time()
    before_external = time.time()
    ipvsadm("-e", "-t", "10.0.0.50:80", "-r", "10.0.0.11:80", "-g", "-w", "0")
    after_external = time.time()
    until(lambda: row_count(db, "changes") == 1, "the external change was not recorded")
    second, t_second = ipvsadm("-Sn"), time.time()
    rules = tmp_path / "edited.rules"
    rules.write_text(second.replace("10.0.0.12:80 -g -w 5", "10.0.0.12:80 -g -w 2"))
    lvstui("--audit-log", audit, "restore", str(rules))
    until(lambda: row_count(db, "changes") == 2, "lvstui's change was not recorded")
    third, t_third = ipvsadm("-Sn"), time.time()
    external, ours = changes(db)
    when, source, command = external.split(" ", 2)
    assert (source, command) == ("external",
                                 "ipvsadm -e -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 0")
    stamp = time.mktime(time.strptime(when, "%Y-%m-%dT%H:%M:%S"))
    assert int(before_external) - 1 <= stamp <= after_external + 2
    assert ours.split(" ", 2)[1:] == ["root@" + os.uname().nodename,
                                      "ipvsadm -e -t 10.0.0.50:80 -r 10.0.0.12:80 -g -w 2"]
    for table, t in ((first, t_first), (second, t_second), (third, t_third)):
        assert lvstui("history", "--db", db, "--at", f"@{t}").stdout == table
    # the samples hold the kernel's weights as ipvsadm set them, at their times
    rows = lvstui("history", "--db", db, "--export", "csv", "-t", "10.0.0.50:80", "-r",
                  "10.0.0.11:80").stdout.splitlines()
    assert rows[0] == "time,epoch,cps,inbps,outbps,active,inactive,weight"
    weights = [(float(r.split(",")[1]), r.split(",")[-1]) for r in rows[1:]]
    assert {w for t, w in weights if t < before_external} == {"5"}
    assert {w for t, w in weights if t > after_external + 1} == {"0"}


def test_a_recorder_killed_mid_write_leaves_a_sound_database(bed):
    db, audit, proc, _ = bed
    for weight in range(1, 6):                    # kill -9 at random points of its ticks
        ipvsadm("-e", "-t", "10.0.0.50:80", "-r", "10.0.0.11:80", "-g", "-w", str(weight))
        time.sleep(0.3 + weight * 0.11)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
        proc = recorder(db, audit)
    until(lambda: lvstui("history", "--db", db, "--at", f"@{time.time()}", check=False
                         ).stdout == ipvsadm("-Sn"), "the restarted recorder did not append",
          step=1.0)
    proc.kill()
