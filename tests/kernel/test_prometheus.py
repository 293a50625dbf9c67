"""Inside the ip_vs VM: Debian's Prometheus scraping ``lvstui monitor --metrics`` over a real
IPVS NAT service with real backends: the counter Prometheus stores is the kernel's (ipvsadm's
``--stats --exact`` as the referee), a failing check reaches ``lvstui_server_health`` and fires
the shipped LvsRealServerDown alert, and the last live server failing fires LvsServiceBlackHoled
(their ``for:`` shortened to 0s: the rules' expressions are what is proved, not their patience);
neither fires before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from tests.helpers import free_port
from tests.pace import patience, until

from .test_nat_traffic import nat_lab, sh  # noqa: F401  (the NAT lab, one copy)

pytestmark = pytest.mark.kernel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(ROOT, "examples", "prometheus", "lvstui-alerts.yml")
HEALTH = """\
[defaults]
interval = 1
timeout = 1
fall = 1
rise = 1
[[service]]
virtual = "tcp 10.0.0.1:80"
check = "http"
path = "/who"
keep_healthy = 0          # the last live server too: the black-holed VIP is what is alerted
"""
CLIENT = """
import urllib.request
for _ in range(12):
    urllib.request.urlopen("http://10.0.0.1/who", timeout=10).read()
"""
PACED = """
import socket, sys, time
rate, steady, seconds = map(float, sys.argv[1:])
start = time.monotonic()
for k in range(int(rate * seconds)):
    if k == int(rate * steady):
        print("steady", round(k / (time.monotonic() - start), 2), flush=True)
    delay = start + k / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    socket.create_connection(("10.0.0.1", 80), 5).close()
