"""This host's network: the DR profile's sysctls and the VIPs it holds, each change audited
and an entry of the journal (u sets the old values back, removes a VIP added)."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from .. import actions
from ..ipvs.backend import IPVSError
from ..system import SettingError
from .area import Area
from .results import NetworkView, Result

NETWORK_ERRORS = (SettingError, OSError, ValueError)


class Host(Area):
    """Use cases on ``session.network`` (the host's network adapter)."""

    @property
    def adapter(self):
        return self.session.network

    def held(self) -> set | None:
        """The addresses this host holds (None: no network adapter, or it cannot be read)."""
        if self.adapter is None:
            return None
        try:
            return set(self.adapter.vips())
        except (SettingError, OSError):
            return None

    def view(self, role: str) -> NetworkView:
        try:
            conns = Counter(c.virtual for c in self.session.backend.connections())
        except (IPVSError, OSError):
            conns = Counter()
        try:
            return NetworkView(self.adapter.vips(), self.adapter.states(role), conns)
        except (SettingError, OSError) as exc:
            return NetworkView(conns=conns, error=str(exc))

    def change(self, planned: list[str], do: Callable[[], list[str] | None]) -> Result:
        """A change of this host's network (sysctls, VIPs)."""
        return self.made(planned, do, NETWORK_ERRORS)

    def apply(self, role: str) -> Result:
        """The DR profile of *role* on this host's sysctls; u sets the old values back."""
        changed: list = []

        def apply() -> list[str]:
            changed.extend(self.adapter.apply(role))
            return [f"sysctl -w {n}={new}   (was {old})" for n, old, new in changed]
        planned = [f"sysctl -w {st.setting.name}={st.setting.wanted}"
                   for st in self.adapter.states(role) if not st.holds]
        return self.session.journal.acted(
            self.change(planned, apply),
            lambda: actions.sysctls(f"the DR {role} profile", self.adapter, changed))

    def set(self, name: str, value: str, old: str | None) -> Result:
        """One sysctl (its value now: *old*; None: unread); u sets *old* back."""
        return self.session.journal.acted(
            self.change([f"sysctl -w {name}={value}"], lambda: self.adapter.set(name, value)),
            lambda: actions.sysctls(f"sysctl {name}", self.adapter, [(name, old, value)]))

    def addresses(self) -> list[tuple[str, str, int]]:
        """(label, address, prefix) of every address on this host."""
        return self.adapter.listing()

    def states(self, role: str) -> list:
        """The DR profile of *role*: each setting as it stands and as it should."""
        return self.adapter.states(role)

    def persist(self, role: str) -> Result:
        """The profile written to /etc/sysctl.d, applied at boot."""
        return self.change([f"write /etc/sysctl.d/90-lvstui-{role}.conf"],
                           lambda: [f"written {self.adapter.persist(role)}"])

    def vip_add(self, address: str, label: str | None = None, announce: bool = True) -> Result:
        """The VIP on this host's interface (its alias *label*, else the first free one),
        announced unless not *announce*; u removes it."""
        action = actions.vip(f"VIP {address} added", self.adapter, address, True, label,
                             announce)
        return self.session.journal.acted(self.change(
            [f"ip addr add {address} dev {self.adapter.interface}"], action.redo),
            lambda: action)

    def announce(self, address: str) -> Result:
        """Gratuitous ARP for *address*, which this host holds (not an entry of the journal:
        it changes no state here)."""
        def announce() -> list[str]:
            self.adapter.announce(address)
            return [f"announced {address} by gratuitous ARP on {self.adapter.interface}"]
        return self.change([f"arping -U {address}"], announce)

    def vip_remove(self, address: str) -> Result:
        """The VIP off this host; u adds it back and announces it."""
        action = actions.vip(f"VIP {address} removed", self.adapter, address, False)
        return self.session.journal.acted(self.change(
            [f"ip addr del {address} dev {self.adapter.interface}"], action.redo),
            lambda: action)
