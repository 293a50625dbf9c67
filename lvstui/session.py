"""The use cases, free of any UI, as one session of the console or the CLI: the adapters it
works on (the IPVS backend, the host's network, the HA manager, the health source), the audit
log, dry-run and read-only, and the areas of use cases composed on them (``lvstui/cases``):

    session.table      the IPVS table's changes and kernel settings
    session.rules      the rules file: save, plan a restore, restore
    session.journal    the one history of actions: u, U, commit confirmed
    session.pair       the other director: a change made there too, sync, pull, retry
    session.pair_view  the pair side by side: drift, facts, preflight, settings on both
    session.record     the incident record: recording, timeline, the past table, plots
    session.ha         the HA manager: failover, its files proposed, written, reloaded
    session.ha_files   its files as rows, and each edit the console offers, typed
    session.host       this host's network: the DR sysctls and the VIPs
    session.switchover standby / takeover that make before they break (the plain hand-over
                       without a reachable peer)
    session.changes    the one thread that makes the console's changes, in the order asked

The console and the CLI both call them, so a change made from either is worded, audited and
undone the same way. Every change returns a ``Result`` instead of raising: the caller only
shows it.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Callable

from .audit import AuditLog
from .ha import HA_DIR
from .cases.ha import Ha
from .cases.ha_files import HaFileEdits
from .cases.switchover import Switchover
from .cases.host import Host
from .cases.journal import Journal
from .cases.pair import Pair
from .cases.pair_view import PairView
from .cases.record import Record
from .cases.results import (Change, NetworkView, PairFacts, PastTable, PeerView,  # noqa: F401
                            Proposal, Result, Snapshot)
from .cases.rules_file import RULES_PATH, RulesFile
from .cases.table import Table
from .cases.worker import ChangeWorker
from .history import DEFAULT_DB as HISTORY_DB
from .ipvs.backend import Backend, IPVSError, NotPermitted
from .ipvs.order import sorted_services

if TYPE_CHECKING:
    from .peer import Peer


class Session:
    """The adapters, audit log, dry-run and read-only state of one console or CLI run, and
    its areas of use cases (*backend* None: a command that needs no IPVS table, as net, vip
    and ha do)."""

    def __init__(self, backend: Backend | None = None, *, network=None, heartbeat=None, health=None,
                 audit: AuditLog | None = None, dry_run: bool = False, read_only: bool = False,
                 ha_dir: str = HA_DIR, hostname: str | None = None, traffic=None,
                 rules_path: str = RULES_PATH, confirm_within: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 peer_opener: Callable[[], Peer] | None = None,
                 history_path: str = HISTORY_DB):
        self.backend, self.network, self.heartbeat = backend, network, heartbeat
        self.health, self.traffic = health, traffic
        self.audit = audit or AuditLog()
        self.dry_run, self.read_only = dry_run, read_only
        self.hostname = hostname or os.uname().nodename
        self.table = Table(self)
        self.rules = RulesFile(self, rules_path)
        self.journal = Journal(self, confirm_within, clock)
        self.pair = Pair(self, peer_opener)
        self.pair_view = PairView(self)
        self.record = Record(self, history_path)
        self.ha = Ha(self, ha_dir)
        self.ha_files = HaFileEdits(self)
        self.host = Host(self)
        self.switchover = Switchover(self)
        self.changes = ChangeWorker()         # the console's changes, one at a time, in order

    def why_not(self) -> str | None:
        """Why nothing may change in this session, or None."""
        if self.read_only:
            return ("read-only: lvstui is not running as root, so it cannot change the IPVS "
                    "table")
        return None

    def read(self, elapsed: float = 0.0) -> Snapshot:
        """The table and what surrounds it (the demo's traffic moves on by *elapsed*)."""
        try:
            if self.traffic is not None:
                self.traffic.tick(elapsed)
            services = sorted_services(self.backend.services())
            held = self.host.held()
            cluster = self.heartbeat.state() if self.heartbeat is not None else None
            health = self.health.read() if self.health is not None else None
            return Snapshot(services, self.backend.info(), held=held, cluster=cluster,
                            health=health, set_back=self.ha.set_back(services))
        except NotPermitted as exc:
            return Snapshot(None, None, str(exc), denied=True)
        except (IPVSError, OSError) as exc:
            return Snapshot(None, None, str(exc))

    def alarm(self, text: str) -> None:
        """An alarm raised or cleared (a black-holed service): one line of the audit log."""
        self.audit.record(text, "alarm")

    def quiesced(self) -> dict:
        """(service key, server key) -> configured weight of each server this director's
        checks quiesced (empty without a health source)."""
        from .health.state import intents
        return intents(self.health.read()) if self.health is not None else {}

    def health_summary(self) -> dict | None:
        """Where health comes from and how many real servers are down (None: no source)."""
        state = self.health.read() if self.health is not None else None
        if state is None:
            return None
        return {"source": state.source, "running": state.running,
                "servers": len(state.servers),
                "down": sum(1 for h in state.servers.values() if not h.up)}