"""
# connections/s through the VIP, rr: 15/s a server (ipvsadm prints whole ones: 3% at most);
# the kernel adds its per-CPU counters up every 2 s, so a rate() over 40 s is off by 5% at most
RATE, STEADY, UNTIL, WINDOW = 30.0, 50, 55, "40s"
DOWN = 'lvstui_server_health{server="10.2.1.2:8000",state=~"down|quiesced"}'   # the alert's


class Prometheus:
    """Debian's prometheus scraping one target every second, the shipped alerts loaded."""

    def __init__(self, root, target: str):
        self.port = free_port()
        rules = os.path.join(root, "alerts.yml")
        with open(RULES) as src, open(rules, "w") as dst:
            dst.write(src.read().replace("for: 1m", "for: 0s").replace("for: 30s", "for: 0s"))
        config = os.path.join(root, "prometheus.yml")
        with open(config, "w") as fh:
            fh.write(f"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                     f"rule_files: [{rules}]\n"
                     f"scrape_configs:\n  - job_name: lvstui\n"
                     f"    static_configs: [{{targets: ['{target}']}}]\n")
        self.proc = subprocess.Popen(
            [shutil.which("prometheus") or "prometheus", f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(root, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def query(self, expr: str) -> list:
        """The instant vector of *expr* (empty while Prometheus is not up yet)."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?"
               + urllib.parse.urlencode({"query": expr}))
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                return json.load(reply)["data"]["result"]
        except OSError:
            return []

    def value(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=patience(30))


def kernel_rates() -> dict[str, int]:
    """Connections/s per real server and for the service, as ``ipvsadm -Ln --rate`` prints
    them (the kernel's estimator: every 2 s, smoothed over about 8 s)."""
    out = sh("ipvsadm", "-Ln", "--rate", "-t", "10.0.0.1:80")
    return {words[1] if words[0] == "->" else "service": int(words[2])
            for words in map(str.split, out.splitlines())
            if words[:1] == ["TCP"] or (words[:1] == ["->"] and words[1][0].isdigit())}


def kernel_conns() -> int:
    """The service's connection counter as ipvsadm says it (the referee)."""
    out = sh("ipvsadm", "-Ln", "--stats", "--exact", "-t", "10.0.0.1:80")
    return int(next(line.split()[2] for line in out.splitlines() if line.startswith("TCP")))


@pytest.fixture
def monitored(nat_lab, tmp_path):  # noqa: F811
    """The NAT service (rr over both backends), lvstui monitor checking it with /metrics
    beside, Prometheus scraping that."""
    sh("ipvsadm", "-C")
    sh("ipvsadm", "-A", "-t", "10.0.0.1:80", "-s", "rr")
    for i in (1, 2):
        sh("ipvsadm", "-a", "-t", "10.0.0.1:80", "-r", f"10.2.{i}.2:8000", "-m", "-w", "1")
    (tmp_path / "health.toml").write_text(HEALTH)
    listen = f"127.0.0.1:{free_port()}"
    monitor = subprocess.Popen(
        [sys.executable, "-m", "lvstui", "--audit-log", str(tmp_path / "audit.log"), "monitor",
         "--config", str(tmp_path / "health.toml"), "--state", str(tmp_path / "health.json"),
         "--metrics", listen], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prometheus = Prometheus(str(tmp_path), listen)
    try:
        yield prometheus
    finally:
        prometheus.stop()
        monitor.terminate()
        monitor.wait(timeout=patience(30))
        sh("ipvsadm", "-C")


def test_prometheus_stores_the_kernels_counters_and_fires_on_a_failing_check(monitored):
    prometheus = monitored
    until(lambda: prometheus.value('up{job="lvstui"}') == 1, 60, "Prometheus scraping lvstui")
    until(lambda: prometheus.value("lvstui_server_health"
                                   '{server="10.2.1.2:8000",state="up"}') == 1, 30,
          "the first check's verdict in Prometheus")
    sh("ip", "netns", "exec", "lt-c", sys.executable, "-c", CLIENT)
    # the kernel folds its per-CPU counters in every ~2 s; Prometheus scrapes every second
    until(lambda: kernel_conns() >= 12, 20, "the kernel counting the 12 connections")
    series = 'lvstui_service_connections_total{vip="10.0.0.1",port="80",proto="tcp"}'
    until(lambda: prometheus.value(series) == kernel_conns(), 30,
          "Prometheus holding ipvsadm's count")
    assert prometheus.value(f"increase({series}[1m])") > 0
    assert_rate_agrees_with_ipvsadm(prometheus)
    assert prometheus.query('ALERTS{alertname="LvsRealServerDown"}') == []   # not before
    sh("ip", "netns", "exec", "lt-b1", "ip", "link", "set", "lt-b1b", "down")   # RS1 unreachable
    until(lambda: prometheus.query(f"{DOWN} == 1"), 30, "RS1's failing check in Prometheus")
    firing = until(lambda: prometheus.query('ALERTS{alertname="LvsRealServerDown",'
                                            'alertstate="firing"}'), 30, "the alert firing")
    assert firing[0]["metric"]["server"] == "10.2.1.2:8000"
    assert prometheus.value('lvstui_service_live_servers{vip="10.0.0.1"}') == 1
    assert prometheus.query('ALERTS{alertname="LvsServiceBlackHoled"}') == []  # RS2 serves
    sh("ip", "netns", "exec", "lt-b2", "ip", "link", "set", "lt-b2b", "down")   # and RS2
    until(lambda: prometheus.query('ALERTS{alertname="LvsServiceBlackHoled",'
                                   'alertstate="firing",vip="10.0.0.1"}'), 30,
          "the black-holed service's alert firing")
    assert prometheus.value('lvstui_service_live_servers{vip="10.0.0.1"}') == 0


def assert_rate_agrees_with_ipvsadm(prometheus: Prometheus) -> None:
    """A steady RATE of connections; from the STEADY-th second (the kernel's estimator has
    settled, the window lies inside the traffic) Prometheus' rate() of RS1's counter over WINDOW
    is within 10% of ipvsadm's --rate for RS1 (the service's rate, twice RS1's, is the
    control: the comparison tells them apart)."""
    client = subprocess.Popen(["ip", "netns", "exec", "lt-c", sys.executable, "-c", PACED,
                               str(RATE), str(STEADY), str(UNTIL)], stdout=subprocess.PIPE,
                              text=True)
    try:
        words = client.stdout.readline().split()
        assert words[:1] == ["steady"], f"the paced client stopped before second {STEADY}"
        rs1 = f'rate(lvstui_server_connections_total{{server="10.2.1.2:8000"}}[{WINDOW}])'
        kernel, stored = kernel_rates(), prometheus.value(rs1)
        print(f"client {words[1]}/s; ipvsadm --rate {kernel}; Prometheus {rs1} = {stored}")
        assert stored is not None and abs(stored - kernel["10.2.1.2:8000"]) \
            <= 0.1 * kernel["10.2.1.2:8000"], (stored, kernel)
        assert abs(stored - kernel["service"]) > 0.1 * kernel["service"], (stored, kernel)
    finally:
        client.kill()
        client.wait()
