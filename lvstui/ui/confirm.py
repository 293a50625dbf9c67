"""Questions before anything destructive: yes/no, or a word to type for the worst ones."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from .widgets.field import Field


class Confirm(ModalScreen[bool]):
    """Dismissed with True only by "y" or the Yes button; Escape or "n" is No."""

    BINDINGS = [("y", "answer(True)", "Yes"), ("n", "answer(False)", "No"),
                ("escape", "answer(False)", "No")]

    def __init__(self, question: str, details: str = ""):
        super().__init__()
        self.question, self.details = question, details

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="question")
            if self.details:
                with VerticalScroll(id="details-box"):
                    yield Static(self.details, id="details", markup=False)
            yield from self.answer()
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def answer(self) -> ComposeResult:
        yield from ()

    def ask_again(self, question: str, details: str) -> None:
        """The question changed while it was open (what it asked about happened)."""
        self.question, self.details = question, details
        self.query_one("#question", Static).update(question)
        for box in self.query("#details"):
            box.update(details)

    def on_mount(self) -> None:
        self.ready()

    def ready(self) -> None:
        """No has the focus: Enter on a question read too fast says no."""
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class TypedConfirm(Confirm, inherit_bindings=False):
    """For what empties most of the table: Yes only once *word* is typed (``y`` is just a
    letter here); Escape is No."""

    BINDINGS = [("escape", "answer(False)", "No")]

    def __init__(self, question: str, details: str, word: str):
        super().__init__(question, details)
        self.word = word

    def answer(self) -> ComposeResult:
        yield Static(f"Type {self.word} to confirm:", id="type-word")
        yield Field(id="typed")

    def ready(self) -> None:
        self.query_one("#yes", Button).disabled = True
        self.query_one("#typed", Input).focus()

    @on(Input.Changed, "#typed")
    def typed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value.strip() != self.word

    @on(Input.Submitted, "#typed")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.word:
            self.dismiss(True)


class Choice(ModalScreen):
    """Two or more ways to do a thing, each with its key and button; dismissed with the value
    of the one chosen, or None (Escape: neither, nothing done)."""

    BINDINGS = [("escape", "pick(-1)", "Neither")]

    def __init__(self, question: str, options: list[tuple[str, str, object]]):
        super().__init__()
        self.question, self.options = question, options      # (key, label, value)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="question")
            with Vertical(id="choices"):
                for i, (key, label, _) in enumerate(self.options):
                    yield Button(f"{label} ({key})", id=f"choice-{i}")
            with Horizontal(id="buttons"):
                yield Button("Neither (Esc)", id="neither", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#neither", Button).focus()        # Enter read too fast: nothing

    def on_key(self, event) -> None:
        for i, (key, _, _) in enumerate(self.options):
            if event.key == key:
                event.stop()
                self.action_pick(i)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_pick(int(event.button.id.split("-")[1]) if event.button.id != "neither"
                         else -1)

    def action_pick(self, index: int) -> None:
        self.dismiss(self.options[index][2] if index >= 0 else None)
