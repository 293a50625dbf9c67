"""What the use cases return: a ``Result`` for every change (its commands, the error that
stopped it), and the views they read (a snapshot of the table, the peer, the pair, the past)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..ipvs.operations import Operation
from ..model import Info, SyncDaemon, Timeouts, VirtualService

if TYPE_CHECKING:
    from ..peer import PeerState

SECRETS = (re.compile(r"^(\s*\d+\s+(?:sha1|md5)\s+)(\S+)", re.MULTILINE),   # heartbeat's authkeys
           re.compile(r"^(\s*auth_pass\s+)(\S.*)", re.MULTILINE))        # keepalived's VRRP


@dataclass
class Result:
    """What a use case did: its commands, the error that stopped it, whether it was only
    shown (dry-run), and the services it touched as the table holds them now (None: gone)."""

    commands: list[str] = field(default_factory=list)
    error: str | None = None
    dry_run: bool = False
    ops: list[Operation] = field(default_factory=list)
    fresh: dict = field(default_factory=dict)
    detail: str = ""                  # a sentence for the operator (how long a failover took)
    warning: str | None = None        # the audit log could not be written
    peer_ops: list[Operation] | None = None   # what the peer did with it (None: not sent)
    peer_error: str | None = None     # made here, but not on the peer: why
    ask: str = ""                     # not made: the question to ask first (the kernel's now)
    confirmed: Callable[[], Result] | None = None   # what yes to that question runs
    declined: Callable[[], Result] | None = None    # and no (where no has to be heard)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Snapshot:
    """One read: the table, which of its VIPs this host holds, heartbeat, health, and the
    entries a restart of the HA manager would set back (their keys)."""

    services: list[VirtualService] | None
    info: Info | None
    error: str | None = None
    denied: bool = False
    held: set | None = None
    cluster: object = None
    health: object = None
    set_back: set = field(default_factory=set)


@dataclass
class PastTable:
    """The table at a moment of the record, its traffic then (when sampled), and the
    operations that bring it back from now."""

    t: float
    services: list[VirtualService]
    ops: list[Operation]
    sampled: bool


@dataclass
class NetworkView:
    """This host's addresses (address -> label), a DR profile's settings as they stand, and
    the live connections per VIP."""

    vips: dict = field(default_factory=dict)
    states: list = field(default_factory=list)
    conns: Counter = field(default_factory=Counter)
    error: str | None = None


@dataclass
class Proposal:
    """An HA-file edit checked on a fresh read: the files it changes and their diff (secrets
    masked), or why it is refused."""

    what: str
    files: list = field(default_factory=list)
    diff: str = ""
    refused: str | None = None
    before: dict = field(default_factory=dict)      # path -> its text before the edit


@dataclass
class PeerView:
    """One read of the peer: its table, its surroundings, and the drift: the operations that
    would make it equal to this director (empty: the two agree)."""

    name: str
    services: list[VirtualService] | None = None
    state: PeerState | None = None
    drift: list[Operation] = field(default_factory=list)
    error: str | None = None
    writable: bool = False
    differing: tuple[set, set] = (set(), set())  # service keys, (service, server) keys
    took: float = 0.0                 # seconds the read took (connecting aside)
    health: list[str] = field(default_factory=list)  # differences of health, not of config


@dataclass
class PairFacts:
    """Both directors side by side: sync daemons, timeouts, connections (here / there), and
    the commands that would make either equal to the other."""

    peer: PeerView
    daemons: list[SyncDaemon] | None = None
    timeouts: Timeouts | None = None
    connections: int | None = None
    services: int = 0
    heartbeat: dict | None = None
    health: dict | None = None
    to_peer: list[Operation] = field(default_factory=list)
    from_peer: list[Operation] = field(default_factory=list)


PeerOps = list | Callable[[], list] | None
"""The peer's part of a change: the operations to send, a function giving them when the
peer's turn comes, None (build them again on the peer's entries) or [] (this director only)."""


class Change(list):
    """The operations of one change here, and (``peer``) those it made on the peer."""

    def __init__(self, ops: list[Operation], peer: list[Operation] | None = None):
        super().__init__(ops)
        self.peer: list[Operation] | None = peer or []     # None: still on its way


def inverse(ops: list[Operation]) -> list[Operation]:
    """The operations that take *ops* back, the last one first."""
    return [inv for op in reversed(ops) for inv in op.inverse()]


def masked(text: str) -> str:
    """Secrets as ********: authkeys' keys, keepalived.conf's auth_pass."""
    for secret in SECRETS:
        text = secret.sub(lambda m: m[1] + "********", text)
    return text
