"""Waiting for what a worker thread does, instead of sleeping a fixed time."""

from __future__ import annotations

import time

from tests.pace import patience

# The console's read interval in the Pilot tests: four reads a second. The tests wait on
# conditions, never on a number of reads; at twenty a second the UI tier was bound by redraws.
REFRESH = 0.25


async def until(pilot, condition, timeout: float = 3.0) -> None:
    """Let the app run until *condition()* is true (an AssertionError after
    ``patience(timeout)``: *timeout* seconds of an idle host)."""
    limit = patience(timeout)
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {limit:.0f} s")
        await pilot.pause(0.05)          # the app runs meanwhile: a poll, not a wait for time


async def settled(pilot, timeout: float = 3.0) -> None:
    """Until the change worker is idle, every worker but the periodic readers has finished
    and the messages they posted are handled: seen twice, with the app's idle between."""
    app = pilot.app

    def quiet() -> bool:
        return app.session.changes.idle and not [
            w for w in app.workers
            if w.group not in ("poll", "connections", "peer") and not w.is_finished]

    for _ in range(2):
        await pilot.pause()              # the message queues emptied, the screen idle
        await until(pilot, quiet, timeout)


async def first_read(pilot, timeout: float = 3.0) -> None:
    """Until the console has shown its first read (a table, or the error that stopped it)."""
    from textual.css.query import NoMatches
    from textual.widgets import RichLog, Static

    app = pilot.app

    def shown() -> bool:
        try:
            return bool(app.services or app.query_one("#log", RichLog).lines
                        or "read" in str(app.query_one("#status", Static).render()))
        except NoMatches:                # the main view not mounted yet
            return False

    await until(pilot, shown, timeout)
    await settled(pilot)
