"""A health event says why the server is down — its last failure — even when its latest
check has passed already (it waits to rise): never "DOWN (ok)"."""

from __future__ import annotations

from types import SimpleNamespace

from lvstui.health.state import HealthState, ServerHealth
from lvstui.history.events import verdict
from lvstui.ui.health import health_changes

KEY = ((2, "tcp", "172.26.46.119", 80, 0), ("172.26.46.81", 80))


def health(up: bool, result: str, last_failure: str) -> HealthState:
    h = ServerHealth(up, 0.0, 1.0, 0.002, result, last_failure, 0, 1, 1, False, False, False,
                     "http /", 2.0, 2, 2, "quiesce")
    return HealthState(True, 1, 1.0, "health.toml", {KEY: h})


def test_down_says_the_failure_not_the_passing_check():
    before, now = health(True, "ok", ""), health(False, "ok", "HTTP 503")
    service = SimpleNamespace(key=KEY[0], name="TCP 172.26.46.119:80")
    assert health_changes(before, now, [service]) == [
        "health: TCP 172.26.46.119:80 172.26.46.81:80 DOWN (HTTP 503)"]
    assert verdict(now.servers[KEY]) == "DOWN (HTTP 503)"
    assert verdict(health(False, "refused", "refused").servers[KEY]) == "DOWN (refused)"


def test_a_read_with_no_change_looks_up_no_names():
    """At 5,000 services the names are a map built per read: only when a server changed."""
    class Untouchable:
        def __iter__(self):
            raise AssertionError("the services were read for names")

    before, again = health(True, "ok", ""), health(True, "ok", "")
    assert health_changes(before, again, Untouchable()) == []
    assert health_changes(before, before, Untouchable()) == []


def test_the_state_column_has_a_word_per_reason():
    """Why the kernel's weight is what it is, in one word (the Weight column shows 0/5)."""
    from dataclasses import replace

    from lvstui.model import Forwarding, RealServer
    from lvstui.ui.panes import server_state, weight_text
    rs = RealServer("172.26.46.81", 80, Forwarding.ROUTE, weight=5)
    h = replace(health(True, "ok", "").servers[KEY], weight=5)
    down = replace(h, up=False, result="HTTP 503", last_failure="HTTP 503")
    cases = [(rs, None, "live"), (rs, h, "live"),
             (replace(rs, weight=2), h, "ramping"),
             (rs, replace(down, guarded=True), "kept"),
             (rs, replace(down, override=True), "override"),
             (replace(rs, weight=0), down, "quiesced"),
             (replace(rs, weight=0, active_conns=3), replace(h, maintenance=True), "draining 3"),
             (replace(rs, weight=0), replace(h, maintenance=True), "drained")]
    assert [server_state(r, s) for r, s, _ in cases] == [word for *_, word in cases]
    assert weight_text(replace(rs, weight=0), down) == "0/5"
