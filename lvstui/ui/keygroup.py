"""A group of the main screen's keys as a widget: a container around the panes, so its
bindings are live while the focus is anywhere inside it (Textual looks for a key's binding from
the focused widget up), and only on the main screen."""

from __future__ import annotations

from textual.containers import Vertical


class KeyGroup(Vertical):
    DEFAULT_CSS = "KeyGroup { height: 1fr; }"

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Live (and in the footer) only while the main view is the screen shown: under a
        dialog, the main view's footer shows the dialog's keys alone."""
        return self.screen is self.app.screen

    @property
    def console(self):
        """The console app (LvsApp): its session, its latest read, its use-case queue."""
        return self.app

    @property
    def session(self):
        """The console's session: the use cases the keys call."""
        return self.console.session

    def may_change(self) -> bool:
        """The console's word on whether anything may change now (else why not, shown)."""
        return self.console.may_change()

    def run_case(self, case, *args, then=None) -> None:
        """A use case, queued to the session's change thread (the console shows its result)."""
        self.console.run_case(case, *args, then=then)

    @property
    def main(self):
        """The main view (MainScreen) this group's keys act on: its selection, its log."""
        return self.screen
