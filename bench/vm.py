"""The benches that need the IPVS kernel: run here when this kernel has it, else in the
project's VM (tests/vm/run-in-vm.sh), which cannot autoload modules."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rerun_in_vm(script: str, modules: tuple[str, ...], env: dict[str, str],
                quiet: bool = False) -> int | None:
    """None when this kernel has IPVS (*modules* loaded): the caller goes on here. Otherwise
    *script* with this process's arguments runs in the VM, *modules* loaded first, and its exit
    status is returned; *quiet* drops its stderr (heartbeat logs to the VM's console)."""
    if os.path.exists("/proc/net/ip_vs") or not subprocess.run(
            ["modprobe", "-a", *modules], capture_output=True).returncode:
        return None
    vm = os.path.join(ROOT, "tests", "vm", "run-in-vm.sh")
    cmd = " ".join([sys.executable, os.path.abspath(script), *sys.argv[1:]])
    return subprocess.run([vm, f"modprobe -a {' '.join(modules)} && {cmd}"
                               + (" 2>/dev/null" if quiet else "")],
                          env={**os.environ, **env}).returncode
