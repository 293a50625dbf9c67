"""The keys live on the screen the help was opened from: its bindings, as the footer has them;
lvstui's own first (in the order of their help texts), then the framework's, each action once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .keys import KEY_NAMES


def live_keys(screen, texts: dict[str, str]) -> list[tuple[str, str]]:
    """(keys, what they do) for each enabled action of *screen* (help itself left out):
    *texts* words them (else the binding's description) and orders lvstui's own keys."""
    order = list(texts)
    actions: dict[str, list] = {}                  # action -> [rank, text, keys]
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or binding.action == "help":
            continue
        ours = _declared_by_lvstui(active.node, key, binding.action)
        rank = (0, order.index(binding.action)) if binding.action in order else (2 - ours, 0)
        entry = actions.setdefault(binding.action, [rank, texts.get(binding.action,
                                                                    binding.description), []])
        entry[0] = min(entry[0], rank)
        entry[2].insert(0 if ours else len(entry[2]), KEY_NAMES.get(key, key))
    ranked = sorted(actions.values(), key=lambda entry: entry[0])    # stable: footer order
    return [("/".join(keys), text) for _, text, keys in ranked]


def _declared_by_lvstui(node, key: str, action: str) -> bool:
    """Whether one of lvstui's own classes binds *key* to *action* (not Textual's)."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("lvstui."):
            continue
        for b in cls.__dict__.get("BINDINGS", ()):
            keys, bound = (b.key, b.action) if isinstance(b, Binding) else (b[0], b[1])
            if bound == action and key in keys.split(","):
                return True
    return False



class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"),
                ("q", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]]):
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        lines = [f"{keys:>6}  {text}" for keys, text in self.keys]
        lines += ["    ^p  command palette (every action by name)",
                  "", "Click a column title to sort by it; again to reverse. Esc closes."]
        with VerticalScroll(id="help"):
            yield Static("lvstui keys", classes="form-title")
            yield Static("\n".join(lines), markup=False)
