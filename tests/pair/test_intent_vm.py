"""Intent against effect on the pair bed (issue 26): ``lvstui monitor`` on d1 quiesces a real
HTTP server that fails its check; d2 has no monitor and keeps serving it. Drift is equal in
configuration and names the difference of health; sync sends nothing for it; d2 keeps its
weight; after the recovery both agree. The control: an operator's weight still is drift."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.pace import patience, until
from tests.pair.conftest import LVSTUI, ipvsadm

pytestmark = pytest.mark.pair

RULES = """-A -t 10.0.0.50:80 -s wlc
-a -t 10.0.0.50:80 -r 10.0.0.1:8080 -m -w 5
-a -t 10.0.0.50:80 -r 10.0.0.1:8081 -m -w 5
"""
CONFIG = """[[service]]
virtual = "tcp 10.0.0.50:80"
check = "http"
interval = 1
fall = 1
rise = 1
timeout = 5
"""
# An HTTP server answering with the status its file holds (200 until the test writes 503)
SERVER = """
import http.server, sys
port, status_file = int(sys.argv[1]), sys.argv[2]
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = int(open(status_file).read())
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("10.0.0.1", port), Answer).serve_forever()
"""


# the peer's agent, started cold over ssh under the emulated CPU, may take more than the
# default minute to answer first (one run beside a loaded host did)
PEER_WAIT = ("--peer-timeout", str(min(3600, round(patience(20)))))


def weight(ns: str, server: str) -> int | None:
    for line in ipvsadm(ns, "-Sn").splitlines():
        if f"-r {server} " in line:
            return int(line.split("-w ")[1].split()[0])
    return None


@pytest.fixture
def watched(pair, tmp_path):
    """Both tables loaded; two HTTP servers and lvstui monitor running in d1; the file that
    sets 10.0.0.1:8080's answer."""
    for ns in ("d1", "d2"):
        ipvsadm(ns, "-R", stdin=RULES)
    status = tmp_path / "status"
    status.write_text("200")
    fine = tmp_path / "fine"
    fine.write_text("200")
    (tmp_path / "health.toml").write_text(CONFIG)
    state = tmp_path / "health.json"
    procs = [subprocess.Popen(["ip", "netns", "exec", "d1", sys.executable, "-c", SERVER,
                               str(port), str(answer)])
             for port, answer in ((8080, status), (8081, fine))]
    procs.append(subprocess.Popen(
        ["ip", "netns", "exec", "d1", LVSTUI, "--audit-log", str(tmp_path / "monitor.log"),
         "monitor", "--config", str(tmp_path / "health.toml"), "--state", str(state)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        until(state.exists, 5, "the monitor's first published state")
        yield status, state
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=patience(2))


def drift(pair, state) -> subprocess.CompletedProcess:
    return pair.lvstui("--health-state", str(state), "drift", "--peer", "director2",
                       *PEER_WAIT)



def test_a_check_failing_on_one_director_is_health_not_drift(pair, watched):
    status, state = watched
    status.write_text("503")
    until(lambda: weight("d1", "10.0.0.1:8080") == 0, 5,
               "d1's monitor quiescing the failing server")
    done = drift(pair, state)
    assert done.returncode == 0, done.stdout + done.stderr               # equal in configuration
    here = os.uname().nodename                     # d1 is a network namespace of this host
    assert done.stdout == ("# health: TCP 10.0.0.50:80 -> 10.0.0.1:8080: quiesced by a check "
                           f"on {here} (configured weight 5), not on director2\n"), done.stdout
    synced = pair.lvstui("--health-state", str(state), "sync", "--to", "director2", *PEER_WAIT)
    assert synced.returncode == 0, synced.stderr
    assert "already equals" in synced.stdout and "-w 0" not in synced.stdout
    assert weight("d2", "10.0.0.1:8080") == 5                              # d2 keeps serving
    assert not pair.d2_audit.exists() or "-w 0" not in pair.d2_audit.read_text()
    status.write_text("200")
    until(lambda: weight("d1", "10.0.0.1:8080") == 5, 5,
               "d1's monitor restoring the recovered server")
    again = drift(pair, state)
    assert (again.returncode, again.stdout) == (0, ""), again.stdout + again.stderr
    assert ipvsadm("d1", "-Sn") == ipvsadm("d2", "-Sn")


def test_the_control_an_operators_weight_on_the_peer_is_drift(pair, watched):
    status, state = watched
    status.write_text("503")
    until(lambda: weight("d1", "10.0.0.1:8080") == 0, 5,
               "d1's monitor quiescing the failing server")
    ipvsadm("d2", "-e", "-t", "10.0.0.50:80", "-r", "10.0.0.1:8081", "-m", "-w", "3")
    done = drift(pair, state)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ipvsadm -e -t 10.0.0.50:80 -r 10.0.0.1:8081 -m -w 5" in done.stdout
    assert "-r 10.0.0.1:8080 -m -w 0" not in done.stdout
    assert weight("d2", "10.0.0.1:8081") == 3
