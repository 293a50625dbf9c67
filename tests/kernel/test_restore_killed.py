"""Inside the ip_vs VM: ``lvstui restore`` SIGKILLed half-way leaves an audit log naming the
steps the kernel confirmed (each one is in the table), and the same restore run again does
exactly the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.kernel
SERVICES, SERVERS = 60, 100      # 6,060 rules: 24 batches of 256, the kill lands in the first


def rules_file(path) -> list[str]:
    lines = []
    for s in range(SERVICES):
        vip = f"-t 10.1.{s // 250}.{s % 250 + 1}:80"
        lines.append(f"-A {vip} -s wlc")
        lines += [f"-a {vip} -r 10.2.{r // 250}.{r % 250 + 1}:80 -m -w 1" for r in range(SERVERS)]
    path.write_text("\n".join(lines) + "\n")
    return lines


def restore(path, audit) -> list:
    return [sys.executable, "-m", "lvstui.cli", "--audit-log", str(audit), "restore", str(path)]


def test_a_killed_restore_is_audited_step_by_step_and_completed_by_a_rerun(tmp_path):
    subprocess.run(["ipvsadm", "-C"], check=True)
    path, audit = tmp_path / "rules", tmp_path / "audit.log"
    wanted = rules_file(path)
    proc = subprocess.Popen(restore(path, audit), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (audit.exists() and "result=ok" in audit.read_text()):
            assert proc.poll() is None, "restore ended before it could be killed"
            assert time.monotonic() < deadline, "no step confirmed within 120 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    lines = audit.read_text().splitlines()
    done = [line.split("result=ok ", 1)[1] for line in lines if "result=ok " in line]
    assert "result=start" in lines[0] and f"{len(wanted)} step(s)" in lines[0]
    assert not any("result=done" in line for line in lines)     # killed: no end line
    table = set(subprocess.run(["ipvsadm", "-Sn"], capture_output=True, text=True,
                               check=True).stdout.splitlines())
    assert 0 < len(done) < len(wanted)
    assert all(cmd.removeprefix("ipvsadm ") in table for cmd in done)   # each one applied

    rerun = subprocess.run(restore(path, audit), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    second = rerun.stdout.splitlines()
    assert not set(second) & {f"ipvsadm {c.removeprefix('ipvsadm ')}" for c in done}
    assert len(second) <= len(wanted) - len(done)            # only what was missing
    final = subprocess.run(["ipvsadm", "-Sn"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert sorted(final) == sorted(wanted)
    assert audit.read_text().splitlines()[-1].split("result=")[1].startswith("done")
    subprocess.run(["ipvsadm", "-C"], check=True)
