"""Manual failover, as hb_standby / hb_takeover do it, and following the VIP until it moved."""

from __future__ import annotations

import errno
import os
import time
from typing import Callable

from . import HeartbeatError

FIFO = "/var/lib/heartbeat/fifo"
STANDBY = ">>>\nt=ask_resources\nrsc_hold=all\ninfo=me\n<<<\n"
TAKEOVER = ">>>\nt=hb_takeover\nrsc_hold=all\n<<<\n"


def _tell(message: str, fifo: str) -> None:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise HeartbeatError(f"heartbeat is not running here ({fifo} is missing)") from None
    except PermissionError:
        raise HeartbeatError("not permitted to ask heartbeat for a failover: run as root") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise HeartbeatError("heartbeat is not running here (nobody reads its fifo)") from None
        raise HeartbeatError(f"cannot write to {fifo}: {exc.strerror}") from None
    try:
        os.write(fd, message.encode())     # shorter than PIPE_BUF: one atomic write
    finally:
        os.close(fd)


def standby(fifo: str = FIFO) -> None:
    """Hand this node's resources (the VIP) to the peer."""
    _tell(STANDBY, fifo)


def takeover(fifo: str = FIFO) -> None:
    """Take every resource (the VIP) from the peer."""
    _tell(TAKEOVER, fifo)


def follow(held_here: Callable[[], bool], want_here: bool, timeout: float,
           interval: float = 0.05) -> float | None:
    """Seconds until *held_here()* equals *want_here*, or None after *timeout*."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if held_here() == want_here:
            return time.monotonic() - start
        time.sleep(interval)
    return None
