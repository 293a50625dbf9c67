"""The session's one thread that carries out the console's changes, in the order the operator
asked.

Two quick ``+`` presses each read the weight and write it back: on two threads one increment
could be lost, and the undo, redo and unconfirmed stacks would be changed by two threads at
once. Every change of the console (table, pair, heartbeat files, network, failover, confirm and
revert) is queued here instead; reads keep their own workers."""

from __future__ import annotations

import queue
import threading
from typing import Callable

from .results import Result


class ChangeWorker:
    """Runs use cases one at a time, oldest first; each result goes to ``deliver`` (from this
    thread: the console sets it), then to the job's own *then*, if it has one."""

    def __init__(self, deliver: Callable[[Result], None] | None = None):
        self.deliver = deliver or (lambda result: None)
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, case: Callable[..., Result], *args,
               then: Callable[[Result], None] | None = None) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="lvstui-changes")
                self._thread.start()
        self._jobs.put((case, args, then))

    @property
    def idle(self) -> bool:
        """Nothing queued or running (every job's result delivered)."""
        return self._jobs.unfinished_tasks == 0

    def _run(self) -> None:
        while True:
            case, args, then = self._jobs.get()
            try:
                result = case(*args)
            except Exception as exc:      # a bug must not stop every later change
                result = Result(error=f"{type(exc).__name__}: {exc} (lvstui's own error: "
                                      "the change may or may not have been made; read again)")
            try:
                if result is not None:
                    self.deliver(result)
                if then is not None:
                    then(result)
            except Exception:         # the screen that asked is gone (the change is made and
                pass                  # shown): the next change must still run
            finally:
                self._jobs.task_done()
