"""save --peer, drift --peer and sync --to between two directors with their own IPVS tables,
over real OpenSSH; ``ipvsadm -Sn`` in each namespace is the referee."""

from __future__ import annotations

import subprocess

import pytest

from tests.pair.conftest import LVSTUI, ipvsadm, sh

pytestmark = pytest.mark.pair

D1_RULES = """-A -t 10.0.0.50:80 -s wlc
-a -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 5
-a -t 10.0.0.50:80 -r 10.0.0.12:80 -g -w 5
-A -t 10.0.0.50:443 -s rr -p 300
-a -t 10.0.0.50:443 -r 10.0.0.11:443 -g -w 1
-A -u 10.0.0.53:53 -s rr
-a -u 10.0.0.53:53 -r 10.0.0.21:53 -m -w 1
"""
# d2 differs: a weight, a missing server, a different scheduler, a service d1 does not have
D2_RULES = """-A -t 10.0.0.50:80 -s wlc
-a -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 0
-A -t 10.0.0.50:443 -s wlc -p 300
-a -t 10.0.0.50:443 -r 10.0.0.11:443 -g -w 1
-A -t 10.0.0.60:25 -s rr
-a -t 10.0.0.60:25 -r 10.0.0.31:25 -g -w 1
"""


def load(ns: str, rules: str) -> None:
    ipvsadm(ns, "-R", stdin=rules)


def test_save_peer_prints_the_peers_table_as_ipvsadm_does(pair):
    load("d2", D2_RULES)
    done = pair.lvstui("save", "--peer", "director2")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ipvsadm("d2", "-Sn")
    assert ipvsadm("d1", "-Sn") == ""                # d1's own table is another one


def test_drift_prints_the_commands_that_make_the_peer_equal(pair):
    load("d1", D1_RULES)
    load("d2", D2_RULES)
    before = ipvsadm("d2", "-Sn")
    done = pair.lvstui("drift", "--peer", "director2")
    assert done.returncode == 1, done.stderr
    assert ipvsadm("d2", "-Sn") == before                  # it changed nothing
    commands = done.stdout.splitlines()
    assert commands and all(c.startswith("ipvsadm ") for c in commands)
    for command in commands:                         # ipvsadm itself runs them, in order
        sh(*command.split(), ns="d2")
    assert ipvsadm("d2", "-Sn") == ipvsadm("d1", "-Sn")
    again = pair.lvstui("drift", "--peer", "director2")
    assert (again.returncode, again.stdout) == (0, "")


def test_sync_makes_the_peer_equal_and_is_audited_on_both(pair):
    load("d1", D1_RULES)
    load("d2", D2_RULES)
    dry = pair.lvstui("sync", "--to", "director2", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.strip(), dry.stderr
    assert ipvsadm("d2", "-Sn") != ipvsadm("d1", "-Sn")     # a dry run changes nothing
    done = pair.lvstui("sync", "--to", "director2")
    assert done.returncode == 0, done.stderr
    assert ipvsadm("d2", "-Sn") == ipvsadm("d1", "-Sn")
    assert done.stdout.splitlines() == dry.stdout.splitlines()
    there = pair.d2_audit.read_text().splitlines()
    here = pair.d1_audit.read_text().splitlines()
    assert len(there) == len(done.stdout.splitlines())
    assert all("via=peer for=root@" in line and "from=10.0.0.1" in line and "result=ok" in line
               for line in there)
    assert all("# on director2" in line for line in here) and len(here) == len(there)
    assert (pair.lvstui("drift", "--peer", "director2").returncode) == 0


def test_an_unreachable_peer_is_said_in_one_line_and_exits_2(pair):
    load("d1", D1_RULES)
    done = pair.lvstui("drift", "--peer", "10.0.0.3", timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "10.0.0.3 unreachable over ssh" in lines[0], done.stderr


def test_a_peer_without_lvstui_is_said_in_one_line(pair):
    done = pair.lvstui("drift", "--peer", "director2", peer_command="/opt/none/lvstui")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        done.stderr.strip()] and "has no /opt/none/lvstui" in done.stderr


@pytest.fixture
def reader(pair):
    """A user that is not root on d2 (its own login, the same key)."""
    if subprocess.run(["id", "lvsro"], capture_output=True).returncode != 0:
        sh("useradd", "-m", "-s", "/bin/bash", "-p", "*", "lvsro")   # "*": not locked (sshd)
        sh("chmod", "711", "/root")          # the VM's overlay: lets it run the venv's python
        sh("install", "-d", "-o", "lvsro", "-m", "700", "/home/lvsro/.ssh")
        sh("install", "-o", "lvsro", "-m", "600", str(pair.sshd.dir / "id.pub"),
           "/home/lvsro/.ssh/authorized_keys")
    cfg = pair.sshd.config
    text = cfg.read_text()
    cfg.write_text(text + text.replace("Host director2", "Host reader2")
                   .replace("User root", "User lvsro"))
    yield "reader2"
    cfg.write_text(text)


def test_a_peer_where_the_agent_is_not_root_is_read_only(pair, reader):
    load("d2", "-A -t 10.0.0.50:80 -s wlc\n-a -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 5\n"
               "-A -u 10.0.0.53:53 -s rr -p 60\n-a -u 10.0.0.53:53 -r 10.0.0.21:53 -m -w 2\n")
    load("d1", D1_RULES)
    audit = "/tmp/lvsro-audit.log"
    command = f"{LVSTUI} --audit-log {audit}"
    saved = pair.lvstui("save", "--peer", reader, peer_command=command)
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout == ipvsadm("d2", "-Sn")        # read from /proc/net/ip_vs
    before = ipvsadm("d2", "-Sn")
    done = pair.lvstui("sync", "--to", reader, peer_command=command)
    assert done.returncode == 1
    assert "not permitted" in done.stderr and "root" in done.stderr
    assert ipvsadm("d2", "-Sn") == before
