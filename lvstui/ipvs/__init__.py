"""The IPVS table: one backend interface, a kernel (netlink) and an in-memory implementation."""

from __future__ import annotations

from .backend import Backend, IPVSError


def open_backend(kind: str = "auto", demo: bool = False) -> Backend:
    """``netlink``, ``memory`` (empty), or with *demo* the simulated reference cluster.

    ``auto`` is the kernel's table; where the kernel has no IPVS the error says so.
    """
    if demo:
        from ..demo import reference_cluster
        return reference_cluster()
    if kind == "memory":
        from .memory import MemoryBackend
        return MemoryBackend()
    from .netlink import NetlinkBackend
    return NetlinkBackend()


__all__ = ["Backend", "IPVSError", "open_backend"]
