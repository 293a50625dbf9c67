"""Run inside a namespace: the console on this namespace's real network, driven by Pilot.

Takes the director's interface as its argument; prints what the screens showed."""

from __future__ import annotations

import asyncio
import faulthandler
import pathlib
import sys
import tempfile

from textual.widgets import DataTable

sys.path.insert(0, str(pathlib.Path(__file__).parents[2]))     # this tree's lvstui and tests

from lvstui.audit import AuditLog  # noqa: E402
from lvstui.demo import reference_cluster  # noqa: E402
from lvstui.system.network import HostNetwork  # noqa: E402
from lvstui.session import Session  # noqa: E402
from lvstui.ui.app import LvsApp  # noqa: E402
from tests.pace import patience  # noqa: E402
from tests.ui.wait import until  # noqa: E402


def rows(app, table_id):
    table = app.screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def main(network: HostNetwork) -> None:
    session = Session(reference_cluster(), network=network, audit=AuditLog(tempfile.mktemp()))
    app = LvsApp(session, refresh=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.services)
        await pilot.press("n")
        await until(pilot, lambda: rows(app, "#vips") and rows(app, "#settings"))
        print("before", rows(app, "#vips")[0][2])
        print("profile", [r[3] for r in rows(app, "#settings")])
        app.screen.query_one("#vips", DataTable).focus()
        await pilot.press("enter", "y")          # add the VIP here (announced)
        await until(pilot, lambda: rows(app, "#vips")[0][2].startswith("yes"))
        print("after add", rows(app, "#vips")[0][2])
        await pilot.press("A", "y")              # apply the director profile
        await until(pilot, lambda: all(r[3] == "yes" for r in rows(app, "#settings")))
        print("profile", [r[3] for r in rows(app, "#settings")])


if __name__ == "__main__":
    # fresh-clone run 37 saw this script never end, nothing said where: a wait that outlasts
    # any the script makes prints every thread's stack and ends it (run 41's named the place)
    faulthandler.dump_traceback_later(patience(60), exit=True)
    host = HostNetwork(sys.argv[1])
    try:
        asyncio.run(main(host))
    finally:
        host.close()        # as the console does: once asyncio.run has joined the read worker
