"""Sparklines of connections/s: one point per window (its peak), scaled per row, rows gone
from the table dropped; in the console beside the rate."""

from __future__ import annotations

from lvstui.demo import Traffic, reference_cluster
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.trends import BARS, Trends
from lvstui.ui.widgets.rowtable import RowTable

from .test_console import cells
from .wait import until


def test_one_point_per_window_its_peak_scaled_per_row():
    table = reference_cluster()
    svc = table.services()[0]
    trends = Trends(points=4, every=5.0)
    for t, cps in ((0, 10), (1, 50), (6, 0), (12, 100), (18, 0)):
        svc.stats.cps = cps
        trends.update([svc], t)
    line = trends.spark(svc.key)
    assert len(line) == 4
    # windows: [10] at 0, then [50, 0] closed at 6 -> 50, [100] closed at 12, [0] at 18
    assert line == BARS[0] + BARS[3] + BARS[7] + BARS[0], line
    trends.update([], 30)                                 # the service is gone
    assert trends.spark(svc.key) == ""


async def test_the_console_draws_the_trend_beside_the_rate():
    table = reference_cluster()
    now = [0.0]
    app = LvsApp(Session(table, traffic=Traffic(table)), refresh=0.05, clock=lambda: now[0])
    async with app.run_test(size=(160, 40)) as pilot:
        services = app.query_one("#services", RowTable)

        def drawn() -> str:
            now[0] += 1.0                 # every read: one second on
            return cells(services, "Conn/s trend")[0] if services.items else ""
        await until(pilot, lambda: len(drawn().strip()) >= 4, 15)
        assert set(drawn().strip()) <= set(BARS)
