"""Heartbeat's files: byte-identical round trips, one-line edits, heartbeat's rules, safe saves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lvstui.ha.check import check, parse_time
from lvstui.ha.config import AuthKeys, HaConfig, HaCf, HaResources

from ..helpers import (REFERENCE_AUTHKEYS, REFERENCE_HA_CF, REFERENCE_HARESOURCES,
                       kill_midway)


VARIED = [
    "# heartbeat config\n\n#   keepalive 1\nkeepalive\t500ms   # half a second\n"
    "deadtime 5\r\nwarntime 3\ninitdead 30\nudpport 694\nbcast eth1 eth2\n"
    "mcast eth1 225.0.0.7 694 1 0\nserial /dev/ttyS0\ncompression bz2\nfrobnicate yes\n"
    "node a\nnode b",
    "   node   alpha beta    \n\n\nucast  eth0 10.0.0.2\n",
]


@pytest.mark.parametrize("text", [REFERENCE_HA_CF, *VARIED])
def test_unchanged_files_save_byte_identical(tmp_path, text):
    path = tmp_path / "ha.cf"
    path.write_bytes(text.encode())
    cf = HaCf(path.read_bytes().decode(), str(path))
    assert cf.text() == text
    cf.save()
    assert path.read_bytes() == text.encode()


def test_an_edit_changes_only_its_line():
    cf = HaCf(VARIED[0], "ha.cf")
    cf.set("keepalive", "1")
    before, after = VARIED[0].splitlines(keepends=True), cf.text().splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed == [3] and after[3] == "keepalive\t1   # half a second\n"
    cf.set("deadtime", "8")                       # keeps its \r\n ending
    assert "deadtime 8\r\n" in cf.text()
    cf.add("node", "c")
    assert cf.nodes == ["a", "b", "c"] and cf.text().endswith("node a\nnode b\nnode c\n")
    cf.set("udpport", "695")
    cf.remove("node", ("c",))
    assert cf.nodes == ["a", "b"]
    cf.set("crm", "off")                          # a new directive goes at the end
    assert cf.text().endswith("node b\ncrm off\n")


def test_haresources_groups_and_vip_edit():
    res = HaResources("# preferred node first\nrh1.cluster.net 172.26.46.119/24/eth0 \\\n"
                      "   httpd  # web\n", "haresources")
    (group,) = res.groups()
    assert group.node == "rh1.cluster.net" and group.resources == ("172.26.46.119/24/eth0", "httpd")
    res.replace_resource("172.26.46.119/24/eth0", "172.26.46.120/24/eth0")
    assert res.text() == ("# preferred node first\nrh1.cluster.net 172.26.46.120/24/eth0 \\\n"
                          "   httpd  # web\n")


def test_authkeys_secret_is_masked_and_replaced():
    keys = AuthKeys(REFERENCE_AUTHKEYS, "authkeys")
    assert keys.describe() == "key 2 (sha1, secret ********)"
    assert "helloworld" not in repr(keys.keys()) and "helloworld" not in keys.describe()
    keys.set_key("3", "sha1", "n3w-s3cret")
    assert keys.text() == "auth 3\n2 sha1 helloworld\n3 sha1 n3w-s3cret\n"
    with pytest.raises(ValueError):
        keys.set_key("3", "sha1", "two words")


def test_authkeys_is_written_0600_even_from_0644(tmp_path):
    path = tmp_path / "authkeys"
    path.write_text(REFERENCE_AUTHKEYS)
    os.chmod(path, 0o644)
    keys = AuthKeys(path.read_text(), str(path))
    keys.set_key("2", "sha1", "other")
    keys.save()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert (tmp_path / "authkeys.bak").read_text() == REFERENCE_AUTHKEYS


def write_dir(tmp_path, ha_cf=REFERENCE_HA_CF, res=REFERENCE_HARESOURCES,
              keys=REFERENCE_AUTHKEYS, mode=0o600):
    (tmp_path / "ha.cf").write_text(ha_cf)
    (tmp_path / "haresources").write_text(res)
    (tmp_path / "authkeys").write_text(keys)
    os.chmod(tmp_path / "authkeys", mode)
    return HaConfig.read(str(tmp_path))


def test_reference_cluster_is_clean(tmp_path):
    """heartbeat runs it (tests/heartbeat/test_referee.py); its warntime equals its deadtime,
    so a late heartbeat is never warned of before the node is declared dead."""
    findings = check(write_dir(tmp_path), "rh1.cluster.net")
    assert [(f.level, f.line) for f in findings] == [("warning", 4)], findings
    assert "never warns" in findings[0].message


@pytest.mark.parametrize("edit,level,words", [
    (lambda c: c.replace("keepalive 2", "keepalive 5"), "error",
     "deadtime (10000 ms) must be more than twice keepalive (5000 ms)"),
    (lambda c: c.replace("initdead 20", "initdead 15"), "warning", "initdead should be at least"),
    (lambda c: c.replace("deadtime 10", "deadtime 3").replace("warntime 10", "warntime 3"),
     "error", "deadtime (3000 ms) must be more than twice keepalive"),
    (lambda c: c.replace("keepalive 2", "keepalive soon"), "error", "keepalive soon: a time"),
    (lambda c: c.replace("ucast eth1 192.168.0.1", "ucast eth1"), "error", "ucast needs"),
    (lambda c: c.replace("ucast eth1 192.168.0.1", "# no media"), "error",
     "no communication media"),
    (lambda c: c.replace("auto_failback on", "auto_failback maybe"), "error", "auto_failback"),
    (lambda c: c.replace("udpport 694", "udpport ha"), "error", "udpport ha: a port number"),
    (lambda c: c + "udpport 694\n", "warning", "udpport after a media line"),
    (lambda c: c + "mcast eth1 10.0.0.1 694 1 0\n", "error", "mcast needs"),
    (lambda c: c + "bogus 1\n", "error", "unknown directive 'bogus'"),
    (lambda c: c.replace("node    rh1.cluster.net\n", ""), "error",
     "this host (rh1.cluster.net) is not among the nodes"),
])
def test_ha_cf_rules(tmp_path, edit, level, words):
    findings = check(write_dir(tmp_path, ha_cf=edit(REFERENCE_HA_CF)), "rh1.cluster.net")
    hits = [f for f in findings if f.level == level and words in f.message]
    assert hits and all(f.path == str(tmp_path / "ha.cf") for f in hits), findings


@pytest.mark.parametrize("res,keys,mode,words", [
    ("nobody.cluster.net 172.26.46.119/24/eth0\n", REFERENCE_AUTHKEYS, 0o600, "not a node"),
    ("rh1.cluster.net 172.26.46.300/24/eth0\n", REFERENCE_AUTHKEYS, 0o600, "not an IP address"),
    ("rh1.cluster.net IPaddr::172.26.46.119/99/eth0\n", REFERENCE_AUTHKEYS, 0o600,
     "not a prefix length"),
    (REFERENCE_HARESOURCES, REFERENCE_AUTHKEYS, 0o644, "refuses it unless it is 0600"),
    (REFERENCE_HARESOURCES, "auth 3\n2 sha1 x\n", 0o600, "names a key that is not defined"),
    (REFERENCE_HARESOURCES, "auth 1\n1 crc\n", 0o600, "no security"),
    (REFERENCE_HARESOURCES, "auth 1\n1 sha1\n", 0o600, "has no secret"),
    (REFERENCE_HARESOURCES, "auth 1\n1 rot13 x\n", 0o600, "unknown method"),
])
def test_haresources_and_authkeys_rules(tmp_path, res, keys, mode, words):
    findings = check(write_dir(tmp_path, res=res, keys=keys, mode=mode), "rh1.cluster.net")
    assert any(words in f.message for f in findings), findings
    assert all("helloworld" not in str(f) for f in findings)


def test_times():
    """heartbeat's get_msec: "1s" and "-1" are not times to it."""
    assert [parse_time(t) for t in ("2", "500ms", "2.5", "1s", "x", "-1", "900000us",
                                    "1500msec", ".")] == [
        2000, 500, 2500, None, None, None, 900, 1500, 0]


