"""What the console's workers and screens tell the app: a read, a use case's result."""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget

from ..session import Result, Session, Snapshot


class TableRead(Message):
    """One poll's result (``Session.read``)."""

    def __init__(self, snapshot: Snapshot):
        super().__init__()
        self.snapshot = snapshot


class ChangeDone(Message):
    """A use case's result: its commands are logged, the services it touched swapped in."""

    def __init__(self, result: Result):
        super().__init__()
        self.result = result


def may_change(widget: Widget, session: Session) -> bool:
    """True when the session may change things; else the reason, notified and logged."""
    why = session.why_not()
    if why:
        widget.app.post_message(ChangeDone(Result(error=f"refused: {why}")))
    return why is None
