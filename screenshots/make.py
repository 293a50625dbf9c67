"""Make the README's screenshots from the demo: ``.venv/bin/python screenshots/make.py``."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lvstui.audit import AuditLog  # noqa: E402
from lvstui.demo import SimulatedChecks, Traffic, reference_cluster  # noqa: E402
from lvstui.health.checks import Check  # noqa: E402
from lvstui.health.engine import Monitor, Policy  # noqa: E402
from lvstui.health.sources import LocalMonitor  # noqa: E402
from lvstui.demo import Sandbox, SimulatedHeartbeat  # noqa: E402
from lvstui.demo import SimulatedNetwork  # noqa: E402
from lvstui.demo.past import record_past  # noqa: E402
from lvstui.demo.peer import demo_peer  # noqa: E402
from lvstui.ipvs.memory import MemoryBackend  # noqa: E402
from lvstui.ipvs.rules import parse_rules, save  # noqa: E402
from lvstui.session import Session  # noqa: E402
from lvstui.ui.app import LvsApp  # noqa: E402


async def main() -> None:
    table = reference_cluster()
    traffic = Traffic(table)
    # the demo's checks stopped at the moment RS2 answers HTTP 503: it has been quiesced
    moment = itertools.chain([0.0], itertools.repeat(50.0))   # started at 0, then 50 s on
    policy = Policy(Check("http"), interval=2, fall=2, rise=2)
    monitor = Monitor(table, [(table.services()[0].without_servers(), policy)],
                      log=lambda message: None, probe=SimulatedChecks(clock=moment.__next__))
    for _ in range(policy.fall):
        await monitor.round(*monitor.services[0])
    for _ in range(30):
        traffic.tick()
    shots = (("console-160x48.svg", (160, 48), ()), ("console-80x24.svg", (80, 24), ()),
             ("network-160x48.svg", (160, 48), ("n",)), ("connections-160x48.svg", (160, 48), ("c",)),
             ("health-160x48.svg", (160, 48), ("tab", "down", "i")),
             ("form-80x24.svg", (80, 24), ("tab", "e")), ("flush-80x24.svg", (80, 24), ("F",)),
             ("heartbeat-80x24.svg", (80, 24), ("p",)),
             ("pair-120x32.svg", (120, 32), ("tab",)), ("pair-screen-100x30.svg", (100, 30), ("P",)),
             ("timeline-120x30.svg", (120, 30), ("H",)),
             ("plot-120x32.svg", (120, 32), ("tab", "down", "g", "minus")),
             ("as-of-120x30.svg", (120, 30), ("left_square_bracket", "left_curly_bracket",
                                              "left_curly_bracket", "left_curly_bracket")))
    sandbox = Sandbox("/tmp/lvstui-demo")
    for name, size, keys in shots:
        network = SimulatedNetwork()
        health = LocalMonitor(monitor, "checked by this console (simulated real servers)")
        session = Session(table, traffic=traffic, audit=AuditLog(os.devnull), network=network,
                          heartbeat=SimulatedHeartbeat(network), health=health,
                          ha_dir=sandbox.ha_dir, hostname="rh1.cluster.net",
                          peer_opener=demo_peer if name.startswith("pair") else None)
        if name.startswith("timeline"):
            session.history_path = recorded_history(session, sandbox.root)
        if name.startswith(("plot", "as-of")):
            session.history_path = os.path.join(sandbox.root, f"{name}.db")
            record_past(session.history_path, reference_cluster(), "rh1.cluster.net",
                        time.time())
        app = LvsApp(session, refresh=0.2, host="rh1.cluster.net")
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.6 if app.pair is None else 3.0)
            await pilot.press(*keys)
            await pilot.pause(0.6 if app.pair is None else 3.0)
            app.save_screenshot(os.path.join(HERE, name))
        session.close_peer()
        health.close()
    sandbox.close()


def recorded_history(session, root: str) -> str:
    """A history of the night: RS2 put back by the monitor, drained by an operator, someone's
    ipvsadm raising RS1's weight (a copy of the table: the shots go on with the original)."""
    from lvstui.audit import AuditLog as Audit
    from lvstui.history import History, Recorder
    table = copy_of(session.backend)
    path, audit = os.path.join(root, "history.db"), os.path.join(root, "history-audit.log")
    clock = [1_764_126_000.0]                       # 2025-11-26 03:00 UTC
    history = History(path, writer=True)
    recorder = Recorder(table, history, audit, hostname="rh1.cluster.net",
                        clock=lambda: clock[0])
    recorder.tick()
    svc = table.services()[0]
    rs1, rs2 = sorted(svc.servers, key=lambda r: r.address)
    operator = Session(table, audit=Audit(audit), hostname="rh1.cluster.net")
    steps = (lambda: Session(table, audit=Audit(audit, via="monitor")).set_weight(
                 svc, rs2, lambda w: 1),
             lambda: operator.drain(svc, rs2),
             lambda: table.set_weight(svc, *rs1.key, 2))
    for minutes, step in zip((12, 19, 31), steps):
        step()
        clock[0] = 1_764_126_000.0 + minutes * 60
        recorder.tick()
    history.close()
    return path


def copy_of(backend) -> MemoryBackend:
    """The table's configuration in a table of its own (the shots go on with the original)."""
    table = MemoryBackend()
    for svc in parse_rules(save(backend.services())).services:
        table.add_service(svc.without_servers())
        for rs in svc.servers:
            table.add_server(svc, rs)
    return table


if __name__ == "__main__":
    asyncio.run(main())
