"""``lvstui ha prepare``: the lines keepalived.conf lacks for lvstui, inserted into the file that
holds each block with every other byte kept, and accepted by keepalived 2.2.7 itself
(``keepalived -t``, the referee of test_referee.py); lvstui then finds what it needs in them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lvstui.cases.prepare import ready_keepalived
from lvstui.keepalived.conf import read
from lvstui.keepalived.priority import priority_path
from lvstui.keepalived.services import configured_services
from lvstui.keepalived.weights import kept

from .corpus import BASE, MUTATIONS, cases
from .test_referee import facts, keepalived_refuses, write  # noqa: F401  (a fixture)

CASES = {name: files for name, files in cases()
         if name in ("base", "crlf", "tabs", "include-glob", "quoted-pass", "vs-fwmark", "vs-v6",
                     "kind-nat", "file-check", "inhibit", "brace-open-own-line", "comment-hash",
                     "brace-one-line-vip", "priority-255")}
ONE_LINE = BASE.replace("""    real_server 172.26.46.81 80 {   # the second one
        weight 1
        TCP_CHECK {
            connect_port 80
            connect_timeout 3
        }
    }""", "    real_server 172.26.46.81 80 { weight 1 }")


def removed(text: str, original: str) -> str:
    """*text* without the lines lvstui inserted (those *original* lacks), in order."""
    lines, kept_lines = original.splitlines(True), []
    for line in text.splitlines(True):
        if lines and line == lines[0]:
            kept_lines.append(lines.pop(0))
    return "".join(kept_lines)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_lines_are_accepted_by_keepalived_and_give_lvstui_what_it_needs(tmp_path, facts,
                                                                             name):
    conf = write(tmp_path, CASES[name])
    refused, said = keepalived_refuses(conf)
    ready = ready_keepalived(conf, facts)
    if refused:
        assert ready.proposal.refused, said
        return
    assert not ready.proposal.refused and ready.proposal.files
    before = {f.path: open(f.path, newline="").read() for f in ready.proposal.files}
    for f in ready.proposal.files:
        f.save()
    refused, said = keepalived_refuses(conf)
    assert not refused, said
    for path, old in before.items():
        new = open(path, newline="").read()
        assert removed(new, old) == old                     # every other byte kept
        assert ("\r\n" in new) == ("\r\n" in old)
    config = read(conf)
    servers = {(svc.key, rs.key) for svc in configured_services(config)[0]
               for rs in svc.servers}
    assert servers and set(kept(config)) == servers
    if any("owns its VIPs" in line for line in ready.skipped):      # priority 255
        with pytest.raises(ValueError, match="owner"):
            priority_path(config)
    else:
        assert priority_path(config) == "/var/lib/lvstui/keepalived-priority"
    assert not ready_keepalived(conf, facts).proposal.files        # nothing lacking now


def test_the_control_a_config_without_the_lines_gives_lvstui_nothing(tmp_path):
    conf = write(tmp_path, {"keepalived.conf": BASE})
    assert kept(read(conf)) == {}
    with pytest.raises(ValueError, match="declares no track_file lvstui_priority"):
        priority_path(read(conf))


def test_a_block_sharing_its_lines_is_left_to_the_operator(tmp_path, facts):
    conf = write(tmp_path, {"keepalived.conf": ONE_LINE})
    ready = ready_keepalived(conf, facts)
    assert [line.split(": ", 1)[1] for line in ready.skipped] == [
        "TCP 172.26.46.119:80 -> 172.26.46.81:80: its block shares lines with others; add the "
        "FILE_CHECK on track_file lvstui_w_tcp_172.26.46.119_80_172.26.46.81_80 by hand"]
    for f in ready.proposal.files:
        f.save()
    refused, said = keepalived_refuses(conf)
    assert not refused, said


def test_a_config_keepalived_refuses_is_left_as_it_is(tmp_path, facts):
    conf = write(tmp_path, {"keepalived.conf": MUTATIONS["vs-typo"](BASE)})
    assert keepalived_refuses(conf)[0]
    ready = ready_keepalived(conf, facts)
    assert ready.proposal.refused.startswith("keepalived -t refuses")
    assert not ready.proposal.files


AUTH_LAST = BASE.replace("""    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        172.26.46.119/24 dev lo label lo:0
    }""", """    virtual_ipaddress {
        172.26.46.119/24 dev lo label lo:0
    }
    authentication {
        auth_type PASS
        auth_pass s3cret
    }""")
"""The VRRP password within the diff's context (beside the instance's new track_file)."""


def lvstui(*args, cwd):
    return subprocess.run([sys.executable, "-m", "lvstui.cli", "--audit-log", "audit.log",
                           "ha", "prepare", "--ha", "keepalived", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_prepare_shows_a_diff_without_the_secret_then_writes_it_audited(tmp_path):
    conf = write(tmp_path, {"keepalived.conf": AUTH_LAST})
    shown = lvstui("--keepalived-conf", conf, cwd=tmp_path)
    assert shown.returncode == 1, shown.stderr
    assert "+        FILE_CHECK {" in shown.stdout and "nothing written" in shown.stdout
    assert "s3cret" not in shown.stdout and "auth_pass ********" in shown.stdout
    assert open(conf).read() == AUTH_LAST
    done = lvstui("--keepalived-conf", conf, "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert open(conf + ".bak").read() == AUTH_LAST and "FILE_CHECK" in open(conf).read()
    assert "lvstui's track files" in (tmp_path / "audit.log").read_text()
    again = lvstui("--keepalived-conf", conf, cwd=tmp_path)
    assert (again.returncode, again.stdout.strip()) == (0, f"{conf}: lvstui has what it needs")


def test_prepare_of_an_unreadable_file_says_why_in_one_line(tmp_path):
    gone = lvstui("--keepalived-conf", str(tmp_path / "none.conf"), cwd=tmp_path)
    assert gone.returncode == 2 and gone.stderr.count("\n") == 1
    assert "No such file or directory" in gone.stderr and not os.path.exists(
        tmp_path / "none.conf")
