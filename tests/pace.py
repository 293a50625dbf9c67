"""How long a test waits for a condition before it gives up, scaled to the machine it runs on.

A test asserts behaviour, never speed: the VM's emulated CPU is 15-40 times slower than the
host, more while the host tier runs beside it, so a fixed number of seconds is either too short
there or far too long here. ``patience(s)`` is *s* seconds of an idle host (already generous
there) times this machine's measured slowness times a margin for a loaded host. It is only ever
a deadline: a condition that holds sooner ends the wait sooner. ``LVSTUI_SLOWNESS`` overrides
the measurement."""

from __future__ import annotations

import functools
import os
import time

HOST_LOOP = 0.016       # seconds the calibration loop takes on an idle 2-core host
MARGIN = 3.0            # the host busy beside the VM, the VM's scheduling hiccups


def _loop() -> float:
    started = time.perf_counter()
    table: dict[int, str] = {}
    for i in range(200_000):
        table[i % 1000] = str(i)
    return time.perf_counter() - started


@functools.cache
def slowness() -> float:
    """This machine's interpreter against an idle host's: at least 1."""
    if os.environ.get("LVSTUI_SLOWNESS"):
        return max(1.0, float(os.environ["LVSTUI_SLOWNESS"]))
    return max(1.0, min(_loop() for _ in range(3)) / HOST_LOOP)


def patience(host_seconds: float) -> float:
    """The deadline for something that takes at most *host_seconds* on an idle host."""
    return host_seconds * slowness() * MARGIN


def until(condition, host_seconds: float, what: str, step: float = 0.1):
    """Wait for *condition()* to be true (returning its value); give up after
    ``patience(host_seconds)`` saying what was waited for and how long."""
    limit = patience(host_seconds)
    deadline = time.monotonic() + limit
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {limit:.0f} s "
                                 f"({host_seconds:g} s of an idle host x slowness "
                                 f"{slowness():.1f} x {MARGIN:g})")
        time.sleep(step)
    return value
