"""The demo's peer director: a real ``lvstui --demo agent`` process (the reference table, no
ssh), where someone drained RS1 and forgot — the drift the pair view is there to show."""

from __future__ import annotations

import sys
from dataclasses import replace

from ..ipvs.operations import Kind, Operation
from ..peer import AgentLink, Peer
from .heartbeat import PEER
from .table import REAL_SERVERS, reference_cluster


def _lvstui() -> list[str]:
    """This lvstui as a command: the zipapp itself, or the installed package."""
    if sys.argv[0].endswith(".pyz"):
        return [sys.executable, sys.argv[0]]
    return [sys.executable, "-m", "lvstui"]


def demo_peer(asked_by: str = "") -> Peer:
    """Connect to a fresh demo agent and drain RS1 there only."""
    peer = Peer(AgentLink(PEER, [*_lvstui(), "--demo", "agent"]), asked_by)
    svc = reference_cluster().services()[0]
    rs = svc.server(REAL_SERVERS[0], 80)
    peer.apply([Operation(Kind.EDIT_SERVER, svc, replace(rs, weight=0), before=rs)])
    return peer
