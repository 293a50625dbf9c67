"""``lvstui exporter --peer HOST``: the pair's drift as a metric, counted as ``lvstui drift``
counts it; and a peer that does not answer never holds up a scrape of this director's own
metrics (its read runs beside the scrapes)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request

from tests.helpers import free_port
from tests.pace import patience, until

DEMO_PEER = "debian.cluster.net"



def exporter(*args: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "lvstui", "exporter", "--listen",
                             f"127.0.0.1:{port}", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def get(timeout: float = 30) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as r:
            return r.read().decode()
    return proc, get


def answered(get):
    try:
        return get()
    except OSError:
        return None


def value(text: str, name: str) -> float | None:
    found = re.search(rf"^{name}\{{[^}}]*\}} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


def test_the_drift_metric_counts_what_lvstui_drift_prints():
    printed = subprocess.run([sys.executable, "-m", "lvstui", "drift", "--demo"],
                             capture_output=True, text=True, timeout=patience(20))
    operations = [line for line in printed.stdout.splitlines() if not line.startswith("#")]
    assert printed.returncode == (1 if operations else 0), printed.stderr
    proc, get = exporter("--demo", "--peer", DEMO_PEER)
    try:
        text = until(lambda: (t := answered(get)) and "lvstui_peer_drift_operations{" in t
                     and t, 5, "the peer's drift in a scrape")
        assert value(text, "lvstui_peer_up") == 1
        assert value(text, "lvstui_peer_drift_operations") == len(operations)
        assert 'peer="debian.cluster.net"' in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_peer_that_never_answers_does_not_hold_up_a_scrape(tmp_path):
    config = tmp_path / "ssh_config"              # ssh's ProxyCommand never says a word
    config.write_text("Host *\n  ProxyCommand sleep 3600\n")
    proc, get = exporter("--backend", "memory", "--peer", "silent-peer", "--ssh-config",
                         str(config), "--peer-timeout", "3600")
    try:
        text = until(lambda: answered(get), 5, "a scrape")
        assert value(text.replace("lvstui_up ", "lvstui_up{} "), "lvstui_up") == 1
        assert "lvstui_sync_daemon_running{" in text          # this director's own metrics
        assert "lvstui_peer_drift_operations" not in text     # no count it could not make
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_control_an_unreachable_peer_is_said_down_not_equal():
    proc, get = exporter("--backend", "memory", "--peer", "no-such-director.invalid")
    try:
        text = until(lambda: (t := answered(get)) and "lvstui_peer_up{" in t and t,
                     10, "the peer's state in a scrape")
        assert value(text, "lvstui_peer_up") == 0
        assert "lvstui_peer_drift_operations" not in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
