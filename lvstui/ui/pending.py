"""Commit confirmed (``--confirm-within``): changes wait for the operator's ``C``; when the
time runs out, or the terminal hangs up, they revert by themselves. The console's part: the
banner's count-down, the revert when the time is up, and the question when quitting."""

from __future__ import annotations

import contextlib
from textual.css.query import NoMatches

from .confirm import Confirm
from .format import plural


class Unconfirmed:
    def __init__(self, console):
        """*console*: the console app (its session's journal, its banner, its screens)."""
        self.console = console
        self.journal = console.session.journal

    def text(self) -> str:
        left = max(0, int(self.journal.revert_at - self.journal.clock()))
        return (f"UNCONFIRMED: {plural(len(self.journal.unconfirmed), 'change')} revert in "
                f"{left // 60}:{left % 60:02d} unless confirmed (C)")

    def check(self) -> None:
        """Count the time to confirm down; when it has run out, revert (on the change thread)."""
        if not self.journal.unconfirmed:
            return
        with contextlib.suppress(NoMatches):
            self.console.show_banner()
        if self.journal.clock() >= self.journal.revert_at:
            self.console.run_case(self.journal.revert_unconfirmed, then=lambda _: (
                self.console.call_from_thread(self.reverted_by_time)))

    def reverted_by_time(self) -> None:
        """The quit question, if open, no longer asks about changes that are gone."""
        screen = self.console.screen
        if isinstance(screen, Confirm) and screen.question.startswith("Quit with"):
            screen.ask_again("The unconfirmed changes have reverted by themselves (the time "
                             "ran out): quit?", "y quits; n stays.")

    def quit(self) -> None:
        """Quit at once, or ask first to revert the changes still unconfirmed."""
        if not self.journal.unconfirmed:
            self.console.exit()
            return
        count = plural(len(self.journal.unconfirmed), "unconfirmed change")
        self.console.push_screen(Confirm(f"Quit with {count}: revert them first?",
                                         "y reverts them and quits; n stays (C confirms them)."),
                                 self.revert_and_quit)

    def revert_and_quit(self, yes: bool) -> None:
        if yes and not self.journal.unconfirmed:      # reverted by the time meanwhile
            self.console.exit()
        elif yes:
            self.console.run_case(self.journal.revert_unconfirmed, True,
                                  then=lambda _: self.console.call_from_thread(self.console.exit))
