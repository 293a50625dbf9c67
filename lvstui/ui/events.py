"""What the console's workers and screens tell the app: a read, a use case's result."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget

from ..session import Result, Session, Snapshot


@dataclass
class TableRead(Message, bubble=False):
    """One poll's result (``Session.read``): a newer one replaces it in the queue."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TableRead)


@dataclass
class ChangeDone(Message, bubble=False):
    """A use case's result: its commands are logged, the services it touched swapped in."""

    result: Result | None


def may_change(widget: Widget, session: Session) -> bool:
    """True when the session may change things; else the reason, notified and logged."""
    why = session.why_not()
    if why:
        widget.app.post_message(ChangeDone(Result(error=f"refused: {why}")))
    return why is None
