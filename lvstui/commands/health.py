"""``lvstui monitor``: the headless checker for the director; ``check-config`` for its file."""

from __future__ import annotations

import asyncio
import fcntl
import os
import resource
import signal
import sys
import time

from ..findings import print_findings
from ..ipvs.backend import IPVSError
from ..health.checks import run_check
from ..health.config import load
from ..health.readers import HealthConfig
from ..health.engine import Monitor
from ..health.state import quiesced_by, read_state, snapshot, write_state

PUBLISH_EVERY = 1.0     # seconds between writes of the state file


def read_config(path: str, ldirectord: bool) -> HealthConfig | None:
    """The file's findings printed (file:line: level: message); None when it has errors."""
    try:
        config = load(path, ldirectord)
    except OSError as exc:
        print(f"{path}: error: {exc.strerror}", file=sys.stderr)
        return None
    return None if print_findings(config.findings) else config


def check_health_config(path: str, ldirectord: bool) -> int:
    config = read_config(path, ldirectord)
    if config is None:
        return 1
    servers = sum(len(svc.servers) for svc, _ in config.services)
    print(f"{path}: ok: {len(config.services)} virtual service(s), {servers} real server(s)")
    return 0


def check_once(path: str, ldirectord: bool, open_table, probe=run_check) -> int:
    """One round of every configured check, one line per real server, the table untouched:
    ``SERVICE SERVER up|down REASON LATENCY``. Exit 0 all up, 1 any down, 2 a config error.
    *open_table()* gives the table, read only for services that list no real servers; *probe*
    checks one server (run_check, or the demo's simulated servers)."""
    config = read_config(path, ldirectord)
    if config is None:
        return 2
    targets, unreadable, table = [], False, None
    for svc, policy in config.services:
        servers = svc.servers
        if not servers:                      # a service that watches the table: its servers
            try:
                table = table or open_table()
                servers = table.find_service(svc).servers
            except IPVSError as exc:
                print(f"{svc.name}: not checked: {exc}", file=sys.stderr)
                unreadable = True
                continue
        fallback = policy.fallback.key if policy.fallback else None
        targets += [(svc, rs, policy.of(rs.key).check) for rs in servers if rs.key != fallback]

    async def probe_all():
        return await asyncio.gather(*(probe(check, rs.address, rs.port)
                                      for _, rs, check in targets))

    _room_for(len(targets))
    results = asyncio.run(probe_all())
    up: dict[tuple, bool] = {}
    for (svc, rs, _), result in zip(targets, results):
        print(f"{svc.name.replace(' ', '/')} {rs.endpoint} {'up' if result.up else 'down'} "
              f"{result.reason} {result.latency * 1000:.0f}ms")
        up[svc.key] = up.get(svc.key, False) or result.up
    for svc, _ in config.services:
        if up.get(svc.key) is False:
            print(f"{svc.name.replace(' ', '/')}: no real server is up: its VIP would answer "
                  "nobody", file=sys.stderr)
    return 1 if unreadable or not all(r.up for r in results) else 0


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}", flush=True)


def run_monitor(path: str, ldirectord: bool, state_path: str, backend, audit,
                probe=run_check, keepalived_conf: str | None = None) -> int:
    """Foreground until SIGTERM or SIGINT; every state change logged with its reason.
    *keepalived_conf*: keepalived runs here with that file, and its services are its own."""
    config = read_config(path, ldirectord)
    if config is None:
        return 1
    if keepalived_conf and _left_to_keepalived(config, keepalived_conf):
        return 1
    lock = _only_one(state_path)
    if lock is None:
        return 1
    monitor = Monitor(backend, config.services, log=log, record=audit.record, probe=probe)
    monitor.prepare(quiesced_by(read_state(state_path)))
    _room_for(sum(map(len, monitor.health.values())))   # owned and watched servers alike
    log(f"monitoring {len(config.services)} virtual service(s) from {path}; state in {state_path}")
    asyncio.run(_serve(monitor, path, state_path))
    lock.close()
    log("stopped")
    return 0


def _left_to_keepalived(config: HealthConfig, conf_path: str) -> bool:
    """Say, a line each, the services keepalived.conf declares: keepalived checks their real
    servers and sets their weights, and two checkers would undo each other's verdicts."""
    from ..keepalived.conf import read
    from ..keepalived.services import clashes, declared
    try:
        theirs = declared(read(conf_path))
    except OSError as exc:
        print(f"lvstui: keepalived runs here but {conf_path} cannot be read ({exc.strerror}): "
              "not checking what it may check (--keepalived-conf FILE)", file=sys.stderr)
        return True
    lines = clashes([svc for svc, _ in config.services], theirs)
    for line in lines:
        print(f"lvstui: {line}", file=sys.stderr)
    return bool(lines)


def _only_one(state_path: str):
    """Two monitors on one table would fight over its weights: hold a lock beside the state
    file for as long as this one runs (None, said why, when another holds it)."""
    os.makedirs(os.path.dirname(state_path) or ".", exist_ok=True)
    handle = open(state_path + ".lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"lvstui: another lvstui monitor is running (it holds {state_path}.lock)",
              file=sys.stderr)
        handle.close()
        return None
    return handle


def _room_for(servers: int) -> None:
    """Every check holds a socket at once: lift the soft open-file limit (1024 by default)
    toward the hard one when the servers need it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = servers + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < wanted:
            log(f"open-file limit {hard} is below {wanted}: some checks may fail with "
                "'Too many open files' (raise LimitNOFILE)")


async def _serve(monitor: Monitor, source: str, state_path: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def publish():
        while not stop.is_set():
            _publish(monitor, source, state_path, True)
            try:
                await asyncio.wait_for(stop.wait(), PUBLISH_EVERY)
            except asyncio.TimeoutError:
                pass

    await asyncio.gather(monitor.run(stop), publish())
    _publish(monitor, source, state_path, False)


def _publish(monitor: Monitor, source: str, state_path: str, running: bool) -> None:
    try:
        write_state(state_path, snapshot(monitor, source, running))
    except OSError as exc:
        log(f"state file {state_path} not written: {exc.strerror}")
