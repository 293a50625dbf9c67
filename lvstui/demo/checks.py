"""The demo's real servers answering health checks, and the console's monitor of them."""

from __future__ import annotations

import random
import time

from ..health.checks import Check, CheckResult
from ..health.engine import Monitor, Policy
from ..health.sources import LocalMonitor
from ..ipvs.memory import MemoryBackend
from .table import REAL_SERVERS


class SimulatedChecks:
    """The demo's real servers answering health checks: RS2 answers HTTP 503 for 20 s of
    every 90 s (from 40 s in), the others answer in a few milliseconds."""

    def __init__(self, clock=time.monotonic, seed: int = 2):
        self.clock, self.start = clock, clock()
        self.random = random.Random(seed)

    def failing(self, host: str) -> bool:
        """Whether *host* answers 503 now."""
        return host == REAL_SERVERS[1] and 40 <= (self.clock() - self.start) % 90 < 60

    async def __call__(self, check: Check, host: str, port: int) -> CheckResult:
        if self.failing(host):
            return CheckResult(False, "HTTP 503", self.random.uniform(0.002, 0.004))
        return CheckResult(True, "ok", self.random.uniform(0.002, 0.009))


def demo_health(table: MemoryBackend, record=None):
    """The demo's in-console monitor: HTTP checks every 2 s, down after 2, up after 2."""
    services = [(svc.without_servers(), Policy(Check("http"), interval=2, fall=2, rise=2))
                for svc in table.services()]
    monitor = Monitor(table, services, log=lambda message: None, record=record,
                      probe=SimulatedChecks())
    monitor.prepare()
    return LocalMonitor(monitor, "checked by this console (simulated real servers)")
