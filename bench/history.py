"""The recorder's cost, side by side with the anchor, in one run (host, in-memory table).

    .venv/bin/python bench/history.py [--services 1000] [--servers 10] [--ticks 30]

At --services x --servers real servers (default 10,000): the CPU one read-and-record costs
(what ``lvstui record --interval 1`` takes of a core), next to the read alone — the anchor,
what any poller pays —; the control: a tick where one weight changed must record one change.
Then ``history --at`` at the worst point (a checkpoint with 49 changes after it replayed) and
the database's growth per change.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.console import build  # noqa: E402
from lvstui.history import History, Recorder  # noqa: E402
from lvstui.history.store import CHECKPOINT_EVERY  # noqa: E402


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--ticks", type=int, default=30)
    args = p.parse_args()
    table = build(args.services, args.servers)
    db = os.path.join(tempfile.mkdtemp(prefix="bench-history-"), "history.db")
    history = History(db, writer=True)
    clock = [1_000_000.0]
    recorder = Recorder(table, history, None, every=1.0, clock=lambda: clock[0])
    recorder.tick()                                        # the first checkpoint
    quiet = [cpu(recorder.tick) for _ in range(args.ticks)]
    anchor = [cpu(table.services) for _ in range(args.ticks)]
    svc = table.services()[0]
    changed = []
    for weight in range(2, 2 + CHECKPOINT_EVERY - 1):      # 49 changes after the checkpoint
        clock[0] += 1
        table.set_weight(svc, *svc.servers[0].key, weight)
        changed.append(recorder.tick())
    assert changed == [1] * len(changed), changed            # the control: each one recorded
    size = os.path.getsize(db) + os.path.getsize(db + "-wal")
    at = statistics.median(cpu(lambda: History(db).table_at(clock[0])) for _ in range(3))
    servers = args.services * args.servers
    print(f"{args.services} services x {args.servers} real servers ({servers} servers), "
          f"in-memory table")
    print(f"one read + record, nothing changed  {statistics.median(quiet) * 1000:7.1f} ms CPU "
          f"(= {statistics.median(quiet) * 100:.1f}% of a core at --interval 1; target <= 5%)")
    print(f"the read alone (anchor)             {statistics.median(anchor) * 1000:7.1f} ms CPU "
          f"(ratio {statistics.median(quiet) / statistics.median(anchor):.2f})")
    print(f"history --at, a checkpoint + {len(changed)} changes replayed   {at * 1000:7.0f} ms "
          "(target <= 1000 ms)")
    print(f"database after 1 checkpoint and {len(changed)} changes       {size / 1e6:7.2f} MB "
          f"(a checkpoint every {CHECKPOINT_EVERY} changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
