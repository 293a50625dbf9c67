"""The alarm an operator must never miss: a virtual service with no real server that can take
a connection (every weight 0 — drained, quiesced by a check — or none left) black-holes its
VIP's traffic. Raised and cleared on each read: a red banner while it lasts, a log line and an
audit line when it starts and when it ends."""

from __future__ import annotations


class BlackHoleWatch:
    """The services black-holed at the last read: key -> name."""

    def __init__(self):
        self.now: dict[tuple, str] = {}

    def check(self, services) -> list[str]:
        """The read's services: a line for each service that became black-holed, or served
        again (or went away)."""
        now = {s.key: s.name for s in services if s.black_holed}
        lines = [f"ALARM: {name} has no real server that can take a connection (every weight "
                 "0 or none): its VIP answers nobody" for key, name in now.items()
                 if key not in self.now]
        lines += [f"alarm over: {name} has a live real server again" for key, name in
                  self.now.items() if key not in now]
        self.now = now
        return lines

    def banner(self) -> list[str]:
        if not self.now:
            return []
        names = list(self.now.values())
        shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
        return [f"NO LIVE SERVER: {shown}: black-holed"]
