"""The one history of the operator's actions: the table's changes and every action outside
it, newest last. ``u`` takes back the newest entry (or says why it cannot, never reaching past
it), ``U`` makes it again; with commit-confirmed, unconfirmed changes are taken back when the
time to confirm runs out."""

from __future__ import annotations

from typing import Callable

from .. import actions
from ..ha import HeartbeatError
from ..system import SettingError
from .area import Area
from .results import Change, Result, inverse

Entry = Change | actions.Action


class Journal(Area):
    """The undo and redo stacks (touched by the one thread that makes changes) and the
    changes waiting for confirmation."""

    def __init__(self, session, confirm_within: float | None, clock: Callable[[], float]):
        super().__init__(session)
        self.undo_stack: list[Entry] = []
        self.redo_stack: list[Entry] = []
        self.confirm_within, self.clock = confirm_within, clock
        self.unconfirmed: list[Change] = []     # commit confirmed: to revert unless
        self.revert_at = 0.0                    # confirmed by then (clock time)

    @property
    def last(self) -> Entry | None:
        return self.undo_stack[-1] if self.undo_stack else None

    def remember(self, change: Change) -> None:
        """A new change: undoable; what was undone before it can no longer be redone. With
        ``confirm_within``: unconfirmed, and the time to confirm starts again."""
        self.redo_stack.clear()
        self._done(change)

    def _done(self, change: Change) -> None:
        self.undo_stack.append(change)
        if self.confirm_within is not None:
            self.unconfirmed.append(change)
            self.revert_at = self.clock() + self.confirm_within

    def act(self, action: actions.Action) -> None:
        """An action outside the table, made: the newest entry of the history (u, U)."""
        self.redo_stack.clear()
        self.undo_stack.append(action)

    def acted(self, result: Result, action: Callable[[], actions.Action]) -> Result:
        """*result* of an action outside the table; remembered (``action()``) when made."""
        if result.ok and not result.dry_run:
            self.act(action())
        return result

    # ------------------------------------------------------------ commit confirmed
    def confirm(self) -> Result:
        """Keep the changes made since the last confirmation."""
        if not self.unconfirmed:
            return Result(error="no change waits for confirmation")
        count, self.unconfirmed = len(self.unconfirmed), []
        return self.record(Result([f"confirm: {count} change(s) kept"]))

    def revert_unconfirmed(self, now: bool = False) -> Result | None:
        """When the time to confirm has run out (or *now*: the operator is gone), every
        unconfirmed change is taken back, newest first; None when there is nothing to do."""
        if not self.unconfirmed or (not now and self.clock() < self.revert_at):
            return None
        pending, self.unconfirmed = self.unconfirmed, []
        self.undo_stack = [ops for ops in self.undo_stack if all(ops is not p for p in pending)]
        back = inverse([op for ops in pending for op in ops])
        return self.session.table.change(
            lambda: back, undoable=False, note="  # not confirmed: reverted",
            peer_ops=lambda: inverse([op for ops in pending for op in ops.peer or []]))

    # ------------------------------------------------------------ u and U
    def undo(self) -> Result:
        """Take back the newest entry not yet undone (deep: each u goes one further back)."""
        if not self.undo_stack:
            return Result(error="nothing to undo")
        if isinstance(self.undo_stack[-1], actions.Action):
            return self._step(forward=False)
        last = self.undo_stack.pop()
        back = inverse(last)
        result = self.session.table.change(lambda: back, undoable=False, note="  # undo",
                                           peer_ops=lambda: inverse(last.peer or []))
        if result.ok and not self.dry_run:
            self.redo_stack.append(last)
            self.unconfirmed = [ops for ops in self.unconfirmed if ops is not last]
        else:
            self.undo_stack.append(last)
        return result

    def redo(self) -> Result:
        """Make again the entry undone last."""
        if not self.redo_stack:
            return Result(error="nothing to redo")
        if isinstance(self.redo_stack[-1], actions.Action):
            return self._step(forward=True)
        last = self.redo_stack.pop()
        result = self.session.table.change(lambda: list(last), undoable=False, note="  # redo",
                                           peer_ops=lambda: list(last.peer or []))
        if result.ok and not self.dry_run:
            self._done(last)
        else:
            self.redo_stack.append(last)
        return result

    def _step(self, forward: bool) -> Result:
        """u (or U) of the newest action outside the table: its reverse (or itself) made and
        audited; the action moves to the other stack only once made."""
        source, target = ((self.redo_stack, self.undo_stack) if forward
                          else (self.undo_stack, self.redo_stack))
        action = source[-1]
        steps, note = (action.redo, "  # redo") if forward else (action.undo, "  # undo")
        if steps is None:
            return Result(error=action.refusal())
        if self.dry_run:
            return self.record(Result([f"{action.what}{note}"], dry_run=True))
        try:
            done = steps()
        except (SettingError, OSError, ValueError, HeartbeatError) as exc:
            return self.record(Result([f"{action.what}{note}"], str(exc)))
        target.append(source.pop())
        return self.record(Result([f"{c}{note}" for c in done] or [f"{action.what}{note}"]))
