"""The keys, from the same table the bindings and the command palette are made of."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"plus": "+", "minus": "-", "greater_than_sign": ">", "less_than_sign": "<",
             "slash": "/", "question_mark": "?", "delete": "Del"}


class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"),
                ("q", "dismiss", "Close")]

    def __init__(self, actions):
        super().__init__()
        self.actions = actions

    def compose(self) -> ComposeResult:
        lines = [f"{KEY_NAMES.get(key, key):>5}  {text}" for key, _a, _l, text in self.actions]
        lines += ["    q  quit", "  ^p  command palette (every action by name)",
                  "", "Click a column title to sort by it; again to reverse. Esc closes."]
        with VerticalScroll(id="help"):
            yield Static("lvstui keys", classes="form-title")
            yield Static("\n".join(lines), markup=False)