def test_check_config_command(tmp_path):
    write_dir(tmp_path)
    run = lambda *a: subprocess.run([sys.executable, "-m", "lvstui.cli", "check-config",  # noqa
                                     "--ha-dir", str(tmp_path), *a], capture_output=True, text=True)
    clean = run("--node", "rh1.cluster.net")
    assert clean.returncode == 0 and "0 error(s), 1 warning(s)" in clean.stdout
    os.chmod(tmp_path / "authkeys", 0o644)
    bad = run("--node", "somewhere")
    assert bad.returncode == 1
    assert f"{tmp_path}/ha.cf:9: error: this host (somewhere)" in bad.stderr
    assert f"{tmp_path}/authkeys:1: error: authkeys is mode 0644" in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "lvstui.cli", "check-config", "--ha-dir",
                              str(tmp_path / "nope")], capture_output=True, text=True)
    assert missing.returncode == 1 and "ha.cf: error: not found" in missing.stderr


def test_a_save_killed_midway_leaves_old_or_new(tmp_path):
    path = tmp_path / "ha.cf"
    old = REFERENCE_HA_CF + ("# " + "padding " * 500 + "\n") * 1000   # the write dominates
    path.write_text(old)
    writer = ("import sys; sys.path.insert(0, %r)\n"
              "from lvstui.ha.config import HaCf\n"
              "print('writing', flush=True)\n"
              "while True:\n"
              "    cf = HaCf(open(%r).read(), %r)\n"
              "    cf.set('keepalive', '1' if cf.get('keepalive') == ('2',) else '2')\n"
              "    cf.save()\n" % (os.getcwd(), str(path), str(path)))
    assert kill_midway(writer, tmp_path, lambda: path.read_text() in (
        old, old.replace("keepalive 2", "keepalive 1"))) >= 3
