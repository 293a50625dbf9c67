"""Human-readable numbers for the console's columns."""

from __future__ import annotations


def human(n: float, unit: str = "") -> str:
    """``1234`` -> ``1.2k``; ``5_600_000`` with ``B/s`` -> ``5.6MB/s``."""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            return f"{n / limit:.1f}{suffix}{unit}"
    return f"{int(n)}{unit}"


def ago(seconds: float) -> str:
    """``75`` -> ``1m``: how long a state has lasted, in the largest whole unit."""
    seconds = max(0, int(seconds))
    for size, suffix in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"
