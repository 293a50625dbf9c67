"""A console whose SSH session dropped: it must exit, never hang on a dead terminal."""

from __future__ import annotations

import os
import sys
import threading


def hang_up(app) -> None:
    """The SSH session (our terminal) is gone: point the standard streams at /dev/null, so
    that restoring the terminal cannot block on it, and exit."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    # nothing is ever left half-written (every write is atomic), so if a clean shutdown
    # hangs on a thread, a hard exit after a few seconds loses nothing
    guard = threading.Timer(5.0, os._exit, args=(0,))
    guard.daemon = True
    guard.start()
    app.exit()


def terminal_gone() -> bool:
    try:
        return not os.isatty(sys.__stdin__.fileno())
    except (OSError, ValueError):
        return True
