"""What the console's Pilot tests share: the consoles they drive (the demo's) and the readings
of a console's panes, log, audit log and timeline."""

from __future__ import annotations

from textual.widgets import RichLog

from lvstui.audit import AuditLog
from lvstui.demo import Sandbox, SimulatedHeartbeat, SimulatedNetwork, reference_cluster
from lvstui.model import parse_service
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.history import TimelineScreen
from lvstui.ui.widgets.rowtable import RowTable

from .wait import REFRESH, settled, until

WEB = parse_service("172.26.46.119:80")


def log(app) -> str:
    """The log pane's text (its wrapped lines joined again)."""
    return " ".join(line.text.strip() for line in app.query_one("#log", RichLog).lines)


def demo_app(tmp_path, table=None, refresh: float = REFRESH, **kw) -> LvsApp:
    table = table or reference_cluster()
    network = SimulatedNetwork()
    sandbox = Sandbox(str(tmp_path / "demo"))
    session = Session(table, network=network, heartbeat=SimulatedHeartbeat(network),
                      ha_dir=sandbox.ha_dir, rules_path=sandbox.rules,
                      audit=AuditLog(sandbox.audit), **kw)
    return LvsApp(session, refresh=refresh)


def audit(app) -> str:
    try:
        with open(app.session.audit.path) as fh:
            return fh.read()
    except FileNotFoundError:
        return ""


def cells(table: RowTable, column: int | str) -> list[str]:
    """One column's texts, the column named by its index or its title."""
    if isinstance(column, str):
        column = [c.title for c in table.columns].index(column)
    return [table.row_text(i)[column] for i in range(len(table.items))]


async def timeline_rows(app, pilot) -> list:
    """The console settled, H pressed: the timeline's entries once they are read."""
    await settled(pilot)
    await pilot.press("H")
    await until(pilot, lambda: isinstance(app.screen, TimelineScreen)
                and app.screen.query_one("#timeline", RowTable).items)
    return app.screen.query_one("#timeline", RowTable).items
