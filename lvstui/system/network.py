"""One face for the console: this host's VIPs and DR settings (real, or simulated for the demo)."""

from __future__ import annotations

from .addresses import Addresses, AddressError
from .sysctl import PROFILES, Setting, SettingState, Sysctl

DEFAULTS = {"net.ipv4.ip_forward": "0", "send_redirects": "1", "arp_ignore": "0",
            "arp_announce": "0"}


def profile(role: str, interface: str) -> list[Setting]:
    return PROFILES[role](interface) if role == "director" else PROFILES[role]()


def default_of(name: str) -> str:
    """The kernel's default for a setting (what a new network namespace starts with)."""
    return DEFAULTS.get(name, DEFAULTS.get(name.rsplit(".", 1)[-1], "0"))


def toggled(wanted: str) -> str:
    """The value a toggle sets when the wanted one holds: off, or on where off is wanted."""
    return "1" if wanted == "0" else "0"


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

    def add_vip(self, vip: str) -> str:
        label = self.addresses.add_vip(vip, self.interface)
        self.addresses.announce(vip, self.interface)
        return label

    def remove_vip(self, vip: str) -> None:
        self.addresses.remove_vip(vip, self.interface)

    def close(self) -> None:
        if self._addresses is not None:
            self._addresses.close()


class SimulatedNetwork:
    """The demo director (rh1.cluster.net): the reference VIP on eth0:0, seed's settings."""

    def __init__(self, interface: str = "eth0", addresses: dict[str, str] | None = None,
                 values: dict[str, str] | None = None):
        self.interface = interface
        self.addresses = dict(addresses if addresses is not None else {
            "127.0.0.1": "lo", "172.26.46.110": "eth0", "172.26.46.119": "eth0:0",
            "192.168.0.1": "eth1"})
        names = {s.name for role in PROFILES for s in profile(role, interface)}
        self.values = {name: default_of(name) for name in names}
        self.values.update(values or {})

    def vips(self) -> dict[str, str]:
        return dict(self.addresses)

    def states(self, role: str) -> list[SettingState]:
        return [SettingState(s, self.values.get(s.name)) for s in profile(role, self.interface)]

    def apply(self, role: str) -> list[tuple[str, str, str]]:
        changes = [(st.setting.name, st.current, st.setting.wanted)
                   for st in self.states(role) if not st.holds]
        for name, _old, new in changes:
            self.values[name] = new
        return changes

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def add_vip(self, vip: str) -> str:
        if vip in self.addresses:
            raise AddressError(f"cannot add {vip}/32 to {self.interface}: it is already there")
        used = set(self.addresses.values())
        label = next(f"{self.interface}:{n}" for n in range(1000)
                     if f"{self.interface}:{n}" not in used)
        self.addresses[vip] = label
        return label

    def remove_vip(self, vip: str) -> None:
        if self.addresses.pop(vip, None) is None:
            raise AddressError(f"cannot remove {vip} from {self.interface}: it is not there")

    def close(self) -> None:
        pass
