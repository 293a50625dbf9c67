"""The demo director's network: addresses and settings held in memory."""

from __future__ import annotations

from ..model import ValidationError, parse_address
from ..system.addresses import AddressError
from ..system.network import default_of, profile
from ..system.sysctl import PROFILES, SettingState


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

    def add_vip(self, vip: str, label: str | None = None, announce: bool = True) -> str:
        """As the kernel takes it: an address (never a name or a prefix), a label of this
        interface, once."""
        vip, family = parse_address(str(vip), resolve=None)
        if label is not None and family == 4 and not str(label).startswith(self.interface):
            raise ValidationError(f"label {label!r} must start with the interface name "
                                  f"{self.interface}")
        if vip in self.addresses:
            raise AddressError(f"cannot add {vip}/32 to {self.interface}: it is already there")
        used = set(self.addresses.values())
        label = label or next(f"{self.interface}:{n}" for n in range(1000)
                              if f"{self.interface}:{n}" not in used)
        self.addresses[vip] = label
        return label

    def announce(self, vip: str) -> None:
        if vip not in self.addresses:
            raise AddressError(f"cannot announce {vip}: this director does not hold it")

    def remove_vip(self, vip: str) -> None:
        if self.addresses.pop(vip, None) is None:
            raise AddressError(f"cannot remove {vip} from {self.interface}: it is not there")

    def listing(self) -> list[tuple[str, str, int]]:
        """(label, address, prefix): the demo director's addresses (a VIP as /32)."""
        prefixes = {"lo": 8, "eth0": 24, "eth1": 24}
        return [(label, address, prefixes.get(label, 32))
                for address, label in self.addresses.items()]

    def persist(self, role: str) -> str:
        """The demo writes no file under /etc: the path a director would have written."""
        return f"/etc/sysctl.d/90-lvstui-{role}.conf (simulated: the demo writes nothing)"

    def close(self) -> None:
        pass


def peer_network() -> SimulatedNetwork:
    """The demo's other director (debian.cluster.net): its own addresses, no VIP (the
    backup)."""
    return SimulatedNetwork(addresses={"127.0.0.1": "lo", "172.26.46.111": "eth0",
                                       "192.168.0.2": "eth1"})
