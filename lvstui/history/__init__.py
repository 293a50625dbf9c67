"""The incident recorder: the table as it was at any moment it was recorded, and every change
with who made it (lvstui's own, attributed from the audit log; anyone else's as external).
The classes load on first use (a command that never touches the history does not pay for
SQLite)."""

DEFAULT_DB = "/var/lib/lvstui/history.db"
DEFAULT_CAP_MB = 500                 # the samples' size cap (lvstui record --max-size)
LAZY = {"History": "store", "parse_time": "store",
        "Recorder": "recorder", "Recording": "recorder"}


class HistoryError(Exception):
    """A question the record cannot answer, in one line."""


def __getattr__(name: str):
    if name not in LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f".{LAZY[name]}", __name__), name)


__all__ = ["DEFAULT_CAP_MB", "DEFAULT_DB", "HistoryError", *LAZY]
