"""The HA manager's use cases (heartbeat today): the addresses it moves, a manual failover
followed until the VIP has moved, its files read, an edit proposed (checked as the manager
would check it), written and reloaded — each an entry of the journal."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Callable

from .. import actions
from ..ha import HA_DIR, HeartbeatError
from ..ipvs.operations import Kind
from .area import Area
from .results import Proposal, Result, masked

if TYPE_CHECKING:
    from ..ha.config import HaConfig

FOLLOW_TIMEOUT = 30.0


class Ha(Area):
    """Use cases on ``session.heartbeat`` (the running manager) and the files in ``dir``."""

    def __init__(self, session, ha_dir: str = HA_DIR):
        super().__init__(session)
        self.dir = ha_dir

    def _config(self) -> HaConfig:
        from ..ha.config import HaConfig
        return HaConfig.read(self.dir)

    def vips(self) -> list[str]:
        """The addresses the HA manager moves between the directors (keepalived's as it
        says them; heartbeat's from haresources)."""
        manager = self.session.heartbeat
        if hasattr(manager, "vips"):
            return manager.vips()
        try:
            resources = self._config().haresources
        except OSError:
            return []
        return resources.addresses() if resources is not None else []

    def vips_said(self) -> str:
        """The VIPs the manager moves, said with where they come from."""
        vips = ", ".join(self.vips()) or "none found"
        if getattr(self.session.heartbeat, "name", "heartbeat") == "keepalived":
            return f"keepalived's VIPs (its VRRP instances): {vips}"
        return f"heartbeat's VIPs (haresources): {vips}"

    def owner(self, svc) -> str | None:
        """Where the HA manager declares *svc* (keepalived.conf's file:line), whose live
        changes its checks and reloads set back; None where nothing but lvstui sets it."""
        declared = getattr(self.session.heartbeat, "declared", None)
        return declared().get(svc.key) if declared else None

    def kept(self, svc) -> set[tuple]:
        """The real servers (keys) of *svc* whose live weight the HA manager keeps
        (keepalived: a FILE_CHECK on a track_file of lvstui's)."""
        return {rs for service, rs in self._kept_files() if service == svc.key}

    def set_back(self, services) -> set:
        """The keys (service, or service and real server) of *services* — the live table —
        that a restart of the HA manager would set back (keepalived: its virtual servers as
        keepalived.conf asks for them); empty where it sets nothing."""
        set_back = getattr(self.session.heartbeat, "set_back", None)
        return set_back(services) if set_back is not None else set()

    def declare(self, svc, rs, adding: bool) -> Proposal | None:
        """*rs* added to (or removed from) where the HA manager declares *svc* — keepalived.conf's
        virtual_server — as a checked edit (refused: why not); None where it declares none."""
        declare = getattr(self.session.heartbeat, "declare", None)
        if declare is None or self.owner(svc) is None:
            return None
        what = (f"keepalived.conf: real_server {rs.endpoint} "
                f"{'added to' if adding else 'removed from'} {svc.name}")
        after, before = declare(svc.key, rs, adding)
        if after is None:
            return Proposal(what, refused=before)
        from .prepare import texts_proposal
        return texts_proposal(what, before, after)

    def _kept_files(self) -> dict:
        kept = getattr(self.session.heartbeat, "kept", None)
        return kept() if kept is not None else {}

    def keep(self, ops) -> str | None:
        """Each live weight *ops* set on a server the HA manager keeps written where it keeps
        it; why one could not be, or None."""
        files = self._kept_files()
        for op in ops:
            keeper = files.get((op.service.key, op.server.key)) if op.server and op.service \
                else None
            if keeper is None or op.kind is not Kind.EDIT_SERVER or \
                    getattr(op.before, "weight", None) == op.server.weight:
                continue                  # never a check's 0 pinned by another field's edit
            try:
                keeper.write(op.server.weight)
            except (OSError, ValueError) as exc:
                return (f"{op.server.endpoint}: weight {op.server.weight} set live but not kept "
                        f"by keepalived ({keeper.path}): {getattr(exc, 'strerror', None) or exc}")
        return None

    def vip_interface(self, vip: str) -> str | None:
        """The interface heartbeat's resource names for *vip* (None: not named, unread)."""
        try:
            resources = self._config().haresources
        except OSError:
            return None
        return resources.interface_of(vip) if resources is not None else None

    def peer_node(self) -> str | None:
        """The other node of the HA configuration (the peer when none is named), or None."""
        try:
            ha_cf = self._config().ha_cf
        except OSError:
            return None
        me = self.session.hostname.lower()
        others = [n for n in (ha_cf.nodes if ha_cf else []) if n.lower() != me]
        return others[0] if len(others) == 1 else None

    def summary(self) -> dict | None:
        manager = self.session.heartbeat
        if manager is None:
            return None
        st = manager.state()
        return {"running": st.running, "me": st.me, "resources": st.resources,
                "error": st.error, "manager": getattr(manager, "name", "heartbeat")}

    # ------------------------------------------------------------ failover
    def failover(self, kind: str, vip: str | None = None,
                 timeout: float = FOLLOW_TIMEOUT) -> Result:
        """standby / takeover, then the VIP the manager moves (*vip*, else its first address)
        followed until it has moved (or *timeout*)."""
        from ..ha.failover import follow
        manager = self.session.heartbeat
        command = (manager.failover_command(kind) if hasattr(manager, "failover_command")
                   else f"hb_{kind}")
        vip = vip or next(iter(self.vips()), None)
        want_here = kind == "takeover"
        network = self.session.network
        if vip and network is not None and not self.dry_run:
            held = self.session.host.held()
            here = None if held is None else vip in held
            if here is want_here:
                detail = (f"this director {'already holds' if here else 'does not hold'} the "
                          f"VIP {vip}: nothing to move")
                return Result([f"{command}: {detail}"], detail=detail)
        if self.dry_run:
            return self.record(Result([command], dry_run=True))
        try:
            (manager.standby if kind == "standby" else manager.takeover)()
        except (HeartbeatError, AttributeError) as exc:
            return self.record(Result([command], str(exc)))
        self.session.journal.act(actions.failover(kind))
        self.record(Result([command]))
        if vip is None or network is None:
            return Result([command])
        took = follow(lambda: vip in network.vips(), want_here, timeout=timeout)
        where = "here" if want_here else "to the peer"
        detail = (f"the VIP {vip} moved {where} after {took:.2f} s" if took is not None
                  else f"the VIP {vip} has not moved {where} within {timeout:g} s")
        if took is None and hasattr(manager, "restore"):
            detail = "; ".join(filter(None, (detail, manager.restore())))
        line = f"{command}: {detail}"
        followed = self.record(Result([line], None if took is not None else detail))
        return Result([command, line], followed.error, detail=detail)

    # ------------------------------------------------------------ the files
    def read(self):
        """(config, findings) of the HA files; OSError when they cannot be read."""
        from ..ha.check import check
        config = self._config()
        return config, check(config, self.session.hostname)

    def propose(self, what: str, edit: Callable[[HaConfig], None]) -> Proposal:
        """*edit* applied to a fresh read of the files and checked: refused when it brings an
        error the manager would refuse to start with."""
        from ..ha.check import check
        me = self.session.hostname
        try:
            config = self._config()
            files = [f for f in (config.ha_cf, config.haresources, config.authkeys) if f]
            before = {f.path: f.text() for f in files}
            old = {(x.path, x.message) for x in check(config, me) if x.level == "error"}
            edit(config)
        except (OSError, KeyError, ValueError) as exc:
            return Proposal(what, refused=str(exc))
        changed = [f for f in files if f.text() != before[f.path]]
        new = [x for x in check(config, me)
               if x.level == "error" and (x.path, x.message) not in old]
        if new:
            return Proposal(what, refused="refused: " + "; ".join(str(x) for x in new))
        text = "".join("".join(difflib.unified_diff(
            masked(before[f.path]).splitlines(True), masked(f.text()).splitlines(True),
            f.path, f.path)) for f in changed)
        return Proposal(what, changed, text, before={f.path: before[f.path] for f in changed})

    def write(self, proposal: Proposal) -> Result:
        if proposal.refused:
            return self.record(Result([proposal.what], proposal.refused))
        if self.dry_run:
            return self.record(Result([proposal.what], dry_run=True))
        try:
            for f in proposal.files:
                f.save()
        except OSError as exc:
            return self.record(Result([proposal.what], f"{exc.filename}: {exc.strerror}"))
        self.session.journal.act(actions.file_edit(proposal.what, proposal.before,
                                                   {f.path: f.text() for f in proposal.files}))
        return self.record(Result([proposal.what]))

    def reload_command(self) -> str:
        manager = self.session.heartbeat
        return manager.reload_command if manager else "heartbeat -r"

    def reload(self) -> Result:
        command = self.reload_command()

        def reload() -> list[str]:
            if self.session.heartbeat is None:
                raise HeartbeatError("no heartbeat in this session")
            self.session.heartbeat.reload()
            return [command]
        result = self.made([command], reload, (HeartbeatError,))
        last = self.session.journal.last
        if result.ok and not result.dry_run and isinstance(last, actions.Action) and last.files:
            last.reload = reload            # u and U of that edit reload too
        return result
