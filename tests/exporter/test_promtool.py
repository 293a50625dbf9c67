"""``lvstui exporter --demo`` as a process, scraped over HTTP: Debian's promtool finds nothing
to say about the scrape, and passes the example alerting rules and scrape configuration; every
metric the example rules and Grafana dashboard use is one the exporter serves. Each check has
a control that promtool refuses."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.pace import until

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "prometheus")


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True,
                          timeout=60, cwd=EXAMPLES)


@pytest.fixture(scope="module")
def scrape(tmp_path_factory):
    assert shutil.which("promtool"), "promtool (Debian's prometheus) is installed by " \
                                     "scripts/install.sh --test"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lvstui", "exporter", "--demo", "--listen",
                             f"127.0.0.1:{port}", "--peer", "debian.cluster.net"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

    def get() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            return reply.read().decode()

    try:
        assert "metrics on http://" in proc.stderr.readline()
        until(lambda: "lvstui_server_connections_total{" in get(), 5, "the first scrape")
        yield get
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_promtool_finds_nothing_to_say_about_a_scrape(scrape):
    done = promtool("check", "metrics", stdin=scrape())
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr
    control = promtool("check", "metrics", stdin="# HELP lvstui_x an x\n# TYPE lvstui_x counter\n"
                                                 "lvstui_x 1\n")
    assert "counter metrics should have \"_total\" suffix" in control.stdout + control.stderr


def test_the_example_rules_and_scrape_config_pass_promtool(tmp_path):
    assert shutil.which("promtool")
    done = promtool("check", "rules", "lvstui-alerts.yml")
    assert done.returncode == 0 and "SUCCESS: 8 rules found" in done.stdout, done.stderr
    assert promtool("check", "config", "prometheus.yml").returncode == 0
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n"
                      "        expr: lvstui_up ==\n")
    assert promtool("check", "rules", str(broken)).returncode != 0


def test_the_examples_use_only_metrics_the_exporter_serves(scrape):
    served = set(re.findall(r"^(lvstui_\w+)", scrape(), re.M))
    with open(os.path.join(EXAMPLES, "lvstui-alerts.yml")) as fh:
        used = set(re.findall(r"\b(lvstui_\w+)", fh.read()))
    with open(os.path.join(EXAMPLES, "grafana-dashboard.json")) as fh:
        dashboard = json.load(fh)
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\b(lvstui_\w+)", target["expr"]))
    assert used and used <= served, used - served


@pytest.mark.parametrize("command", ["monitor", "record"])
def test_metrics_beside_the_monitor_and_the_recorder(tmp_path, command):
    """One process: ``lvstui monitor --metrics`` (its own checks' verdicts in the health
    series) and ``lvstui record --metrics`` serve the same metrics as the exporter."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lvstui", command, "--demo", "--metrics",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

    def get() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                return r.read().decode()
        except OSError:
            return ""

    try:
        wanted = 'lvstui_server_check_info{check="HTTP GET /' if command == "monitor" else \
            "lvstui_service_live_servers{"
        text = until(lambda: (lambda t: t if wanted in t else "")(get()), 10,
                     f"{command}'s metrics")
        assert re.search(r"^lvstui_up 1(\.0)?$", text, re.M)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr.read()
