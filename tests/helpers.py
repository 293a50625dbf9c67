"""Helpers shared by the test tiers."""

from __future__ import annotations

import pathlib
import signal
import socket
import subprocess
import sys
import time

from lvstui.demo.sandbox import (AUTHKEYS as REFERENCE_AUTHKEYS,  # noqa: F401  (one copy)
                                 HA_CF as REFERENCE_HA_CF, HARESOURCES as REFERENCE_HARESOURCES)


def kill_midway(code: str, directory, intact, tries: int = 30) -> int:
    """Run *code* (a writer that prints ``writing`` and then loops forever over a file in
    *directory*) and SIGKILL it at a growing time after its loop began (not after its start:
    a loaded machine starts Python slowly), until a kill has landed in the middle of a write —
    proved by the temp file the write leaves behind — three times. *intact()* must hold after
    every kill. Returns how many kills landed mid-write (the caller asserts it)."""
    mid_write = 0
    for n in range(tries):
        for stale in pathlib.Path(directory).glob(".*.tmp"):
            stale.unlink()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            started = proc.stdout.readline()
            assert started == "writing\n", f"the writer did not start: {started!r}"
            time.sleep(0.003 * n)                # the kill's point in the loop, not a wait
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert intact(), "a half-written file after a kill"
        mid_write += any(pathlib.Path(directory).glob(".*.tmp"))
        if mid_write >= 3:
            break
    return mid_write


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
