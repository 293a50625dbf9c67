"""Inside the ip_vs VM, keepalived 2.2.7 (its checker process) owning a virtual server in the
kernel, the referee of what its reload and its restart do to live changes:

- a reload keeps a live weight on a server whose lines did not change and a real server added
  live, and applies the weight the file changed;
- ``lvstui drift --keepalived`` prints what a restart sets back: the printed commands applied
  to the live table (by ipvsadm, in a namespace of their own) are exactly the table keepalived
  makes when it starts again;
- a live weight lvstui sets on a server with its FILE_CHECK is kept by keepalived through a
  failed and passed check and a reload (the control, a server without it, gets
  keepalived.conf's weight back);
- ``lvstui ha status`` says keepalived's verdict on each real server (its checker's data dump),
  following a server that fails its TCP_CHECK and comes back; the exporter, whose health
  source is keepalived's checkers, says the check's 0 in the kernel beside the configured
  weight.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.pace import patience, until

pytestmark = pytest.mark.kernel
SERVICE = "-t 10.9.9.9:80"
CONF = """\
global_defs {
  router_id lvstui-test
}
! the operator's comment
virtual_server 10.9.9.9 80 {
  lb_algo wlc
  lb_kind DR
  protocol TCP
  real_server 10.9.9.1 80 {
    weight 3
  }
  real_server 10.9.9.2 80 {
    weight 4
  }
}
"""
PREDICTION_NS = "lt-ka-pred"


def ipvsadm(*args: str, ns: str | None = None) -> str:
    where = ["ip", "netns", "exec", ns] if ns else []
    return subprocess.run([*where, "ipvsadm", *args], check=True, capture_output=True,
                          text=True).stdout


def weights() -> dict[str, int]:
    """Real server -> weight in 10.9.9.9:80, as ``ipvsadm -Sn`` says."""
    found = {}
    for line in ipvsadm("-Sn").splitlines():
        words = line.split()
        if words[:1] == ["-a"] and words[2] == "10.9.9.9:80":
            found[words[4].split(":")[0]] = int(words[words.index("-w") + 1])
    return found


class Keepalived:
    """keepalived --check in the foreground, its files in *root*."""

    def __init__(self, root):
        self.root, self.conf = str(root), os.path.join(str(root), "keepalived.conf")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(os.path.join(self.root, "log"), "a") as log:
            self.proc = subprocess.Popen(
                ["keepalived", "--dont-fork", "--check", "--no-syslog", "--log-console",
                 "-f", self.conf, "-p", os.path.join(self.root, "k.pid"),
                 "-c", os.path.join(self.root, "c.pid")],
                env={**os.environ, "TMPDIR": self.root}, stdout=log, stderr=log)

    def reload(self) -> None:
        self.proc.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=patience(10))

    def log(self) -> str:
        with open(os.path.join(self.root, "log")) as fh:
            return fh.read()


@pytest.fixture
def started(tmp_path):
    """started(CONF, WEIGHTS): keepalived with that file, once the kernel has those weights."""
    ipvsadm("-C")
    on_link()
    daemon = Keepalived(tmp_path)

    def start(conf: str, weights_then: dict) -> Keepalived:
        with open(daemon.conf, "w") as fh:
            fh.write(conf)
        daemon.start()
        until(lambda: weights() == weights_then, 5, "keepalived's virtual server in the kernel")
        return daemon
    try:
        yield start
    finally:
        daemon.stop()
        ipvsadm("-C")
        subprocess.run(["ip", "link", "del", "lt-ka"], capture_output=True)
        subprocess.run(["ip", "netns", "del", PREDICTION_NS], capture_output=True)


@pytest.fixture
def keepalived(started):
    return started(CONF, {"10.9.9.1": 3, "10.9.9.2": 4})


def drift(daemon: Keepalived) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lvstui", "drift", "--keepalived", daemon.conf],
                          capture_output=True, text=True, timeout=patience(30))


def on_link(*where: str) -> None:
    """The real servers' subnet on a dummy link (IPVS takes only routable destinations)."""
    for command in ("link add lt-ka type dummy", "link set lt-ka up",
                    "addr add 10.9.9.254/24 dev lt-ka"):
        subprocess.run(["ip", *where, *command.split()], check=True)


def applied(table: str, commands: list[str]) -> str:
    """*table* (ipvsadm -Sn) with *commands* (ipvsadm ...) run on it, in a namespace of its
    own, as ``ipvsadm -Sn`` prints the result."""
    subprocess.run(["ip", "netns", "add", PREDICTION_NS], check=True)
    on_link("-n", PREDICTION_NS)
    subprocess.run(["ip", "netns", "exec", PREDICTION_NS, "ipvsadm", "-R"], input=table,
                   text=True, check=True)
    for command in commands:
        assert command.split()[0] == "ipvsadm", command
        ipvsadm(*command.split()[1:], ns=PREDICTION_NS)
    return ipvsadm("-Sn", ns=PREDICTION_NS)


