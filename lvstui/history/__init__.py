"""The incident recorder: the table as it was at any moment it was recorded, and every change
with who made it (lvstui's own, attributed from the audit log; anyone else's as external)."""

from .recorder import Recorder, Recording
from .store import DEFAULT_DB, History, HistoryError, parse_time

__all__ = ["DEFAULT_DB", "History", "HistoryError", "Recorder", "Recording", "parse_time"]
