"""Commit confirmed (``--confirm-within``): changes wait for the operator's ``C``; when the
time runs out, or the terminal hangs up, they revert by themselves (mixed into the console app,
whose session, ``run_case`` and banner it uses)."""

from __future__ import annotations

import contextlib

from textual import work
from textual.css.query import NoMatches

from .confirm import Confirm
from .events import ChangeDone
from .format import plural


class PendingChanges:
    def pending_text(self) -> str:
        left = max(0, int(self.session.revert_at - self.session.clock()))
        return (f"UNCONFIRMED: {plural(len(self.session.unconfirmed), 'change')} revert in "
                f"{left // 60}:{left % 60:02d} unless confirmed (C)")

    def check_confirm(self) -> None:
        """Count the time to confirm down; when it has run out, revert (in a worker)."""
        if not self.session.unconfirmed:
            return
        with contextlib.suppress(NoMatches):
            self.show_banner()
        if self.session.clock() >= self.session.revert_at:
            self.run_case(self.session.revert_unconfirmed)

    def action_confirm(self) -> None:
        self.run_case(self.session.confirm)

    async def action_quit(self) -> None:
        if not self.session.unconfirmed:
            self.exit()
            return
        count = plural(len(self.session.unconfirmed), "unconfirmed change")
        self.push_screen(Confirm(f"Quit with {count}: revert them first?",
                                 "y reverts them and quits; n stays (C confirms them)."),
                         self.revert_and_quit)

    @work(thread=True, group="change")
    def revert_and_quit(self, yes: bool) -> None:
        if yes:
            self.post_message(ChangeDone(self.session.revert_unconfirmed(now=True)))
            self.call_from_thread(self.exit)