def test_a_reload_keeps_live_changes_and_drift_is_what_a_restart_sets_back(keepalived):
    ipvsadm("-e", *SERVICE.split(), "-r", "10.9.9.1:80", "-g", "-w", "9")    # live weight
    ipvsadm("-a", *SERVICE.split(), "-r", "10.9.9.3:80", "-g", "-w", "1")    # live server
    with open(keepalived.conf, "w") as fh:
        fh.write(CONF.replace("weight 4", "weight 5"))                      # the file edited
    keepalived.reload()
    until(lambda: weights().get("10.9.9.2") == 5, 5, "the reload applying the file's weight 5")
    assert weights() == {"10.9.9.1": 9, "10.9.9.2": 5, "10.9.9.3": 1}, keepalived.log()

    live = ipvsadm("-Sn")
    preview = drift(keepalived)
    assert preview.returncode == 1, preview.stdout + preview.stderr
    commands = preview.stdout.splitlines()
    predicted = applied(live, commands)
    assert predicted != live                                        # the control: it differs
    keepalived.stop()
    keepalived.start()
    until(lambda: weights() == {"10.9.9.1": 3, "10.9.9.2": 5}, 5,
          f"keepalived started again, as predicted by {commands}")
    assert ipvsadm("-Sn") == predicted
    again = drift(keepalived)
    assert again.returncode == 0 and again.stdout == "", again.stdout


CHECKED = CONF.replace("  lb_algo wlc", "  delay_loop 1\n  lb_algo wlc").replace(
    "    weight 3\n", "    weight 3\n    inhibit_on_failure\n"
    "    TCP_CHECK {\n      connect_timeout 1\n    }\n")
FAILED = "TCP 10.9.9.9:80 -> 10.9.9.1:80: FAILED, 1 checker(s) failing (TCP_CHECK), weight 3 " \
         "once it passes"
ALIVE = "TCP 10.9.9.9:80 -> 10.9.9.1:80: alive (TCP_CHECK), weight 3"


def status(daemon: Keepalived) -> str:
    return subprocess.run(
        [sys.executable, "-m", "lvstui", "ha", "status", "--ha", "keepalived",
         "--keepalived-pid", os.path.join(daemon.root, "k.pid"), "--keepalived-conf",
         daemon.conf], capture_output=True, text=True, timeout=patience(30)).stdout


def saying(daemon: Keepalived, line: str) -> str:
    """``ha status`` when it says *line*, else ""."""
    out = status(daemon)
    return out if line in out else ""


RS1 = {"vip": "10.9.9.9", "port": "80", "proto": "tcp", "fwmark": "", "server": "10.9.9.1:80"}


def sample(name: str, value: int, **more: str) -> str:
    """A line of RS1's in Prometheus' text format (labels sorted, as the exporter writes)."""
    labels = ",".join(f'{k}="{v}"' for k, v in sorted({**RS1, **more}.items()))
    return f"{name}{{{labels}}} {value}"


