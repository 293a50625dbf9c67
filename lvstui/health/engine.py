"""The check engine: every real server checked concurrently, rise/fall counted, and the IPVS
table changed through the backend — quiesce (weight 0) or remove on down, the configured weight
back on up (optionally ramped: slow start), a fallback server when none is left, a guard that
keeps the last healthy servers in, and operator maintenance left alone."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ..ipvs.backend import Backend, IPVSError
from ..model import RealServer, VirtualService
from .checks import Check, CheckResult, run_check


@dataclass
class Policy:
    """How one virtual service is watched (ldirectord's and keepalived's knobs)."""

    check: Check = field(default_factory=Check)
    interval: float = 5.0
    fall: int = 3                 # consecutive failures before down
    rise: int = 2                 # consecutive successes before up
    action: str = "quiesce"       # or "remove"
    slow_start: int = 0           # intervals to ramp the weight back up (0: at once)
    fallback: RealServer | None = None
    keep_healthy: int = 0         # guard: never take out the last N healthy servers


@dataclass
class Health:
    """What the monitor knows of one real server."""

    up: bool = True
    since: float = field(default_factory=time.time)
    fails: int = 0
    passes: int = 0
    last: CheckResult | None = None
    weight: int = 1               # the configured weight, restored on up
    entry: RealServer | None = None   # the whole entry, to add back after a removal
    removed: bool = False
    maintenance: bool = False     # drained by the operator: checked, never restored
    ramp: int = 0                 # slow-start steps still to go
    guarded: bool = False         # down, but kept in by the guard


Log = Callable[[str], None]


class Monitor:
    def __init__(self, backend: Backend, services: list[tuple[VirtualService, Policy]],
                 log: Log = print):
        self.backend, self.log = backend, log
        self.services = services
        self.health: dict[tuple, dict[tuple, Health]] = {svc.key: {} for svc, _ in services}
        self.set_by_us: dict[tuple, int] = {}        # (svc key, rs key) -> weight we last set

    # ------------------------------------------------------------ one round
    async def round(self, svc: VirtualService, policy: Policy) -> None:
        """Check every real server of *svc* once, concurrently, and act on what changed."""
        try:
            live = self.backend.find_service(svc)
        except IPVSError as exc:
            self.log(f"{svc.name}: cannot read the table: {exc}")
            return
        states = self.health[svc.key]
        fallback_key = policy.fallback.key if policy.fallback else None
        servers = {rs.key: rs for rs in live.servers if rs.key != fallback_key}
        for key, st in states.items():                # removed ones are still checked
            if st.removed and key not in servers and st.entry is not None:
                servers[key] = st.entry
        for key, rs in servers.items():
            st = states.setdefault(key, Health(weight=rs.weight or 1, entry=rs))
            self._note_operator(svc, rs, st, key in {r.key for r in live.servers})
        results = await asyncio.gather(*(run_check(policy.check, rs.address, rs.port)
                                         for rs in servers.values()))
        self._ramp(svc, policy)                        # ramps begun in earlier rounds
        for (key, rs), result in zip(servers.items(), results):
            self._judge(svc, policy, rs, states[key], result)
        self._fallback(svc, policy)

    def _note_operator(self, svc: VirtualService, rs: RealServer, st: Health,
                       present: bool) -> None:
        """A weight we did not set is the operator's: 0 means maintenance, >0 the new weight."""
        if not present:
            return
        ours = self.set_by_us.get((svc.key, rs.key))
        if ours is not None and rs.weight == ours:
            return
        self.set_by_us.pop((svc.key, rs.key), None)
        if rs.weight == 0 and not st.maintenance:
            st.maintenance = True
            self.log(f"{svc.name} {rs.endpoint}: drained by the operator — checked, not restored")
        elif rs.weight > 0:
            if st.maintenance:
                self.log(f"{svc.name} {rs.endpoint}: back from maintenance, weight {rs.weight}")
            st.maintenance, st.weight, st.entry, st.ramp = False, rs.weight, rs, 0

    def _judge(self, svc: VirtualService, policy: Policy, rs: RealServer, st: Health,
               result: CheckResult) -> None:
        st.last = result
        if result.up:
            st.passes, st.fails = st.passes + 1, 0
            if not st.up and st.passes >= policy.rise:
                self._bring_up(svc, policy, rs, st)
        else:
            st.fails, st.passes = st.fails + 1, 0
            if st.up and st.fails >= policy.fall:
                self._take_down(svc, policy, rs, st, result.reason)
            elif not st.up and st.guarded:
                self._take_down(svc, policy, rs, st, result.reason)   # guard may allow it now

    def _take_down(self, svc, policy: Policy, rs: RealServer, st: Health, reason: str) -> None:
        healthy = [k for k, h in self.health[svc.key].items()
                   if h.up and not h.maintenance and k != rs.key]
        if policy.keep_healthy and len(healthy) < policy.keep_healthy:
            if not st.guarded:
                self.log(f"{svc.name} {rs.endpoint}: down ({reason}) but kept in: fewer than "
                         f"{policy.keep_healthy} healthy server(s) would be left")
            st.up, st.guarded, st.since = False, True, time.time()
            return
        st.up, st.guarded, st.since = False, False, time.time()
        if st.maintenance:
            self.log(f"{svc.name} {rs.endpoint}: down ({reason}); in maintenance, left as it is")
            return
        if policy.action == "remove":
            if self._change(svc, lambda: self.backend.delete_server(svc, rs)):
                st.removed = True
                self.log(f"{svc.name} {rs.endpoint}: down ({reason}): removed")
        elif self._set_weight(svc, rs, 0):
            self.log(f"{svc.name} {rs.endpoint}: down ({reason}): quiesced (weight 0, was "
                     f"{st.weight})")

    def _bring_up(self, svc, policy: Policy, rs: RealServer, st: Health) -> None:
        st.up, st.guarded, st.since = True, False, time.time()
        if st.maintenance:
            self.log(f"{svc.name} {rs.endpoint}: up again; in maintenance, not restored")
            return
        steps = policy.slow_start
        first = max(1, math.ceil(st.weight / (steps + 1))) if steps else st.weight
        if st.removed:
            entry = replace(st.entry or rs, weight=first)
            if self._change(svc, lambda: self.backend.add_server(svc, entry)):
                st.removed = False
                self.set_by_us[(svc.key, rs.key)] = first
        else:
            self._set_weight(svc, rs, first)
        st.ramp = steps
        self.log(f"{svc.name} {rs.endpoint}: up: weight {first}"
                 + (f", ramping to {st.weight} over {steps} interval(s)" if steps else ""))

    def _ramp(self, svc, policy: Policy) -> None:
        for key, st in self.health[svc.key].items():
            if st.up and st.ramp and not st.maintenance:
                st.ramp -= 1
                done = policy.slow_start - st.ramp
                weight = st.weight if st.ramp == 0 else \
                    max(1, math.ceil(st.weight * (done + 1) / (policy.slow_start + 1)))
                self._set_weight(svc, RealServer(*key), weight)

    def _fallback(self, svc, policy: Policy) -> None:
        if policy.fallback is None:
            return
        states = self.health[svc.key].values()
        none_left = states and not any(h.up and not h.maintenance for h in states)
        try:
            present = self.backend.find_service(svc).server(*policy.fallback.key) is not None
        except IPVSError:
            return
        if none_left and not present:
            if self._change(svc, lambda: self.backend.add_server(svc, policy.fallback)):
                self.log(f"{svc.name}: every real server is down: fallback "
                         f"{policy.fallback.endpoint} added")
        elif not none_left and present:
            if self._change(svc, lambda: self.backend.delete_server(svc, policy.fallback)):
                self.log(f"{svc.name}: a real server is back: fallback "
                         f"{policy.fallback.endpoint} removed")

    def _set_weight(self, svc, rs: RealServer, weight: int) -> bool:
        done = self._change(svc, lambda: self.backend.set_weight(svc, rs.address, rs.port, weight))
        if done:
            self.set_by_us[(svc.key, rs.key)] = weight
        return done

    def _change(self, svc, do) -> bool:
        try:
            do()
            return True
        except IPVSError as exc:
            self.log(f"{svc.name}: the table refused a change: {exc}")
            return False

    # ------------------------------------------------------------ running
    async def run(self, stop: asyncio.Event) -> None:
        """Every service on its own interval until *stop* is set."""
        async def watch(svc, policy):
            while not stop.is_set():
                await self.round(svc, policy)
                try:
                    await asyncio.wait_for(stop.wait(), policy.interval)
                except asyncio.TimeoutError:
                    pass
        await asyncio.gather(*(watch(svc, policy) for svc, policy in self.services))
