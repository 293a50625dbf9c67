"""Commit confirmed (``--confirm-within``): changes wait for the operator's ``C``; when the
time runs out, or the terminal hangs up, they revert by themselves (mixed into the console app,
whose session, ``run_case`` and banner it uses)."""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches

from .confirm import Confirm
from .format import plural


class PendingChanges:
    def pending_text(self) -> str:
        left = max(0, int(self.session.journal.revert_at - self.session.journal.clock()))
        return (f"UNCONFIRMED: {plural(len(self.session.journal.unconfirmed), 'change')} revert in "
                f"{left // 60}:{left % 60:02d} unless confirmed (C)")

    def check_confirm(self) -> None:
        """Count the time to confirm down; when it has run out, revert (in a worker)."""
        if not self.session.journal.unconfirmed:
            return
        with contextlib.suppress(NoMatches):
            self.show_banner()
        if self.session.journal.clock() >= self.session.journal.revert_at:
            self.run_case(self.session.journal.revert_unconfirmed,
                          then=lambda _: self.call_from_thread(self.reverted_by_time))

    def reverted_by_time(self) -> None:
        """The quit question, if open, no longer asks about changes that are gone."""
        screen = self.screen
        if isinstance(screen, Confirm) and screen.question.startswith("Quit with"):
            screen.ask_again("The unconfirmed changes have reverted by themselves (the time "
                             "ran out): quit?", "y quits; n stays.")

    def action_confirm(self) -> None:
        self.run_case(self.session.journal.confirm)

    async def action_quit(self) -> None:
        if not self.session.journal.unconfirmed:
            self.exit()
            return
        count = plural(len(self.session.journal.unconfirmed), "unconfirmed change")
        self.push_screen(Confirm(f"Quit with {count}: revert them first?",
                                 "y reverts them and quits; n stays (C confirms them)."),
                         self.revert_and_quit)

    def revert_and_quit(self, yes: bool) -> None:
        if yes and not self.session.journal.unconfirmed:      # reverted by the time meanwhile
            self.exit()
        elif yes:
            self.run_case(self.session.journal.revert_unconfirmed, True,
                          then=lambda _: self.call_from_thread(self.exit))

