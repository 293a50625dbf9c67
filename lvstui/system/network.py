"""One face for the console: this host's VIPs and DR settings (real, or simulated for the demo)."""

from __future__ import annotations

from .addresses import Addresses
from .sysctl import PROFILES, Setting, SettingState, Sysctl, persist

DEFAULTS = {"net.ipv4.ip_forward": "0", "send_redirects": "1", "arp_ignore": "0",
            "arp_announce": "0"}


def profile(role: str, interface: str) -> list[Setting]:
    return PROFILES[role](interface) if role == "director" else PROFILES[role]()


def default_of(name: str) -> str:
    """The kernel's default for a setting (what a new network namespace starts with)."""
    return DEFAULTS.get(name, DEFAULTS.get(name.rsplit(".", 1)[-1], "0"))


class HostNetwork:
    """This host: pyroute2 for addresses, /proc/sys for settings."""

    def __init__(self, interface: str = "eth0", sysctl: Sysctl | None = None,
                 addresses: Addresses | None = None):
        self.interface = interface
        self.sysctl = sysctl or Sysctl()
        self._addresses = addresses

    @property
    def addresses(self) -> Addresses:
        if self._addresses is None:
            self._addresses = Addresses()
        return self._addresses

    def vips(self) -> dict[str, str]:
        """Every address on this host -> its label (``eth0:0``)."""
        return {a.address: a.label for i in self.addresses.interfaces() for a in i.addresses}

    def states(self, role: str) -> list[SettingState]:
        return self.sysctl.check(profile(role, self.interface))

    def apply(self, role: str) -> list[tuple[str, str, str]]:
        return self.sysctl.apply(profile(role, self.interface))

    def set(self, name: str, value: str) -> None:
        self.sysctl.write(name, value)

    def add_vip(self, vip: str, label: str | None = None, announce: bool = True) -> str:
        """The VIP on this host's interface (*label*: its alias, else the first free one),
        announced by gratuitous ARP unless not *announce*; its label."""
        label = self.addresses.add_vip(vip, self.interface, label)
        if announce:
            self.addresses.announce(vip, self.interface)
        return label

    def remove_vip(self, vip: str) -> None:
        self.addresses.remove_vip(vip, self.interface)

    def announce(self, vip: str) -> None:
        """Gratuitous ARP for *vip* (held here) from this host's interface."""
        self.addresses.announce(vip, self.interface)

    def persist(self, role: str) -> str:
        """The profile written to /etc/sysctl.d (applied at boot); the file's path."""
        return persist(profile(role, self.interface), role)

    def listing(self) -> list[tuple[str, str, int]]:
        """(label, address, prefix) of every address on every interface."""
        return [(a.label, a.address, a.prefix) for i in self.addresses.interfaces()
                for a in i.addresses]

    def close(self) -> None:
        if self._addresses is not None:
            self._addresses.close()
