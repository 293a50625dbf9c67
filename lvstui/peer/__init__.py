"""The other director of the pair, reached over SSH through ``lvstui agent``."""

from .link import AgentLink, PeerDenied, PeerError, ssh_command
from .remote import Peer, PeerState

__all__ = ["AgentLink", "Peer", "PeerDenied", "PeerError", "PeerState", "ssh_command"]
