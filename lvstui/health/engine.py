"""The check engine: every real server checked concurrently, rise/fall counted, and the IPVS
table changed through the backend — quiesce (weight 0) or remove on down, the configured weight
back on up (optionally ramped: slow start), a fallback server when none is left, a depool limit
that keeps the last healthy servers in (by default the last one: a check failing everywhere is
likelier the check's fault than every server's), and operator maintenance left alone."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable

from ..ipvs.backend import Backend, IPVSError, NoSuchService
from ..ipvs.operations import Operation
from ..model import RealServer, VirtualService
from .checks import Check, CheckResult, run_check


@dataclass
class Policy:
    """How one virtual service is watched (ldirectord's and keepalived's knobs). *overrides*
    hold a real server's own check, interval, fall and rise."""

    check: Check = field(default_factory=Check)
    interval: float = 5.0
    fall: int = 3                 # consecutive failures before down
    rise: int = 2                 # consecutive successes before up
    action: str = "quiesce"       # or "remove"
    slow_start: int = 0           # intervals to ramp the weight back up (0: at once)
    fallback: RealServer | None = None
    keep_healthy: int | None = None   # the depool limit: never take out the last N healthy
                                      # servers (None: the last one, unless a fallback serves)
    depool_threshold: float = 0.0     # PyBal's: the share of the servers checks never take out
    overrides: dict = field(default_factory=dict)     # (address, port) -> Policy

    def of(self, key: tuple) -> Policy:
        return self.overrides.get(key, self)

    def keep(self, servers: int) -> int:
        """How many of a service's *servers* checks alone never take out."""
        least = (0 if self.fallback else 1) if self.keep_healthy is None else self.keep_healthy
        return max(least, math.ceil(self.depool_threshold * servers - 1e-9))

    @property
    def period(self) -> float:
        """How often the service's round must run to keep every server on its interval."""
        return min([self.interval, *(p.interval for p in self.overrides.values())])


@dataclass
class Health:
    """What the monitor knows of one real server."""

    up: bool = True
    since: float = field(default_factory=time.time)
    fails: int = 0
    passes: int = 0
    last: CheckResult | None = None
    checked: float = 0.0          # when (wall clock) the last result came
    last_failure: str = ""        # the reason of the last failed check, kept after recovery
    weight: int = 1               # the configured weight, restored on up
    entry: RealServer | None = None   # the whole entry, to add back after a removal
    removed: bool = False         # not in the table (taken out, or not added yet)
    maintenance: bool = False     # drained by the operator: checked, never restored
    ramp: int = 0                 # slow-start steps still to go
    guarded: bool = False         # down, but kept in by the depool limit
    override: bool = False        # down, but the operator gave it weight: left in until it
                                  # passes its checks again or is drained
    fresh: bool = False           # configured, not in the table yet: the first check decides
    due: float = 0.0              # monotonic time of the next check (longer intervals)


Log = Callable[[str], None]
Record = Callable[[str, str], None]     # (ipvsadm command, result) -> audit
Probe = Callable[[Check, str, int], Awaitable[CheckResult]]


