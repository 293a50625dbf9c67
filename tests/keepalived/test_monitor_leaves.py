"""``lvstui monitor`` where keepalived runs: the services keepalived.conf declares are
keepalived's to check (its checkers set their weights); the monitor refuses them in one line
each instead of fighting over the weights. A process named keepalived stands for it (how lvstui
finds keepalived is tested against the real daemon in test_vrrp_state.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

KEEPALIVED_CONF = """! the reference pair's service, run by keepalived
virtual_server 172.26.46.119 80 {
    lb_algo wlc
    lb_kind DR
    protocol TCP
    real_server 172.26.46.80 80 {
        weight 1
        HTTP_GET {
            url {
              path /
              status_code 200
            }
        }
    }
}
"""


def health(vip: str) -> str:
    return f"""[[service]]
virtual = "tcp {vip}:80"
check = "tcp"
  [[service.real]]
  address = "172.26.46.80:80"
  forwarding = "route"
"""


@pytest.fixture
def keepalived(tmp_path):
    """A live process named keepalived, and its pid file."""
    link = tmp_path / "keepalived"
    link.symlink_to("/bin/sleep")
    proc = subprocess.Popen([str(link), "600"])
    pid_file = tmp_path / "keepalived.pid"
    pid_file.write_text(f"{proc.pid}\n")
    yield str(pid_file)
    proc.kill()
    proc.wait()


def monitor(tmp_path, vip: str, pid_file: str) -> subprocess.Popen:
    (tmp_path / "health.toml").write_text(health(vip))
    (tmp_path / "keepalived.conf").write_text(KEEPALIVED_CONF)
    return subprocess.Popen(
        [sys.executable, "-m", "lvstui.cli", "--audit-log", str(tmp_path / "audit.log"),
         "monitor", "--backend", "memory", "--config", str(tmp_path / "health.toml"),
         "--state", str(tmp_path / "health.json"), "--keepalived-pid", pid_file,
         "--keepalived-conf", str(tmp_path / "keepalived.conf")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def started(proc: subprocess.Popen) -> bool:
    """The monitor said it runs (then it is stopped); False when it exited first."""
    line = proc.stdout.readline()
    proc.terminate()
    proc.communicate(timeout=60)
    return "monitoring 1 virtual service(s)" in line


def test_a_service_keepalived_declares_is_refused_in_one_line(tmp_path, keepalived):
    proc = monitor(tmp_path, "172.26.46.119", keepalived)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.splitlines() == [
        f"lvstui: keepalived checks TCP 172.26.46.119:80 (virtual_server at "
        f"{tmp_path}/keepalived.conf:2): two checkers would undo each other's weights; leave "
        "it to keepalived or take it out of one file"]
    assert not (tmp_path / "health.json").exists()


def test_control_a_service_keepalived_does_not_declare_is_checked(tmp_path, keepalived):
    assert started(monitor(tmp_path, "172.26.46.120", keepalived))


def test_control_without_keepalived_running_the_service_is_checked(tmp_path):
    assert started(monitor(tmp_path, "172.26.46.119", str(tmp_path / "no.pid")))


def test_the_consoles_own_checks_leave_keepalived_its_services_too(tmp_path):
    """The console checks by itself (``lvstui --health FILE``) when no monitor runs: there
    too a service keepalived declares is refused, with the same line."""
    from lvstui.health.sources import ConfigError, LocalMonitor, open_health
    from lvstui.ipvs.memory import MemoryBackend
    from lvstui.keepalived.conf import read
    from lvstui.keepalived.services import declared
    (tmp_path / "keepalived.conf").write_text(KEEPALIVED_CONF)
    theirs = declared(read(str(tmp_path / "keepalived.conf")))
    state = str(tmp_path / "health.json")
    for vip, refused in (("172.26.46.119", True), ("172.26.46.120", False)):   # and a control
        (tmp_path / "health.toml").write_text(health(vip))
        try:
            health_source = open_health(MemoryBackend(), str(tmp_path / "health.toml"), False,
                                        state, lambda *a, **k: None, theirs)
        except ConfigError as exc:
            assert refused and str(exc) == (
                f"keepalived checks TCP 172.26.46.119:80 (virtual_server at "
                f"{tmp_path}/keepalived.conf:2): two checkers would undo each other's "
                "weights; leave it to keepalived or take it out of one file")
        else:
            assert not refused and isinstance(health_source, LocalMonitor)
            health_source.close()
