"""The samples with an injected clock: every sample, then 10 s and minute means as they age
(each mean checked against the samples it came from), a row's series from the finest tier
that reaches back, the size cap, the events, the export; bfloat16 values fuzzed."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from array import array

import pytest

from hypothesis import given, strategies as st

from tests.pace import patience

from lvstui.demo import reference_cluster
from lvstui.health.state import HealthState
from lvstui.history import History, Recorder
from lvstui.history.events import observed_states
from lvstui.history.samples import FIELDS, TIERS, decode, encode
from lvstui.ha.api import ClusterState
from lvstui.model import parse_service

from .test_history import Clock

WEB = parse_service("172.26.46.119:80")
RS = "-t 172.26.46.119:80 -r 172.26.46.80:80"
CPS = FIELDS.index("cps")


@given(st.lists(st.integers(0, 2**40), max_size=50))
def test_values_come_back_within_a_bfloat16_step(values):
    back = decode(encode(array("f", values)))
    for v, b in zip(values, back, strict=True):
        assert b == v if v <= 256 else v * (1 - 2**-7) <= b <= v * (1 + 2**-23)


def cps_at(t: float) -> int:
    """The first real server's connections/s at *t*: a staircase, so every mean is known."""
    return int(t // 5) % 7 * 10


def record(hours: float, every: float = 5.0, tmp_path=None, cap_mb: float = 500,
           tiers=TIERS):
    table, clock = reference_cluster(), Clock(1_000_000.0)
    history = History(str(tmp_path / "h.db"), writer=True, cap_mb=cap_mb, tiers=tiers)
    recorder = Recorder(table, history, None, every=every, clock=clock)
    for _ in range(int(hours * 3600 / every)):
        clock.t += every
        with table.held() as services:
            next(rs for rs in services[0].servers
                 if rs.endpoint == "172.26.46.80:80").stats.cps = cps_at(clock.t)
        recorder.tick()
    return history, clock.t


def expected_mean(start: float, step: float, every: float = 5.0) -> float:
    points = [cps_at(start + i * every) for i in range(int(step / every))]
    return sum(points) / len(points)


def times(history, tier: int) -> list[float]:
    return [t for (t,) in history.db.execute("SELECT DISTINCT t FROM samples WHERE tier = ? "
                                              "ORDER BY t", (tier,))]


def test_every_sample_then_ten_second_then_minute_means(tmp_path):
    history, now = record(6.5, tmp_path=tmp_path)
    raw, tens, minutes = times(history, 0), times(history, 1), times(history, 2)
    assert raw[0] >= now - TIERS[0][1] - 10 and raw[-1] == now and raw[1] - raw[0] == 5
    assert tens[0] >= now - TIERS[1][1] - 60 and all(t % 10 == 0 for t in tens)
    assert tens[-1] >= now - 20
    assert minutes[0] <= 1_000_000 + 60 and all(t % 60 == 0 for t in minutes)
    # each mean is the mean of the samples in its window (within a bfloat16 step)
    last_hour = history.series(RS, now - 50 * 60, now - 40 * 60)
    assert last_hour and all(b - a == 10 for (a, _), (b, _) in zip(last_hour, last_hour[1:]))
    for t, values in last_hour:
        assert values[CPS] == pytest.approx(expected_mean(t, 10), rel=2**-7, abs=1e-9)
    old = history.series(RS, now - 3 * 3600, now - 2 * 3600)
    assert old and all(b - a == 60 for (a, _), (b, _) in zip(old, old[1:]))
    for t, values in old:
        assert values[CPS] == pytest.approx(expected_mean(t, 60), rel=2**-6)
    recent = history.series(RS, now - 600, now)
    assert [v[CPS] for _, v in recent] == [cps_at(t) for t, _ in recent]
    assert len(recent) == 121                                 # every sample, 5 s apart
    everything = history.series(RS, float("-inf"), now)      # the minute means reach back
    assert everything[0][0] == minutes[0] and len(everything) == len(minutes)


def test_each_tier_ages_into_the_next_and_goes_when_past_its_time(tmp_path):
    """Tiers scaled down (the mechanism is the same at any scale): 10-minute means of the
    minute means, each tier kept for its time only."""
    tiers = ((0, 60), (10, 300), (60, 900), (600, 7200))
    history, now = record(3, tmp_path=tmp_path, tiers=tiers)
    for tier, (step, keep) in enumerate(tiers):
        kept = times(history, tier)
        assert kept[0] >= now - keep - tiers[min(tier + 1, 3)][0] * 2, (tier, now - kept[0])
        assert all(t % max(step, 5) == 0 for t in kept)
    tens_of_minutes = history.series(RS, now - 7000, now)
    assert len(tens_of_minutes) >= 11
    for t, values in tens_of_minutes:
        assert values[CPS] == pytest.approx(expected_mean(t, 600), rel=2**-6)


def test_the_size_cap_drops_the_oldest_samples(tmp_path):
    def noisy(cap_mb):
        table, clock = reference_cluster(), Clock()
        history = History(str(tmp_path / f"h{cap_mb}.db"), writer=True, cap_mb=cap_mb)
        recorder = Recorder(table, history, None, clock=clock)
        rnd = random.Random(7)
        for _ in range(1500):
            clock.t += 1
            with table.held() as services:
                for rs in services[0].servers:
                    rs.stats.cps, rs.stats.inbps = rnd.randrange(1 << 20), rnd.randrange(1 << 30)
            recorder.tick()
        pages, free, size = (history.db.execute(f"PRAGMA {p}").fetchone()[0]
                             for p in ("page_count", "freelist_count", "page_size"))
        return history, (pages - free) * size, clock.t
    _, uncapped, _ = noisy(500)
    capped, used, now = noisy(0.05)
    assert uncapped > 0.1e6                   # the control: without the cap it grows past it
    assert used <= 0.05e6 + 4 * 4096          # within a few pages of the cap
    kept = capped.series(RS, now - 60, now)
    assert kept[-1][0] == now                 # the newest kept, the oldest gone
    assert capped.db.execute("SELECT min(t) FROM samples").fetchone()[0] > 1_000_000 + 60


def test_an_event_is_a_state_that_changed(tmp_path):
    table, clock = reference_cluster(), Clock()
    states = {("health", RS): "up", ("failover", "heartbeat"): "d1: resources all"}
    history = History(str(tmp_path / "h.db"), writer=True)
    recorder = Recorder(table, history, None, clock=clock, observe=lambda: dict(states))
    for t, change in ((1, None), (2, None), (3, ("health", RS, "DOWN (refused)")),
                      (4, None), (5, ("failover", "heartbeat", "d1: resources none"))):
        if change:
            states[change[:2]] = change[2]
        clock.t = 1_000_000 + t
        recorder.tick()
    assert [(t - 1_000_000, *rest) for t, *rest in history.events()] == [
        (1, "seen", RS, "up"), (1, "seen", "heartbeat", "d1: resources all"),   # not moves
        (3, "health", RS, "DOWN (refused)"), (5, "failover", "heartbeat", "d1: resources none")]
    # a recorder started again records what changed since, not every state once more
    states[("health", RS)] = "up"
    again = Recorder(table, history, None, clock=clock, observe=lambda: dict(states))
    clock.t += 10
    again.tick()
    assert history.events(since=clock.t) == [(clock.t, "health", RS, "up")]


def test_health_heartbeat_and_vips_as_states():
    from lvstui.health.state import ServerHealth
    h = ServerHealth(up=False, since=0, checked=1, latency=None, result="HTTP 503",
                     last_failure="HTTP 503", fails=3, passes=0, weight=1, maintenance=False,
                     guarded=False, removed=False, check="HTTP /", interval=5, fall=3, rise=2,
                     action="quiesce")
    health = HealthState(True, 1, 0, "monitor", {(WEB.key, ("172.26.46.80", 80)): h})
    states = observed_states(health, ClusterState(True, me="d1", resources="all"),
                             ["172.26.46.119", "10.0.0.9"], {"172.26.46.119"})
    assert states == {("health", RS): "DOWN (HTTP 503)",
                      ("failover", "heartbeat"): "d1: resources all",
                      ("failover", "VIP 172.26.46.119"): "held by this director",
                      ("failover", "VIP 10.0.0.9"): "not held by this director"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lvstui", "history", *args],
                          capture_output=True, text=True, timeout=60)


def test_export_csv_and_json_of_one_row(tmp_path):
    history, now = record(0.1, tmp_path=tmp_path)
    db, since = str(tmp_path / "h.db"), f"@{now - 60:.0f}"
    done = run("--db", db, "--export", "csv", "-t", "172.26.46.119:80", "-r", "172.26.46.80",
               "--since", since)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["time", "epoch", *FIELDS]
    assert [(float(r["epoch"]), float(r["cps"])) for r in rows] == [
        (t, v[CPS]) for t, v in history.series(RS, now - 60, now)]
    done = run("--db", db, "--export", "csv", "-t", "172.26.46.119:80", "-r", "172.26.46.80")
    assert len(done.stdout.splitlines()) == 1 + 72        # the whole record: every sample
    done = run("--db", db, "--export", "json", "-t", "172.26.46.119:80", "--since", since)
    data = json.loads(done.stdout)
    assert data["row"] == "-t 172.26.46.119:80" and len(data["samples"]) == 13
    for args, words in ((("-t", "10.9.9.9:80"), "-t 10.9.9.9:80 has no samples in"),
                        ((), "--export needs the service"),
                        (("-t", "172.26.46.119:80", "--since", "@2000000"), "no samples of"),
                        (("-t", "172.26.46.119:80", "-r", "nonsense:x"), "")):
        done = run("--db", db, "--export", "csv", *args)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("lvstui: ") and words in done.stderr
        assert done.stderr.count("\n") == 1


def test_a_killed_recorder_leaves_a_whole_database_and_the_next_appends(tmp_path):
    db = str(tmp_path / "h.db")
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "lvstui", "--demo", "record", "--db", db,
                                 "--interval", "0.05"], stderr=subprocess.PIPE, text=True)
        proc.stderr.readline()
        deadline = time.monotonic() + patience(7)
        while sqlite3.connect(db).execute("SELECT count(*) FROM spans WHERE last > start"
                                          ).fetchone()[0] <= round_:
            assert time.monotonic() < deadline, "the recorder wrote nothing"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM spans").fetchone()[0] == 3
    assert con.execute("SELECT count(DISTINCT t) FROM samples").fetchone()[0] >= 3
