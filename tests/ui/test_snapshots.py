"""SVG snapshots of the main screens at 80x24 and 160x48 (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/ui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import Traffic, reference_cluster
from lvstui.demo import SimulatedHeartbeat
from lvstui.demo import SimulatedNetwork
from lvstui.session import Session
from lvstui.ui.app import LvsApp

from .wait import first_read


def demo_app(tmp_path) -> LvsApp:
    table = reference_cluster()
    traffic = Traffic(table)
    for _ in range(5):            # fixed counters: the snapshot must not depend on timing
        traffic.tick()
    network = SimulatedNetwork()
    session = Session(table, audit=AuditLog(str(tmp_path / "a.log")), network=network,
                      heartbeat=SimulatedHeartbeat(network))
    return LvsApp(session, refresh=0.1, host="director1", clock=lambda: 1_800_000_000.0)


async def settle(pilot):
    """The first read shown and every worker done: what the screen holds does not change."""
    await first_read(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_main_screen(snap_compare, tmp_path, size):
    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_network_screen(snap_compare, tmp_path, size):
    async def open_network(pilot):
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=open_network)


def test_server_form(snap_compare, tmp_path):
    async def open_form(pilot):
        await settle(pilot)
        pilot.app.query_one("#servers").focus()
        await pilot.press("e")
        await settle(pilot)
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=open_form)
