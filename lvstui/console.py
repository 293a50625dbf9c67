"""Start-up wiring of the console: the session's adapters (the host's, or the demo's) and the
Textual app on top. The one module that joins them."""

from __future__ import annotations

import os
import time

from .audit import DEFAULT_PATH, AuditLog, who
from .ipvs import Backend, open_backend
from .session import Session


def open_table(kind: str, demo: bool) -> Backend:
    """The kernel's table (or an empty memory one); with *demo* the simulated cluster's."""
    if demo:
        from .demo import reference_cluster
        return reference_cluster()
    return open_backend(kind)


def peer_opener(session: Session, demo: bool, host: str | None, none: bool, command: str,
                ssh_config: str | None):
    """How the session reaches the other director: *host*, else the other node of ha.cf
    (the demo's own peer with *demo*); None: it has none."""
    asked_by = f"{who()}@{session.hostname}"
    if none:
        return None
    if demo and host is None:
        from .demo.peer import demo_peer
        return lambda: demo_peer(asked_by)
    host = host or session.default_peer()
    if host is None:
        return None
    from .peer import Peer
    session.peer_name = host
    return lambda: Peer.over_ssh(host, command, ssh_config, asked_by)


def run(backend_kind: str, demo: bool, refresh: float, audit_path: str | None,
        dry_run: bool = False,
        theme: str | None = None, checks=None, confirm_within: float | None = None,
        peer: tuple = (None, False, "lvstui", None)) -> int:
    """*checks*: (config path, is ldirectord.cf, state path) — the console checks by itself
    unless a running ``lvstui monitor`` publishes its state there. *peer*: (host, none wanted,
    the lvstui to run there, ssh config file) — by default the other node of ha.cf."""
    from .ui.app import LvsApp
    backend = open_table(backend_kind, demo)
    sandbox = traffic = None
    if demo:            # a sandbox: nothing under /etc, /run or /var is read or written
        from .demo import Sandbox, SimulatedHeartbeat, SimulatedNetwork, Traffic, demo_health
        sandbox = Sandbox()
        audit = AuditLog(audit_path or sandbox.audit)
        traffic, network = Traffic(backend), SimulatedNetwork()
        heartbeat = SimulatedHeartbeat(network)
        health = demo_health(backend, audit.by("monitor").record)
        places = dict(ha_dir=sandbox.ha_dir, rules_path=sandbox.rules, hostname=heartbeat.me,
                      history_path=os.path.join(sandbox.root, "history.db"))
        from .demo.past import record_past
        record_past(places["history_path"], backend, heartbeat.me, time.time())
    else:
        from .ha.cluster import Heartbeat
        from .health.sources import open_health
        from .system.network import HostNetwork
        audit = AuditLog(audit_path or DEFAULT_PATH)
        network, heartbeat = HostNetwork(), Heartbeat()
        health = open_health(backend, *checks, audit.by("monitor").record)
        places = {}
    read_only = backend.name == "netlink" and os.geteuid() != 0
    session = Session(backend, network=network, heartbeat=heartbeat, health=health, audit=audit,
                      dry_run=dry_run, read_only=read_only, traffic=traffic,
                      confirm_within=confirm_within, **places)
    session.peer_opener = peer_opener(session, demo, *peer)
    if not read_only:
        session.start_recording(max(refresh, 1.0))
    try:
        LvsApp(session, refresh, theme, host=session.hostname).run()
    finally:
        session.stop_recording()
        session.close_peer()
        health.close()
        network.close()
        backend.close()
        if sandbox is not None:
            sandbox.close()
    return 0
