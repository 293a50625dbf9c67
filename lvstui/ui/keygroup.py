"""A group of the main screen's keys as a widget: a container around the panes, so its
bindings are live while the focus is anywhere inside it (Textual looks for a key's binding from
the focused widget up), and only on the main screen.

A group's bindings are ordinary bindings, found after the key has bubbled up from the focused
pane: priority bindings would act before a key typed ahead of them (``Down`` then ``d``) has
reached the pane, and drain the wrong server."""

from __future__ import annotations

from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip


class KeyGroup(Vertical):
    DEFAULT_CSS = "KeyGroup { height: 1fr; }"

    def render_lines(self, crop: Region) -> list[Strip]:
        """Nothing of its own to paint: its panes cover it and the screen shows through where
        they do not. Painted, each group's lines would be rendered and cut at every pane's edge
        on each frame under the panes (2-3 ms a keypress at 5,000 services)."""
        return []

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
