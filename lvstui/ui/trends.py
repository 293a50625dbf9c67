"""Sparklines of connections per second: one point every few seconds per service and per real
server, kept by the polling worker (the screen only reads the last finished set)."""

from __future__ import annotations

from collections import deque

BARS = "▁▂▃▄▅▆▇█"
POINTS = 16               # the points a sparkline shows
EVERY = 5.0               # seconds per point: 16 points are the last 80 seconds


class Trends:
    """Per row key, the highest connections/s seen in each EVERY-second window."""

    def __init__(self, points: int = POINTS, every: float = EVERY):
        self.points, self.every = points, every
        self.rows: dict = {}           # key -> deque of points (the worker's own)
        self.current: dict = {}        # key -> tuple of points (what the screen reads)
        self.window_start = None
        self.peak: dict = {}

    def update(self, services, now: float) -> None:
        """One read (in the polling worker): the window's peaks, and a point when it closes."""
        peak = self.peak
        for svc in services:
            key = svc.key
            peak[key] = max(peak.get(key, 0), svc.stats.cps)
            for rs in svc.servers:
                row = (key, rs.key)
                peak[row] = max(peak.get(row, 0), rs.stats.cps)
        if self.window_start is None:
            self.window_start = now
        if now - self.window_start < self.every and self.current:
            return
        rows = self.rows
        for key, value in peak.items():
            points = rows.get(key)
            if points is None:
                points = rows[key] = deque(maxlen=self.points)
            points.append(value)
        for key in [k for k in rows if k not in peak]:      # gone from the table
            del rows[key]
        self.current = {key: tuple(points) for key, points in rows.items()}
        self.peak, self.window_start = {}, now

    def last(self, key) -> int:
        """The newest point (-1: none yet): what the trend column sorts by."""
        points = self.current.get(key)
        return points[-1] if points else -1

    def spark(self, key) -> str:
        """The row's sparkline, scaled to its own highest point."""
        points = self.current.get(key)
        if not points:
            return ""
        top = max(points)
        if top == 0:
            return BARS[0] * len(points)
        return "".join(BARS[min(len(BARS) - 1, v * len(BARS) // (top + 1))] for v in points)
