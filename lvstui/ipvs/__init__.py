"""The IPVS table: one backend interface, a kernel (netlink) and an in-memory implementation."""

from __future__ import annotations

from .backend import Backend, IPVSError


def open_backend(kind: str = "auto") -> Backend:
    """``netlink`` or ``auto`` (the kernel's table; where the kernel has no IPVS the error says
    so), ``memory`` (empty). The demo's table is lvstui.demo's."""
    if kind == "memory":
        from .memory import MemoryBackend
        return MemoryBackend()
    from .netlink import NetlinkBackend
    return NetlinkBackend()


__all__ = ["Backend", "IPVSError", "open_backend"]
