"""Inside the ip_vs VM, with ipvsadm as the referee: a restore that would empty the table is
refused with the table unchanged, and the undo of a flush gives the whole table back."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lvstui.audit import AuditLog
from lvstui.session import Session

from .test_ipvsadm_referee import FULL_TABLE, ipvsadm, kernel  # noqa: F401  (the fixture)

pytestmark = pytest.mark.kernel


def restore(text: str, *extra: str, audit) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lvstui.cli", "--audit-log", str(audit),
                           "restore", *extra, "-"], input=text, capture_output=True, text=True)


@pytest.mark.parametrize("text, words", [
    ("", "holds no virtual service"),
    ("\n# nothing but a comment\n", "holds no virtual service"),
    ("-A -t 192.0.2.1:80 -s rr\n", "holds none of the live virtual services"),
])
def test_a_restore_that_would_empty_the_table_is_refused(kernel, tmp_path, text, words):  # noqa: F811
    ipvsadm("-R", stdin=FULL_TABLE)
    before = ipvsadm("-Sn")
    refused = restore(text, audit=tmp_path / "audit.log")
    assert refused.returncode == 1 and refused.stdout == ""
    assert words in refused.stderr and "--yes" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0
    assert ipvsadm("-Sn") == before and not (tmp_path / "audit.log").exists()
    done = restore(text, "--yes", audit=tmp_path / "audit.log")
    assert done.returncode == 0, done.stderr
    assert ipvsadm("-Sn") == ("-A -t 192.0.2.1:80 -s rr\n" if text.startswith("-A") else "")


def test_a_restore_keeping_some_services_needs_no_yes(kernel, tmp_path):  # noqa: F811
    ipvsadm("-R", stdin=FULL_TABLE)
    kept = "-A -t 200.0.0.1:80 -s wlc\n"
    done = restore(kept, audit=tmp_path / "audit.log")
    assert done.returncode == 0, done.stderr
    assert ipvsadm("-Sn") == kept


def test_undo_of_a_flush_brings_the_whole_table_back(kernel, tmp_path):  # noqa: F811
    ipvsadm("-R", stdin=FULL_TABLE)
    before = ipvsadm("-Sn")
    session = Session(kernel, audit=AuditLog(str(tmp_path / "audit.log")))
    assert session.table.flush().ok
    assert ipvsadm("-Sn") == ""
    undone = session.journal.undo()
    assert undone.ok, undone.error
    assert ipvsadm("-Sn") == before
    assert session.journal.redo().ok and ipvsadm("-Sn") == ""
    assert session.journal.undo().ok and ipvsadm("-Sn") == before
    assert "ipvsadm -C  # redo" in (tmp_path / "audit.log").read_text()


def test_a_large_file_edited_a_little_reaches_the_kernel_as_only_the_edits(kernel, tmp_path):  # noqa: F811
    """The line-by-line plan of a large rules file (tens of services, over 1,000 lines) against
    ipvsadm: the dry run lists exactly the edits, and the table then saves as the file."""
    text = "".join(f"-A -t 10.3.0.{s}:80 -s wlc\n" + "".join(
        f"-a -t 10.3.0.{s}:80 -r 10.4.{s}.{r}:80 -m -w 1\n" for r in range(1, 51))
        for s in range(1, 31))
    ipvsadm("-R", stdin=text)
    edited = (text.replace("-r 10.4.7.9:80 -m -w 1", "-r 10.4.7.9:80 -m -w 3")
              .replace("-a -t 10.3.0.8:80 -r 10.4.8.2:80 -m -w 1\n", "")
              + "-a -t 10.3.0.9:80 -r 10.4.9.99:80 -m -w 2\n")
    dry = restore(edited, "--dry-run", audit=tmp_path / "audit.log")
    assert dry.returncode == 0, dry.stderr
    assert sorted(dry.stdout.splitlines()) == sorted([
        "ipvsadm -e -t 10.3.0.7:80 -r 10.4.7.9:80 -m -w 3",
        "ipvsadm -d -t 10.3.0.8:80 -r 10.4.8.2:80",
        "ipvsadm -a -t 10.3.0.9:80 -r 10.4.9.99:80 -m -w 2"])
    done = restore(edited, audit=tmp_path / "audit.log")
    assert done.returncode == 0, done.stderr
    assert sorted(ipvsadm("-Sn").splitlines()) == sorted(edited.splitlines())


def test_a_weight_ipvsadm_loads_from_a_file_loads_with_lvstui_too(kernel, tmp_path):  # noqa: F811
    """ipvsadm 1.31 loads a weight above 65535 (up to the kernel's limit): so does restore,
    though the console lets an operator type no more than 65535."""
    file = "-A -t 10.5.0.1:80 -s wlc\n-a -t 10.5.0.1:80 -r 10.6.0.1:80 -m -w 70000\n"
    ipvsadm("-R", stdin=file)
    assert ipvsadm("-Sn") == file
    ipvsadm("-C")
    ours = restore(file, audit=tmp_path / "audit.log")
    assert ours.returncode == 0, ours.stderr
    assert ipvsadm("-Sn") == file
