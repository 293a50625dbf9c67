"""Sparklines of connections/s and bytes/s: one point per EVERY seconds (the kernel's rate
then), scaled per row, rows gone from the table dropped; in the console beside the rates."""

from __future__ import annotations

from lvstui.demo import Traffic, reference_cluster
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.trends import BARS, BYTES, Trends
from lvstui.ui.widgets.rowtable import RowTable

from .apps import cells
from .wait import until


def test_one_point_per_window_scaled_per_row():
    table = reference_cluster()
    svc = table.services()[0]
    rs = svc.servers[0]
    trends = Trends(points=4, every=5.0)
    for t, cps in ((0, 10), (1, 50), (6, 0), (12, 100), (14, 70), (18, 30)):
        svc.stats.cps = cps
        rs.stats.inbps, rs.stats.outbps = cps, 2 * cps
        trends.update([svc], t)
    # points at 0 (10), 6 (0), 12 (100), 18 (30); 1 and 14 fall inside a window
    assert trends.series(svc.key) == [10, 0, 100, 30]
    assert trends.spark(svc.key) == BARS[0] + BARS[0] + BARS[7] + BARS[2]
    assert trends.series((svc.key, rs.key), BYTES) == [30, 0, 300, 90]
    assert trends.last(svc.key) == 30
    trends.update([], 30)                                 # the service is gone
    assert trends.spark(svc.key) == "" and trends.last(svc.key) == -1


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
        rates = cells(services, "B/s trend")[0].strip()
        assert len(rates) >= 4 and set(rates) <= set(BARS)
