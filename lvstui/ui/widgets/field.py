"""A text field whose editing keys act in the order they were typed.

Textual's ``Input`` types printable keys in its key handler but runs its editing keys
(backspace, the arrows, home, end, delete, enter...) as bindings, which are checked when the
key has bubbled up to the app: keys that arrive in one read from the terminal (a laggy SSH
link, a paste, a fast typist) are then applied out of order — "1", backspace, "30" became "0"
(textual#6605). ``Field`` runs its own bindings in its key handler, as the key comes."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

EDITING_KEYS = {key.strip(): binding.action for binding in Input.BINDINGS
                for key in binding.key.split(",")}


class Field(Input):
    """An ``Input`` with its editing keys applied in order."""

    async def _on_key(self, event: events.Key) -> None:
        action = EDITING_KEYS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)
