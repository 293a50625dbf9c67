"""Run inside a namespace: the console on this namespace's real network, driven by Pilot.

Takes the director's interface as its argument; prints what the screens showed."""

from __future__ import annotations

import asyncio
import sys
import tempfile

from textual.widgets import DataTable

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.system.network import HostNetwork
from lvstui.session import Session
from lvstui.ui.app import LvsApp


def rows(app, table_id):
    table = app.screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def main(interface: str) -> None:
    network = HostNetwork(interface)
    app = LvsApp(Session(reference_cluster(), network=network, audit=AuditLog(tempfile.mktemp())), refresh=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("n")
        await pilot.pause(0.8)
        print("before", rows(app, "#vips")[0][2])
        print("profile", [r[3] for r in rows(app, "#settings")])
        app.screen.query_one("#vips", DataTable).focus()
        await pilot.press("enter", "y")          # add the VIP here (announced)
        await pilot.pause(1.5)
        print("after add", rows(app, "#vips")[0][2])
        await pilot.press("a", "y")              # apply the director profile
        await pilot.pause(0.8)
        print("profile", [r[3] for r in rows(app, "#settings")])
    network.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