def scraped(port: int, *samples: str) -> str:
    """The exporter's metrics when they hold every one of *samples*, else ""."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as reply:
            text = reply.read().decode()
    except OSError:
        return ""
    return text if all(sample in text.splitlines() for sample in samples) else ""


def test_keepalived_verdicts_are_said_and_its_quiesce_is_not_the_operators(started):
    """RS1 fails its TCP_CHECK (inhibit_on_failure: keepalived sets it to weight 0): ha status
    says the verdict, and the exporter says the kernel's 0, the configured 3 and "quiesced"
    (keepalived's checkers its health source); then RS1 passes and all is back."""
    daemon = started(CHECKED, {"10.9.9.1": 0, "10.9.9.2": 4})   # nothing on 10.9.9.1:80
    said = until(lambda: saying(daemon, FAILED), 3, "keepalived's verdict: RS1 failed")
    assert "TCP 10.9.9.9:80 -> 10.9.9.2:80: alive (no checker: always alive), weight 4" in said
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    exporter = subprocess.Popen(
        [sys.executable, "-m", "lvstui", "--health-state",
         os.path.join(daemon.root, "no-monitor.json"), "exporter", "--listen",
         f"127.0.0.1:{port}", "--keepalived-pid", os.path.join(daemon.root, "k.pid"),
         "--keepalived-conf", daemon.conf])
    subprocess.run(["ip", "addr", "add", "10.9.9.1/32", "dev", "lt-ka"], check=True)
    listener = None
    try:
        until(lambda: scraped(port, sample("lvstui_server_weight", 0),
                              sample("lvstui_server_configured_weight", 3),
                              sample("lvstui_server_health", 1, state="quiesced")), 10,
              "the exporter: RS1 quiesced by a check")
        listener = subprocess.Popen([sys.executable, "-c", "import socket,time\n"
                                     "s=socket.create_server(('10.9.9.1',80))\ntime.sleep(3600)"])
        until(lambda: saying(daemon, ALIVE), 3, "keepalived's verdict: RS1 alive again")
        until(lambda: weights() == {"10.9.9.1": 3, "10.9.9.2": 4}, 3, "RS1 back in the kernel")
        until(lambda: scraped(port, sample("lvstui_server_health", 1, state="up")), 10,
              "the exporter: RS1 up again")
    finally:
        for proc in (listener, exporter):
            if proc is not None:
                proc.kill()
                proc.wait()



KEPT_NAME = "lvstui_w_tcp_10.9.9.9_80_10.9.9.1_80"
KEPT = """\
track_file {name} {{
  file "{path}"
  weight 1
  init_file 0
}}
virtual_server 10.9.9.9 80 {{
  delay_loop 1
  lb_algo wlc
  lb_kind DR
  protocol TCP
  real_server 10.9.9.1 80 {{
    weight 3
    inhibit_on_failure
    TCP_CHECK {{
      connect_timeout 1
    }}
    FILE_CHECK {{
      track_file {name}
    }}
  }}
  real_server 10.9.9.2 80 {{
    weight {rs2}
    inhibit_on_failure
    TCP_CHECK {{
      connect_timeout 1
    }}
  }}
}}
"""
LISTEN = ("import socket,time\nss=[socket.create_server((a,80)) for a in ('10.9.9.1','10.9.9.2')]"
          "\ntime.sleep(3600)")


def listening() -> subprocess.Popen:
    """Both real servers answering on port 80 (their TCP_CHECKs pass)."""
    return subprocess.Popen([sys.executable, "-c", LISTEN])


def test_a_live_weight_lvstui_sets_is_kept_by_keepalived_through_checks_and_reloads(
        started, tmp_path):
    """RS1 has lvstui's FILE_CHECK, RS2 none (the control). lvstui sets RS1 to 7 and RS2 to 9
    live; both fail their TCP_CHECK (0: inhibit_on_failure) and pass again: RS1 comes back at
    7, RS2 at keepalived.conf's 4. A reload that changes RS2's line keeps RS1 at 7, and the
    drift of a restart is nothing."""
    from lvstui.cases.managers import KeepalivedCluster
    from lvstui.ipvs.netlink import NetlinkBackend
    from lvstui.keepalived.state import Keepalived as KeepalivedState
    from lvstui.model import parse_service
    from lvstui.session import Session
    from lvstui.audit import AuditLog
    for address in ("10.9.9.1", "10.9.9.2"):
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lt-ka"], check=True)
    conf = KEPT.format(name=KEPT_NAME, path=tmp_path / "w", rs2=4)
    listener = listening()
    try:
        daemon = started(conf, {"10.9.9.1": 3, "10.9.9.2": 4})
        session = Session(NetlinkBackend(), audit=AuditLog(str(tmp_path / "audit.log")),
                          heartbeat=KeepalivedCluster(
                              KeepalivedState(os.path.join(daemon.root, "k.pid")), "d1",
                              daemon.conf))
        svc = session.backend.find_service(parse_service("10.9.9.9:80"))
        kept = session.table.set_weight(svc, svc.server("10.9.9.1", 80), lambda w: 7)
        assert kept.ok and not kept.ask and kept.warning is None
        asked = session.table.set_weight(svc, svc.server("10.9.9.2", 80), lambda w: 9)
        assert asked.ask and asked.confirmed().ok              # not kept: asked, then yes
        assert weights() == {"10.9.9.1": 7, "10.9.9.2": 9}
        assert (tmp_path / "w").read_text() == "4\n"
        listener.kill()
        listener.wait()
        until(lambda: weights() == {"10.9.9.1": 0, "10.9.9.2": 0}, 5, "both failed: 0")
        listener = listening()
        until(lambda: weights() == {"10.9.9.1": 7, "10.9.9.2": 4}, 5,
              "RS1 back at its kept 7, RS2 at keepalived.conf's 4")
        with open(daemon.conf, "w") as fh:
            fh.write(KEPT.format(name=KEPT_NAME, path=tmp_path / "w", rs2=5))
        daemon.reload()
        until(lambda: weights() == {"10.9.9.1": 7, "10.9.9.2": 5}, 5,
              "the reload: RS2's changed line applied, RS1 kept")
        again = drift(daemon)
        assert again.returncode == 0 and again.stdout == "", again.stdout
    finally:
        listener.kill()
        listener.wait()
