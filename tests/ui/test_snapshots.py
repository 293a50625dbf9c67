"""SVG snapshots of the main screens at 80x24 and 160x48 (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/ui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import Traffic, reference_cluster
from lvstui.demo import Sandbox, SimulatedHeartbeat
from lvstui.demo import SimulatedNetwork
from lvstui.session import Session
from lvstui.ui.app import LvsApp

from .wait import first_read


SANDBOX = "/tmp/lvstui-snapshot-demo"      # a fixed path: the heartbeat screen shows it


def demo_app(tmp_path) -> LvsApp:
    table = reference_cluster()
    traffic = Traffic(table)
    for _ in range(5):            # fixed counters: the snapshot must not depend on timing
        traffic.tick()
    network = SimulatedNetwork()
    sandbox = Sandbox(SANDBOX)
    session = Session(table, audit=AuditLog(str(tmp_path / "a.log")), network=network,
                      heartbeat=SimulatedHeartbeat(network), ha_dir=sandbox.ha_dir,
                      rules_path=sandbox.rules)
    return LvsApp(session, refresh=0.1, host="director1", clock=lambda: 1_800_000_000.0)


async def settle(pilot):
    """The first read shown and every worker done: what the screen holds does not change (an
    input's cursor kept shown, not blinking: a blink is not part of the picture)."""
    from textual.widgets import Input
    await first_read(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


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


SCREENS_80x24 = {      # every other screen and form, as the keys that open it
    "server_form": ("tab", "e"), "service_form": ("a",), "weight_prompt": ("tab", "w"),
    "save_prompt": ("s",), "delete_confirm": ("tab", "delete"), "flush_typed": ("F",),
    "heartbeat": ("p",), "connections": ("c",), "help": ("question_mark",),
    "health_detail": ("tab", "i"), "failover_confirm": ("h",),
}


@pytest.mark.parametrize("name", list(SCREENS_80x24))
def test_every_screen_and_form_at_80x24(snap_compare, tmp_path, name):
    async def open_it(pilot):
        await settle(pilot)
        await pilot.press(*SCREENS_80x24[name])
        if name == "failover_confirm":        # its preflight runs on a thread first
            await pilot.app.workers.wait_for_complete(
                [w for w in pilot.app.workers if w.group == "preflight"])
        await settle(pilot)
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=open_it)


def test_the_incident_timeline_at_80x24(snap_compare, tmp_path):
    """Two recorded changes: an operator's drain and someone's ipvsadm, newest first."""
    import os

    from lvstui.history import History, Recorder
    app = demo_app(tmp_path)
    session, table = app.session, app.session.backend
    session.record.path = os.path.join(SANDBOX, "history.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(session.record.path + suffix):
            os.remove(session.record.path + suffix)
    clock = [1_800_000_000.0]
    history = History(session.record.path, writer=True)
    recorder = Recorder(table, history, session.audit.path, hostname="director1",
                        clock=lambda: clock[0])
    recorder.tick()
    svc = table.services()[0]
    for step, change in enumerate((lambda: session.table.drain(svc, svc.servers[0]),
                                   lambda: table.set_weight(svc, *svc.servers[1].key, 3))):
        change()
        clock[0] += 60 * (step + 1)
        recorder.tick()
    history.close()

    async def open_it(pilot):
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_it)


@pytest.mark.parametrize("keys", [("tab", "down", "g", "minus"),
                                  ("left_square_bracket", "left_curly_bracket",
                                   "left_curly_bracket", "left_curly_bracket")],
                         ids=["plot", "as_of"])
def test_the_past_at_80x24(snap_compare, tmp_path, keys):
    """The demo's recorded hour: RS2's last hour as a plot; the table as of 31 minutes ago."""
    import os

    from lvstui.demo.past import record_past
    app = demo_app(tmp_path)
    app.session.record.path = os.path.join(SANDBOX, "past.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(app.session.record.path + suffix):
            os.remove(app.session.record.path + suffix)
    record_past(app.session.record.path, reference_cluster(), "director1", 1_800_000_000.0)

    async def open_it(pilot):
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_it)
