"""One real server's health checks in detail: what is checked, how, and what it said last."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..model import format_endpoint
from .format import ago


def health_changes(before, state, services) -> list[str]:
    """A log line for each real server that went down or came back between two reads (the
    services' names looked up only when one did: at 5,000 services a read is mostly none)."""
    if state is None or before is None or state is before:
        return []
    changed = [(key, h) for key, h in state.servers.items()
               if (old := before.servers.get(key)) is not None and old.up != h.up]
    if not changed:
        return []
    names = {s.key: s.name for s in services}
    return [f"health: {names.get(key[0], 'service')} {format_endpoint(*key[1])} "
            + ("up again" if h.up else f"DOWN ({h.why_down})") for key, h in changed]


def health_source(health, state) -> str:
    """Where the console's health comes from, for the status line."""
    return f"health: {health.describe(state)}" if health is not None else "health: not watched"


def detail_text(name: str, h, source: str) -> str:
    if h is None:
        return (f"{name}\n\nNo health checks for this real server.\n{source}\n\n"
                "Run `lvstui monitor` on this director (it publishes its state for the "
                "console), or start the console with --health FILE or --ldirectord-config FILE to "
                "check from here.")
    now = time.time()
    state = "up" if h.up else "DOWN"
    if h.maintenance:
        state += " — in maintenance (drained by the operator: checked, never restored)"
    if h.guarded:
        state += " — kept in by the depool limit (too few healthy servers left)"
    if h.removed:
        state += " — not in the table"
    checked = (f"{ago(now - h.checked)} ago: {h.result}"
               + (f" in {h.latency * 1000:.0f} ms" if h.latency is not None else "")
               if h.checked else "not yet")
    return "\n".join([
        name, "",
        f"Check        {h.check}",
        f"Every        {h.interval:g} s; down after {h.fall} failure(s), up after "
        f"{h.rise} success(es); on down: {h.action}",
        f"State        {state} for {ago(now - h.since)}",
        f"Last check   {checked}",
        f"Last failure {h.last_failure or 'none seen'}",
        f"Streak       {h.fails} failure(s), {h.passes} success(es) in a row",
        f"Weight       {h.weight} (configured; restored when up)",
        "", source])


class HealthDetail(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("i", "dismiss", "Close"),
                ("q", "dismiss", "Close")]

    def __init__(self, name: str, health, source: str):
        super().__init__()
        self.text = detail_text(name, health, source)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="health-detail"):
            yield Static("Health checks", classes="form-title")
            yield Static(self.text, markup=False, id="health-text")
