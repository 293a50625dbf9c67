"""The HA managers behind one face for the console, the CLI and the recorder: heartbeat's
adapter as it is, keepalived's VRRP instances read as a ClusterState (manager "keepalived") and
its failover made by moving this director's priority through lvstui's track_file — never by
stopping keepalived, whose virtual servers would leave the kernel with it."""

from __future__ import annotations

import os

from ..files import read_text
from ..ha import HeartbeatError
from ..ha.api import ClusterState
from ..keepalived import CONF_PATH
from ..keepalived.priority import STEP_BACK, PriorityFile, takeover_value
from ..keepalived.state import Keepalived


def running_manager() -> str:
    """The HA manager of this director: keepalived where it runs (its pid file), else
    heartbeat."""
    return "keepalived" if Keepalived().pid() is not None else "heartbeat"


class KeepalivedCluster:
    """keepalived as the console's HA manager: its instances as a ClusterState (this
    director's resources: all where every instance is MASTER, none where none is)."""

    name = "keepalived"

    def __init__(self, keepalived: Keepalived | None = None, me: str | None = None,
                 conf: str = CONF_PATH):
        self.keepalived = keepalived or Keepalived()
        self.me = me or os.uname().nodename
        self.priority = PriorityFile(conf)
        self._read: tuple[float | None, tuple[dict, dict, list]] = (None, ({}, {}, []))

    def state(self):
        state = self.keepalived.state()
        if not state.running:
            return ClusterState(False, self.me, error=state.error, manager="keepalived")
        masters = [v for v in state.instances if v.state == "MASTER"]
        resources = ("all" if masters and len(masters) == len(state.instances) else
                     "none" if not masters else "some")
        shown = " · ".join(f"{v.name} {v.state} (priority {v.effective_priority})"
                           for v in state.instances) or "no VRRP instance"
        age = "" if state.fresh else f" · STALE: {state.error}"
        return ClusterState(True, self.me, [], resources, manager="keepalived",
                            summary=f"{self.me} (here): {shown}{age}", error=state.error)

    def declared(self) -> dict[tuple, str]:
        """The virtual services keepalived.conf declares (their keys) and where (file:line):
        keepalived sets their real servers, and its checks and reloads set them back."""
        return self._conf()[0]

    def kept(self) -> dict:
        """(service key, server key) -> the ``Kept`` file of each real server whose live
        weight keepalived keeps (a FILE_CHECK on a track_file of lvstui's)."""
        return self._conf()[1]

    def set_back(self, live) -> set:
        """The keys — service, (service, real server) — of the *live* table's entries that a
        restart of keepalived would set back (lvstui drift --keepalived, row by row)."""
        from ..ipvs.operations import diff
        wanted = self._conf()[2]
        keys = {svc.key for svc in wanted}
        marks: set = set()
        for op in diff([svc for svc in live if svc.key in keys], wanted):
            marks.add((op.service.key, op.server.key) if op.server else op.service.key)
        return marks

    def declare(self, svc_key, server, adding: bool):
        """keepalived.conf's files with *server* added to (or removed from) the virtual_server
        of service *svc_key*, as line edits: ({path: text after}, {path: text before}), or
        (None, why not) — where the file cannot be read, the block shares its lines, or
        keepalived would read an error the file does not have now."""
        from collections import Counter

        from ..keepalived.check import HostFacts, check
        from ..keepalived.conf import read
        from ..keepalived.edits import add_server, remove_server
        conf = self.priority.conf
        try:
            config = read(conf)
            texts, why = (add_server(config, svc_key, server) if adding else
                          remove_server(config, svc_key, server.key))
            if why:
                return None, why
            facts = HostFacts({})                # the same missing interfaces before and after
            now = Counter(f.message for f in check(config, facts) if f.level == "error")
            new = Counter(f.message for f in check(read(conf, overlay=texts), facts)
                          if f.level == "error") - now
        except OSError as exc:
            return None, f"{conf}: {exc.strerror}"
        if new:
            return None, f"keepalived would refuse it: {next(iter(new))}"
        return texts, {path: read_text(path) for path in texts}

    def _conf(self) -> tuple[dict, dict, list]:
        """keepalived.conf's services, kept servers and what a restart puts in the table,
        read again only when the file changed; nothing where it cannot be read."""
        try:
            mtime = os.stat(self.priority.conf).st_mtime
        except OSError:
            return {}, {}, []
        if self._read[0] != mtime:
            from ..keepalived.conf import read
            from ..keepalived.services import declared
            from ..keepalived.weights import kept, restarted
            try:
                config = read(self.priority.conf)
            except OSError:
                return {}, {}, []
            self._read = (mtime, (declared(config), kept(config), restarted(config)[0]))
        return self._read[1]

    def vips(self) -> list[str]:
        """The addresses keepalived's instances move (as it says them, without a prefix)."""
        state = self.keepalived.state()
        return [vip.split("/")[0] for v in state.instances for vip in v.vips]

    def failover_command(self, kind: str) -> str:
        return f"keepalived {kind}: " + (
            "this director's priority to 1 (track_file lvstui_priority -253)"
            if kind == "standby" else
            "this director's priority one above the master's (track_file lvstui_priority)")

    def standby(self) -> None:
        self._write(STEP_BACK)

    def takeover(self) -> None:
        state = self.keepalived.state()
        if not state.running or not state.fresh:
            raise HeartbeatError(f"keepalived's state is unknown ({state.error}): no priority "
                                 "moved on an old answer")
        try:
            value = takeover_value(state.instances)
        except ValueError as exc:
            raise HeartbeatError(str(exc)) from None
        self._write(value)

    def _write(self, value: int) -> None:
        if self.keepalived.pid() is None:
            raise HeartbeatError(f"keepalived is not running here (no live pid in "
                                 f"{self.keepalived.pid_file})")
        try:
            self.priority.write(value)
        except ValueError as exc:
            raise HeartbeatError(str(exc)) from None
        except OSError as exc:
            raise HeartbeatError(f"{exc.filename}: {exc.strerror}") from None

    def restore(self) -> str:
        """After a failover that did not move the VIP: the priority as it was, said."""
        try:
            before = self.priority.restore()
        except (ValueError, OSError) as exc:
            return f"this director's priority could not be put back: {exc}"
        return "" if before is None else f"this director's priority is back as it was " \
                                          f"(track_file lvstui_priority {before})"

    reload_command = "keepalived: reload with kill -HUP (not from lvstui yet)"

    def reload(self) -> None:
        raise HeartbeatError("reloading keepalived from lvstui is not built yet")
