"""The keys live on the screen the help was opened from: its bindings, as the footer has them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .keys import KEY_NAMES



class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"),
                ("q", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]]):
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        lines = [f"{KEY_NAMES.get(key, key):>6}  {text}" for key, text in self.keys]
        lines += ["    ^p  command palette (every action by name)",
                  "", "Click a column title to sort by it; again to reverse. Esc closes."]
        with VerticalScroll(id="help"):
            yield Static("lvstui keys", classes="form-title")
            yield Static("\n".join(lines), markup=False)
