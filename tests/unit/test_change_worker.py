"""The console's one change thread: in the order asked, one at a time, and never stopped by a
change that fails or by a screen that is gone when its change lands."""

from __future__ import annotations

import threading

from lvstui.session import Result
from tests.pace import patience, until
from lvstui.cases.worker import ChangeWorker


def test_changes_run_in_order_and_survive_failures():
    delivered, done = [], threading.Event()
    worker = ChangeWorker(delivered.append)

    def boom():
        raise RuntimeError("a bug")

    def gone(_result):
        raise LookupError("the screen was closed")

    worker.submit(lambda: Result(["first"]))
    worker.submit(boom)
    worker.submit(lambda: Result(["third"]), then=gone)
    worker.submit(lambda: Result(["fourth"]), then=lambda _r: done.set())
    assert done.wait(patience(3))
    until(lambda: worker.idle, 3, "the last job marked done")
    assert [r.commands for r in delivered] == [["first"], [], ["third"], ["fourth"]]
    assert delivered[1].error.startswith("RuntimeError: a bug (lvstui's own error")
