"""Inside the ip_vs VM: the console on the netlink backend changes a weight; ipvsadm checks it."""

from __future__ import annotations

import subprocess

import pytest

from lvstui.audit import AuditLog
from lvstui.ui.app import LvsApp

pytestmark = pytest.mark.kernel


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
    app = LvsApp(table, refresh=0.2, audit=AuditLog(str(tmp_path / "audit.log")))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(2)
            app.query_one("#servers").focus()
            await pilot.press("plus", "plus")
            for _ in range(50):
                await pilot.pause(0.2)
                if "Masq    5" in ipvsadm("-Ln"):
                    break
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
