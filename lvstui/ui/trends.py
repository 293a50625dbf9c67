"""Sparklines of connections/s and bytes/s: one point every few seconds per service and per
real server, taken by the polling worker after it posted its read (the screen only reads the
last finished points)."""

from __future__ import annotations

from array import array
from collections import deque

BARS = "▁▂▃▄▅▆▇█"
POINTS = 16               # the points a sparkline shows
EVERY = 5.0               # seconds per point: 16 points are the last 80 seconds
CONNS, BYTES = 0, 1       # what a sparkline draws: connections/s, bytes/s (in + out)


class Trends:
    """The rates of every row at each point, kept as arrays in table order (one key -> index
    map shared by the points until the table's rows change)."""

    def __init__(self, points: int = POINTS, every: float = EVERY):
        self.every = every
        self.taken_at = None
        self.keys: list = []
        self.index: dict = {}
        self.points: deque = deque(maxlen=points)    # (index, conns/s array, bytes/s array)

    def update(self, services, now: float) -> bool:
        """One read: a point when the last one is EVERY seconds old (True: one was taken)."""
        if self.taken_at is not None and now - self.taken_at < self.every:
            return False
        keys, conns, rates = [], array("Q"), array("Q")
        for svc in services:
            keys.append(svc.key)
            conns.append(svc.stats.cps)
            rates.append(svc.stats.inbps + svc.stats.outbps)
            for rs in svc.servers:
                keys.append((svc.key, rs.key))
                conns.append(rs.stats.cps)
                rates.append(rs.stats.inbps + rs.stats.outbps)
        if keys != self.keys:
            self.keys, self.index = keys, {key: i for i, key in enumerate(keys)}
        self.points.append((self.index, conns, rates))
        self.taken_at = now
        return True

    def series(self, key, what: int = CONNS) -> list[int]:
        """The row's points, oldest first (only those taken while it was in the table)."""
        return [values[what + 1][values[0][key]] for values in self.points if key in values[0]]

    def last(self, key, what: int = CONNS) -> int:
        """The newest point (-1: none): what the trend column sorts by."""
        if not self.points or key not in self.points[-1][0]:
            return -1
        index, *arrays = self.points[-1]
        return arrays[what][index[key]]

    def spark(self, key, what: int = CONNS) -> str:
        """The row's sparkline, scaled to its own highest point; empty for a row gone from the
        table."""
        if not self.points or key not in self.points[-1][0]:
            return ""
        points = self.series(key, what)
        top = max(points)
        return "".join(BARS[min(len(BARS) - 1, v * len(BARS) // (top + 1))] for v in points)
