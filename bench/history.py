"""The recorder's cost and the history's size, side by side with the anchor, in one run (host,
in-memory table).

    .venv/bin/python bench/history.py [--services 1000] [--servers 10] [--ticks 30]

At --services x --servers real servers (default 10,000), every server's traffic moving as a
director's does (a slow swing per server plus a few percent of noise: the "steady" model):
- the CPU one read-and-record costs (what ``lvstui record --interval 1`` takes of a core),
  next to the read alone — the anchor, what any poller pays;
- the database's size after a day and after a week, from the measured size of a point of every
  sample, of the 10 s means and of the minute means and the tiers' times (samples.TIERS), and
  the same for traffic where every value is random (the control: the worst case for
  compression);
- the time to read and draw a 24 h plot of one real server (1,440 minute points);
- ``history --at`` at the worst point (a checkpoint with 49 changes after it replayed).
The control for the change record: 49 ticks with one weight changed each must record exactly
one change each (asserted).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.console import build  # noqa: E402
from lvstui.history import History, Recorder  # noqa: E402
from lvstui.history.samples import TIERS  # noqa: E402
from lvstui.history.store import CHECKPOINT_EVERY  # noqa: E402
from lvstui.session import Session  # noqa: E402
from lvstui.ui.plots import draw  # noqa: E402


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


class Load:
    """Moves every real server's rates: *steady* (a slow swing and ~3% noise) or random."""

    def __init__(self, table, steady: bool):
        self.table, self.steady, self.rnd = table, steady, random.Random(5)
        with table.held() as services:
            self.base = {id(rs): self.rnd.randint(5, 200) for svc in services
                         for rs in svc.servers}

    def tick(self, t: float) -> None:
        rnd = self.rnd
        with self.table.held() as services:
            for svc in services:
                for rs in svc.servers:
                    st = rs.stats
                    if self.steady:
                        cps = self.base[id(rs)] * (1.3 + math.sin(t / 900 + id(rs) % 7))
                        cps = int(cps * rnd.uniform(0.97, 1.03))
                        st.cps, st.inbps, st.outbps = cps, cps * 1400, cps * 52000
                        rs.active_conns, rs.inactive_conns = cps * 2, cps * 5
                    else:
                        st.cps, st.inbps, st.outbps = (rnd.randrange(1 << 16),
                                                       rnd.randrange(1 << 30), rnd.randrange(1 << 32))
                        rs.active_conns, rs.inactive_conns = (rnd.randrange(1 << 16),
                                                              rnd.randrange(1 << 16))


def growth(args, steady: bool) -> tuple[float, float, float, dict]:
    """(quiet tick CPU, read CPU, bytes/day, bytes/week, per-point bytes by tier) for a model."""
    table = build(args.services, args.servers)
    load = Load(table, steady)
    gc.freeze()        # the table itself is the kernel's: its objects are not the recorder's
    db = os.path.join(tempfile.mkdtemp(prefix="bench-history-"), "history.db")
    history = History(db, writer=True)
    clock = [1_000_000.0]
    recorder = Recorder(table, history, None, every=1.0, clock=lambda: clock[0])
    ticks = []
    for _ in range(args.ticks + 130):              # past two minute points
        clock[0] += 1
        load.tick(clock[0])
        ticks.append(cpu(recorder.tick))
    anchor = [cpu(table.services) for _ in range(args.ticks)]
    point = {}
    for tier in range(3):                          # the coarser tiers' points are as big
        n, size = history.db.execute("SELECT count(DISTINCT t), sum(length(data)) FROM samples "
                                     "WHERE tier = ?", (tier,)).fetchone()
        point[tier] = size / n
    return (statistics.median(ticks[1:]), statistics.median(anchor), kept(point, 86400),
            kept(point, 7 * 86400), point, history)


def kept(point: dict, seconds: float) -> float:
    """Bytes the record holds after *seconds* of recording every second: each tier keeps
    min(its time, seconds) / its step points (the coarsest tiers' points sized as the last
    measured)."""
    return sum(point[min(tier, max(point))] * min(keep, seconds) / max(step, 1)
               for tier, (step, keep) in enumerate(TIERS))


def plot_24h(args, history: History) -> float:
    """A day of minute points (the measured ones repeated), read and drawn at 200 x 30."""
    now = history.db.execute("SELECT max(t) FROM samples WHERE tier = 2").fetchone()[0]
    rows = history.db.execute("SELECT rowset, data FROM samples WHERE tier = 2 AND t = ?",
                              (now,)).fetchall()
    with history.db:
        history.db.executemany("INSERT INTO samples VALUES (2, ?, ?, ?)", [
            (now - 60 * i, rowset, data) for i in range(1, 1440) for rowset, data in rows])
    session = Session(build(1, 1), history_path=history.path)
    name = sorted(history.rows())[-1]

    def read_and_draw():
        points, marks = session.record.plot(name, now - 86400, now)
        assert len(points) >= 1440, len(points)
        draw(points, marks, now - 86400, now, 200, 30, 0)
    return statistics.median(cpu(read_and_draw) for _ in range(5))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--ticks", type=int, default=30)
    args = p.parse_args()
    servers = args.services * args.servers
    print(f"{args.services} services x {args.servers} real servers ({servers} servers), "
          f"in-memory table")
    quiet, anchor, day, week, point, history = growth(args, steady=True)
    *_, noisy_day, noisy_week, noisy_point, _ = growth(args, steady=False)
    print(f"one read + record (samples, downsampling)  {quiet * 1000:7.1f} ms CPU "
          f"(= {quiet * 100:.1f}% of a core at --interval 1; target <= 5%)")
    print(f"the read alone (anchor)                    {anchor * 1000:7.1f} ms CPU "
          f"(ratio {quiet / anchor:.2f})")
    print("a point of every row, by tier (every sample / 10 s / minute): steady "
          + " / ".join(f"{point[t] / 1e3:.1f} KB" for t in point) + ", random "
          + " / ".join(f"{noisy_point[t] / 1e3:.1f} KB" for t in noisy_point))
    print(f"samples after a day / a week, steady   {day / 1e6:7.1f} MB  {week / 1e6:7.1f} MB "
          "(target: a week <= 500 MB)")
    print(f"samples after a day / a week, random   {noisy_day / 1e6:7.1f} MB  "
          f"{noisy_week / 1e6:7.1f} MB (the control; the size cap, 500 MB, bounds any case)")
    print(f"a 24 h plot of one real server, read and drawn   {plot_24h(args, history) * 1000:7.0f} ms "
          "(target <= 200 ms)")
    changes_and_at(args)
    return 0


def changes_and_at(args) -> None:
    table = build(args.services, args.servers)
    db = os.path.join(tempfile.mkdtemp(prefix="bench-history-"), "history.db")
    history = History(db, writer=True)
    clock = [1_000_000.0]
    recorder = Recorder(table, history, None, every=1.0, clock=lambda: clock[0])
    recorder.tick()                                        # the first checkpoint
    svc = table.services()[0]
    changed = []
    for weight in range(2, 2 + CHECKPOINT_EVERY - 1):      # 49 changes after the checkpoint
        clock[0] += 1
        table.set_weight(svc, *svc.servers[0].key, weight)
        changed.append(recorder.tick())
    assert changed == [1] * len(changed), changed            # the control: each one recorded
    at = statistics.median(cpu(lambda: History(db).table_at(clock[0])) for _ in range(3))
    print(f"history --at, a checkpoint + {len(changed)} changes replayed   {at * 1000:7.0f} ms "
          "(target <= 1000 ms)")


if __name__ == "__main__":
    sys.exit(main())
