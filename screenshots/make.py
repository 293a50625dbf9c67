"""Make the README's screenshots from the demo: ``.venv/bin/python screenshots/make.py``."""

from __future__ import annotations

import asyncio
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lvstui.audit import AuditLog  # noqa: E402
from lvstui.demo import Traffic, reference_cluster  # noqa: E402
from lvstui.ha.cluster import SimulatedHeartbeat  # noqa: E402
from lvstui.system.network import SimulatedNetwork  # noqa: E402
from lvstui.ui.app import LvsApp  # noqa: E402


async def main() -> None:
    table = reference_cluster()
    traffic = Traffic(table)
    for _ in range(30):
        traffic.tick()
    shots = (("console-160x48.svg", (160, 48), ()), ("console-80x24.svg", (80, 24), ()),
             ("network-160x48.svg", (160, 48), ("n",)), ("connections-160x48.svg", (160, 48), ("c",)))
    for name, size, keys in shots:
        network = SimulatedNetwork()
        app = LvsApp(table, refresh=0.2, traffic=traffic, audit=AuditLog(os.devnull),
                     network=network, host="director1", heartbeat=SimulatedHeartbeat(network))
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.6)
            await pilot.press(*keys)
            await pilot.pause(0.6)
            app.save_screenshot(os.path.join(HERE, name))


if __name__ == "__main__":
    asyncio.run(main())