class Monitor:
    """Checks the real servers of *services* and changes the table through *backend*.

    A service given with real servers owns them: ``prepare()`` creates the service and the
    missing servers (added once their first check has spoken). A service given without
    real servers watches whatever the table holds."""

    def __init__(self, backend: Backend, services: list[tuple[VirtualService, Policy]],
                 log: Log = print, record: Record | None = None, probe: Probe = run_check):
        self.backend, self.log, self.record, self.probe = backend, log, record, probe
        self.services = services
        self.health: dict[tuple, dict[tuple, Health]] = {svc.key: {} for svc, _ in services}
        self.set_by_us: dict[tuple, int] = {}        # (svc key, rs key) -> weight we last set
        self.unreadable: set = set()                 # services the last read could not find

    # ------------------------------------------------------------ start
    def prepare(self, quiesced_before: set = frozenset()) -> None:
        """Make the table hold the configured services; note the servers' state. A server at
        weight 0 is the operator's (maintenance) unless *quiesced_before* names it: the
        (service key, server key) pairs an earlier run of the monitor had quiesced."""
        for svc, policy in self.services:
            try:
                live = self.backend.find_service(svc)
            except NoSuchService:
                live = None
            if live is None:
                if not self._apply(Operation("add-service", svc.without_servers())):
                    continue
                live = svc.without_servers()
            elif svc.servers and not live.same_config(svc):
                self._apply(Operation("edit-service", svc.without_servers(), before=live))
            states = self.health[svc.key]
            fallback_key = policy.fallback.key if policy.fallback else None
            for rs in live.servers:
                if rs.key == fallback_key:
                    continue
                wanted = svc.server(*rs.key)
                st = states[rs.key] = Health(weight=(wanted or rs).weight or 1, entry=wanted or rs)
                self.set_by_us[(svc.key, rs.key)] = rs.weight
                if rs.weight == 0 and (svc.key, rs.key) in quiesced_before:
                    st.up = False
                elif rs.weight == 0:
                    st.maintenance = True
                    self.log(f"{svc.name} {rs.endpoint}: weight 0 at start: taken as maintenance "
                             "(checked, not restored until the operator sets a weight)")
            for rs in svc.servers:
                if rs.key not in states:
                    states[rs.key] = Health(up=False, weight=rs.weight, entry=rs, removed=True,
                                            fresh=True)

    # ------------------------------------------------------------ one round
    async def round(self, svc: VirtualService, policy: Policy) -> None:
        """Check every due real server of *svc*, concurrently, and act on what changed."""
        try:
            live = self.backend.find_service(svc)
        except IPVSError as exc:
            if svc.key not in self.unreadable:                 # said once, not every round
                self.log(f"{svc.name}: not checked: {exc}")
            self.unreadable.add(svc.key)
            return
        if svc.key in self.unreadable:
            self.unreadable.discard(svc.key)
            self.log(f"{svc.name}: in the table again: checking")
        states = self.health[svc.key]
        fallback_key = policy.fallback.key if policy.fallback else None
        present = {rs.key: rs for rs in live.servers if rs.key != fallback_key}
        servers = dict(present)
        for key, st in states.items():                # removed ones are still checked
            if st.removed and key not in servers and st.entry is not None:
                servers[key] = st.entry
        for key, rs in servers.items():
            st = states.setdefault(key, Health(weight=rs.weight or 1, entry=rs))
            if key in present:
                self._note_operator(svc, rs, st)
        now, period = time.monotonic(), policy.period
        due = {key: rs for key, rs in servers.items()      # those on a longer interval: when due
               if policy.of(key).interval <= period or states[key].due <= now}
        results = await asyncio.gather(*(self.probe(policy.of(key).check, rs.address, rs.port)
                                         for key, rs in due.items()))
        self._ramp(svc, policy, present)               # ramps begun in earlier rounds
        for (key, rs), result in zip(due.items(), results):
            states[key].due = now + policy.of(key).interval - 0.05
            self._judge(svc, policy, rs, states[key], result)
        self._fallback(svc, policy, live)

    def _note_operator(self, svc: VirtualService, rs: RealServer, st: Health) -> None:
        """A weight we did not set is the operator's: 0 means maintenance, >0 the new weight."""
        ours = self.set_by_us.get((svc.key, rs.key))
        if ours is not None and rs.weight == ours:
            return
        self.set_by_us.pop((svc.key, rs.key), None)
        if rs.weight == 0 and not st.maintenance:
            st.maintenance, st.override = True, False
            self.log(f"{svc.name} {rs.endpoint}: drained by the operator — checked, not restored")
        elif rs.weight > 0:
            if st.maintenance:
                self.log(f"{svc.name} {rs.endpoint}: back from maintenance, weight {rs.weight}")
            if not st.up and st.checked and not st.override:
                st.override = True
                self.log(f"{svc.name} {rs.endpoint}: weight {rs.weight} set by the operator "
                         "while down: an override, left in until it passes its checks again "
                         "or is drained")
            st.maintenance, st.weight, st.entry, st.ramp = False, rs.weight, rs, 0

    def _judge(self, svc: VirtualService, policy: Policy, rs: RealServer, st: Health,
               result: CheckResult) -> None:
        st.last, st.checked = result, time.time()
        own = policy.of(rs.key)
        if not result.up:
            st.last_failure = result.reason
        if st.fresh:                                   # the first check decides
            st.fresh, st.up = False, not result.up
            if result.up:
                self._bring_up(svc, policy, rs, st, ramp=False)
            else:
                self._take_down(svc, policy, rs, st, result.reason)
        elif result.up:
            st.passes, st.fails = st.passes + 1, 0
            if not st.up and st.passes >= own.rise:
                self._bring_up(svc, policy, rs, st)
        else:
            st.fails, st.passes = st.fails + 1, 0
            if st.up and st.fails >= own.fall:
                self._take_down(svc, policy, rs, st, result.reason)
            elif not st.up and st.guarded:
                self._take_down(svc, policy, rs, st, result.reason)   # guard may allow it now

    def _take_down(self, svc, policy: Policy, rs: RealServer, st: Health, reason: str) -> None:
        pool = [k for k, h in self.health[svc.key].items() if not h.maintenance]
        healthy = [k for k in pool if self.health[svc.key][k].up and k != rs.key]
        keep = policy.keep(len(pool))
        if len(healthy) < keep and not st.removed and not st.maintenance:
            if not st.guarded:
                self.log(f"{svc.name} {rs.endpoint}: DOWN ({reason}) but KEPT IN by the depool "
                         f"limit: checks alone never take out the last {keep} of "
                         f"{len(pool)} server(s)"
                         + (" (the VIP would answer nobody)" if not healthy else ""))
            st.up, st.guarded, st.since = False, True, time.time()
            return
        st.up, st.guarded, st.since = False, False, time.time()
        if st.maintenance:
            self.log(f"{svc.name} {rs.endpoint}: down ({reason}); in maintenance, left as it is")
        elif policy.action == "remove":
            if st.removed:
                self.log(f"{svc.name} {rs.endpoint}: down ({reason}): not added")
            elif self._apply(Operation("delete-server", svc, rs)):
                st.removed = True
                self.log(f"{svc.name} {rs.endpoint}: down ({reason}): removed")
        elif st.removed:
            if self._apply(Operation("add-server", svc, replace(st.entry or rs, weight=0))):
                st.removed = False
                self.set_by_us[(svc.key, rs.key)] = 0
                self.log(f"{svc.name} {rs.endpoint}: down ({reason}): added quiesced (weight 0)")
        elif self._set_weight(svc, rs, 0):
            self.log(f"{svc.name} {rs.endpoint}: down ({reason}): quiesced (weight 0, was "
                     f"{st.weight})")

    def _bring_up(self, svc, policy: Policy, rs: RealServer, st: Health, ramp=True) -> None:
        st.up, st.guarded, st.since, st.override = True, False, time.time(), False
        if st.maintenance:
            self.log(f"{svc.name} {rs.endpoint}: up again; in maintenance, not restored")
            return
        steps = policy.slow_start if ramp else 0
        first = max(1, math.ceil(st.weight / (steps + 1))) if steps else st.weight
        if st.removed:
            entry = replace(st.entry or rs, weight=first)
            if self._apply(Operation("add-server", svc, entry)):
                st.removed = False
                self.set_by_us[(svc.key, rs.key)] = first
        else:
            self._set_weight(svc, rs, first)
        st.ramp = steps
        self.log(f"{svc.name} {rs.endpoint}: up: weight {first}"
                 + (f", ramping to {st.weight} over {steps} interval(s)" if steps else ""))

    def _ramp(self, svc, policy: Policy, present: dict) -> None:
        for key, st in self.health[svc.key].items():
            if st.up and st.ramp and not st.maintenance and key in present:
                st.ramp -= 1
                done = policy.slow_start - st.ramp
                weight = st.weight if st.ramp == 0 else \
                    max(1, math.ceil(st.weight * (done + 1) / (policy.slow_start + 1)))
                self._set_weight(svc, present[key], weight)

    def _fallback(self, svc, policy: Policy, live: VirtualService) -> None:
        if policy.fallback is None:
            return
        states = self.health[svc.key].values()
        none_left = states and not any(h.up and not h.maintenance for h in states)
        present = live.server(*policy.fallback.key) is not None
        if none_left and not present:
            if self._apply(Operation("add-server", svc, policy.fallback)):
                self.log(f"{svc.name}: every real server is down: fallback "
                         f"{policy.fallback.endpoint} added")
        elif not none_left and present:
            if self._apply(Operation("delete-server", svc, policy.fallback)):
                self.log(f"{svc.name}: a real server is back: fallback "
                         f"{policy.fallback.endpoint} removed")

    def _set_weight(self, svc, rs: RealServer, weight: int) -> bool:
        done = self._apply(Operation("edit-server", svc, replace(rs, weight=weight), before=rs))
        if done:
            self.set_by_us[(svc.key, rs.key)] = weight
        return done

    def _apply(self, op: Operation) -> bool:
        """Make one change; every change and every refusal is logged and recorded."""
        try:
            op.apply(self.backend)
        except IPVSError as exc:
            self.log(f"{op.service.name}: the table refused {op.command()}: {exc}")
            if self.record:
                self.record(op.command(), f"error: {exc}")
            return False
        if self.record:
            self.record(op.command(), "ok")
        return True

    # ------------------------------------------------------------ running
    async def run(self, stop: asyncio.Event) -> None:
        """Every service on its own interval until *stop* is set."""
        async def watch(svc, policy):
            loop = asyncio.get_running_loop()
            while not stop.is_set():                   # rounds start every period (not
                started = loop.time()                  # period after the last one ended)
                await self.round(svc, policy)
                try:
                    await asyncio.wait_for(stop.wait(),
                                           max(0.0, policy.period - (loop.time() - started)))
                except asyncio.TimeoutError:
                    pass
        await asyncio.gather(*(watch(svc, policy) for svc, policy in self.services))
