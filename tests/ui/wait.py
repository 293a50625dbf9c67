"""Waiting for what a worker thread does, instead of sleeping a fixed time."""

from __future__ import annotations

import time


async def until(pilot, condition, timeout: float = 8.0) -> None:
    """Let the app run until *condition()* is true (an AssertionError after *timeout*)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        await pilot.pause(0.05)


async def settled(pilot, timeout: float = 8.0) -> None:
    """Until every worker but the periodic readers has finished, and its messages are handled."""
    app = pilot.app

    def quiet() -> bool:
        return not [w for w in app.workers
                    if w.group not in ("poll", "connections", "peer") and not w.is_finished]

    await pilot.pause(0.05)
    await until(pilot, quiet, timeout)
    await pilot.pause()
    await pilot.pause(0.1)


async def first_read(pilot, timeout: float = 8.0) -> None:
    """Until the console has shown its first read (a table, or the error that stopped it)."""
    from textual.widgets import RichLog, Static

    app = pilot.app
    await until(pilot, lambda: app.services or app.query_one("#log", RichLog).lines
                or "read" in str(app.query_one("#status", Static).render()), timeout)
    await settled(pilot)
