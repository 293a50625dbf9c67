"""Run on a director: the console on the kernel's table, driven by Pilot; prints the real-server
pane as JSON ``{"ADDRESS:PORT": [active, inactive]}`` once the first read is shown."""

from __future__ import annotations

import asyncio
import json
import tempfile

from lvstui.audit import AuditLog
from lvstui.ipvs.netlink import NetlinkBackend
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.widgets.rowtable import RowTable
from tests.ui.wait import first_read


async def main() -> None:
    backend = NetlinkBackend()
    app = LvsApp(Session(backend, audit=AuditLog(tempfile.mktemp())), refresh=60)
    async with app.run_test(size=(160, 48)) as pilot:
        await first_read(pilot)
        table = app.query_one("#servers", RowTable)
        titles = [c.title for c in table.columns]
        rows = [table.row_text(i) for i in range(len(table.items))]
        at = {t: titles.index(t) for t in ("Real server", "Active", "InAct")}
        print(json.dumps({r[at["Real server"]]: [int(r[at["Active"]]), int(r[at["InAct"]])]
                          for r in rows}))
    backend.close()


if __name__ == "__main__":
    asyncio.run(main())
