"""Inside the ip_vs VM: the console on the netlink backend changes a weight; ipvsadm checks it."""

from __future__ import annotations

import subprocess

import pytest

from lvstui.audit import AuditLog
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.forms import ServerForm
from lvstui.ui.widgets.rowtable import RowTable
from tests.ui.wait import until

pytestmark = pytest.mark.kernel
KERNEL_WAIT = 30     # seconds: the TCG guest runs ipvsadm and Python slowly


def ipvsadm(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["ipvsadm", *args], input=stdin, capture_output=True, text=True,
                          check=True).stdout


async def test_weight_key_reaches_the_kernel_and_keeps_the_rest(tmp_path):
    from lvstui.ipvs.netlink import NetlinkBackend
    table = NetlinkBackend()
    table.flush()
    ipvsadm("-A", "-t", "172.26.46.119:80", "-s", "wlc")
    ipvsadm("-a", "-t", "172.26.46.119:80", "-r", "172.26.46.80:8080", "-m", "-w", "3",
            "-x", "100", "-y", "50")
    ipvsadm("-a", "-t", "172.26.46.119:80", "-r", "172.26.46.81", "-g", "-w", "1")
    app = LvsApp(Session(table, audit=AuditLog(str(tmp_path / "audit.log"))), refresh=0.2)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: len(app.query_one("#servers", RowTable).items) == 2,
                        timeout=KERNEL_WAIT)
            app.query_one("#servers").focus()
            await pilot.press("plus", "plus")
            await until(pilot, lambda: "Masq    5" in ipvsadm("-Ln"), timeout=KERNEL_WAIT)
        listing = ipvsadm("-Ln", "-t", "172.26.46.119:80")
        assert "  -> 172.26.46.80:8080            Masq    5" in listing, listing
        assert "  -> 172.26.46.81:80              Route   1" in listing, listing
        thresholds = [line.split() for line in ipvsadm(
            "-Ln", "--thresholds", "-t", "172.26.46.119:80").splitlines() if "46.80:8080" in line]
        assert thresholds == [["->", "172.26.46.80:8080", "100", "50", "0", "0"]]
        assert (tmp_path / "audit.log").read_text().count("result=ok") == 2
    finally:
        table.flush()
        table.close()


def thresholds(listing: str, server: str) -> list[str]:
    return [line.split()[2:4] for line in listing.splitlines() if server in line][0]


async def test_a_change_is_built_on_the_kernels_entry_not_the_screens(tmp_path):
    """Someone's ipvsadm -e between the console's read and a change is kept; a server
    deleted meanwhile is said, not re-added. The console never re-reads here (refresh 1 h)."""
    from textual.widgets import Input, RichLog

    from lvstui.ipvs.netlink import NetlinkBackend
    table = NetlinkBackend()
    table.flush()
    vs, rs = "172.26.46.119:80", "172.26.46.80:8080"
    ipvsadm("-A", "-t", vs, "-s", "wlc")
    ipvsadm("-a", "-t", vs, "-r", rs, "-m", "-w", "3", "-x", "100", "-y", "50")
    app = LvsApp(Session(table, audit=AuditLog(str(tmp_path / "audit.log"))), refresh=3600)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: len(app.query_one("#servers", RowTable).items) == 1,
                        timeout=KERNEL_WAIT)
            app.query_one("#servers").focus()
            # the weight key on a server whose thresholds someone changed meanwhile
            ipvsadm("-e", "-t", vs, "-r", rs, "-m", "-w", "3", "-x", "200", "-y", "20")
            await pilot.press("plus")
            await until(pilot, lambda: "Masq    4" in ipvsadm("-Ln", "-t", vs), timeout=KERNEL_WAIT)
            assert thresholds(ipvsadm("-Ln", "--thresholds", "-t", vs), rs) == ["200", "20"]
            # the edit form: the operator changes the weight; someone changes the thresholds
            await pilot.press("e")
            # the form pushed is not yet composed: its fields come a moment later
            await until(pilot, lambda: isinstance(app.screen, ServerForm)
                        and app.screen.query("#weight") and app.screen.query("#ok"),
                        timeout=KERNEL_WAIT)
            app.screen.query_one("#weight", Input).value = "7"
            ipvsadm("-e", "-t", vs, "-r", rs, "-m", "-w", "4", "-x", "300", "-y", "30")
            await pilot.click("#ok")
            await until(pilot, lambda: "Masq    7" in ipvsadm("-Ln", "-t", vs), timeout=KERNEL_WAIT)
            assert thresholds(ipvsadm("-Ln", "--thresholds", "-t", vs), rs) == ["300", "30"]
            # deleted meanwhile: the change says so and adds nothing back
            ipvsadm("-d", "-t", vs, "-r", rs)
            await pilot.press("plus")
            await until(pilot, lambda: any("deleted since the screen showed it" in line.text
                                           for line in app.query_one("#log", RichLog).lines),
                        timeout=KERNEL_WAIT)
        assert rs not in ipvsadm("-Ln")
    finally:
        table.flush()
        table.close()
