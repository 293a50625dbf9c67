"""Start-up wiring of the console: the session's adapters (the host's, or the demo's) and the
Textual app on top. The one module that joins them."""

from __future__ import annotations

import os

from .audit import DEFAULT_PATH, AuditLog, who
from .ipvs import Backend, open_backend
from .model import ValidationError
from .session import Session


def open_table(kind: str, demo) -> Backend:
    """The kernel's table (or an empty memory one); with *demo* (a DemoWorld) its cluster's."""
    return demo.table if demo else open_backend(kind)


def peer_opener(session: Session, demo: bool, host: str | None, none: bool, command: str,
                ssh_config: str | None, timeout: float | None = None):
    """How the session reaches the other director: *host*, else the other node of ha.cf
    (the demo's own peer with *demo*); None: it has none. *timeout*: ``--peer-timeout``."""
    asked_by = f"{who()}@{session.hostname}"
    if none:
        return None
    if demo:
        from .demo.peer import PEER, demo_peer
        if host not in (None, PEER):
            raise ValidationError(f"the demo has one peer, {PEER}: no ssh to {host}")
        return lambda: demo_peer(asked_by)
    host = host or session.ha.peer_node()
    if host is None:
        return None
    from .peer import Peer
    from .peer.link import REQUEST_TIMEOUT
    session.pair.name = host
    waits = {} if timeout is None else {"connect_timeout": timeout,
                                        "timeout": max(timeout, REQUEST_TIMEOUT)}
    return lambda: Peer.over_ssh(host, command, ssh_config, asked_by, **waits)


def demo_world(audit_path: str | None, ha: str = "auto"):
    """The demo cluster (a DemoWorld) with *ha*, its HA manager: heartbeat by default,
    keepalived driven as lvstui drives a real one, or none."""
    from .demo.world import DemoWorld
    world = DemoWorld(audit_path, "heartbeat" if ha == "auto" else ha)
    if world.keepalived is not None:
        from .cases.managers import KeepalivedCluster
        world.heartbeat = KeepalivedCluster(world.keepalived, world.me, world.keepalived_conf)
    return world


def manager(ha: str = "auto", ha_cf: str | None = None):
    """This director's HA manager as the session drives it: keepalived where it runs (or is
    asked for), else heartbeat (its ha.cf *ha_cf*, by default /etc/ha.d's); None for
    ``none``."""
    from .cases.managers import KeepalivedCluster, running_manager
    from .ha.cluster import Heartbeat
    if ha == "none":
        return None
    if ha == "keepalived" or (ha == "auto" and running_manager() == "keepalived"):
        return KeepalivedCluster()
    return Heartbeat(ha_cf) if ha_cf else Heartbeat()


def run(backend_kind: str, demo: bool, refresh: float, audit_path: str | None,
        dry_run: bool = False,
        theme: str | None = None, checks=None, confirm_within: float | None = None,
        peer: tuple = (None, False, "lvstui", None, None), ha: str = "auto") -> int:
    """*checks*: (config path, is ldirectord.cf, state path) — the console checks by itself
    unless a running ``lvstui monitor`` publishes its state there. *peer*: (host, none wanted,
    the lvstui to run there, ssh config file, --peer-timeout) — by default the other node of
    ha.cf. *ha*: the HA manager (auto, heartbeat, keepalived, none)."""
    from .ui.app import LvsApp
    world = traffic = None
    if demo:            # a sandbox: nothing under /etc, /run or /var is read or written
        world = demo_world(audit_path, ha)
        world.record_past()
        backend, audit, traffic = world.table, world.audit, world.traffic
        network, heartbeat, health = world.network, world.heartbeat, world.health
        places = world.places()
    else:
        from .health.sources import open_health
        from .system.network import HostNetwork
        backend = open_table(backend_kind, False)
        audit = AuditLog(audit_path or DEFAULT_PATH)
        network = HostNetwork()
        heartbeat = manager(ha)
        declared = heartbeat.declared() if hasattr(heartbeat, "declared") else None
        health = open_health(backend, *checks, audit.by("monitor").record, declared,
                             getattr(heartbeat, "keepalived", None))
        places = {}
    read_only = backend.name == "netlink" and os.geteuid() != 0
    session = Session(backend, network=network, heartbeat=heartbeat, health=health, audit=audit,
                      dry_run=dry_run, read_only=read_only, traffic=traffic,
                      confirm_within=confirm_within, **places)
    session.pair.opener = peer_opener(session, demo, *peer)
    if not read_only:
        session.record.start(max(refresh, 1.0))
    try:
        LvsApp(session, refresh, theme, host=session.hostname).run()
    finally:
        session.record.stop()
        session.pair.close()
        if world is not None:
            world.close()
        else:
            health.close()
            network.close()
            backend.close()
    return 0
