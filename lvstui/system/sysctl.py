"""Kernel settings under /proc/sys, and the two LVS-DR profiles from the reference cluster.

Names are sysctl's (``net.ipv4.conf.eth0.arp_ignore``; an interface name with dots is written
with ``/``, as sysctl does). The root is injectable so tests can point it at a scratch tree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..files import atomic_write
from ..model import ValidationError
from . import SettingError

SYSCTL_D = "/etc/sysctl.d"


class SysctlError(SettingError):
    """A setting that could not be read or written; the message is for the operator."""


@dataclass(frozen=True)
class Setting:
    name: str
    wanted: str
    why: str


@dataclass(frozen=True)
class SettingState:
    setting: Setting
    current: str | None          # None: the setting does not exist here (e.g. no such interface)

    @property
    def holds(self) -> bool:
        return self.current == self.setting.wanted


def director_profile(interface: str = "eth0") -> list[Setting]:
    """The DR director: not the real servers' gateway; ICMP redirects on, as in the seed."""
    _check_interface(interface)
    return [Setting("net.ipv4.ip_forward", "0", "DR: the director is not the real servers' gateway"),
            *(Setting(f"net.ipv4.conf.{dev}.send_redirects", "1", "the seed's director setting")
              for dev in ("all", "default", interface))]


def real_server_profile() -> list[Setting]:
    """The DR real server: holds the VIP on lo but never answers ARP for it (no ARP flux)."""
    why_ignore = "answer ARP only for addresses on the asking interface (not the VIP on lo)"
    why_announce = "never announce the VIP as an ARP source address"
    return [Setting(f"net.ipv4.conf.{dev}.arp_ignore", "1", why_ignore) for dev in ("lo", "all")] \
        + [Setting(f"net.ipv4.conf.{dev}.arp_announce", "2", why_announce) for dev in ("lo", "all")]


def tunnel_real_server_profile() -> list[Setting]:
    """The LVS-TUN real server: as DR, and reverse-path filtering off where the tunnel arrives
    (the kernel takes the larger of ``all`` and the interface's value)."""
    why = "IPIP packets for the VIP arrive on tunl0 and would be dropped by rp_filter"
    return real_server_profile() + [Setting(f"net.ipv4.conf.{dev}.rp_filter", "0", why)
                                    for dev in ("all", "tunl0")]


PROFILES = {"director": director_profile, "real-server": real_server_profile,
            "tunnel-real-server": tunnel_real_server_profile}


def _check_interface(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.:@-]{1,15}", name or ""):
        raise ValidationError(f"invalid interface name {name!r}")


class Sysctl:
    def __init__(self, root: str = "/proc/sys"):
        self.root = root

    def path(self, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_./:@-]+", name) or "" in name.split(".") \
                or ".." in name.split("/"):
            raise ValidationError(f"invalid setting name {name!r}")
        return os.path.join(self.root, *(part.replace("/", ".") for part in name.split(".")))

    def read(self, name: str) -> str | None:
        try:
            with open(self.path(name)) as fh:
                return fh.read().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SysctlError(f"cannot read {name}: {exc.strerror}") from None

    def write(self, name: str, value: str) -> None:
        try:
            with open(self.path(name), "w") as fh:
                fh.write(f"{value}\n")
        except FileNotFoundError:
            raise SysctlError(f"{name} does not exist here (unknown interface?)") from None
        except PermissionError:
            raise SysctlError(f"not permitted to set {name}: run lvstui as root") from None
        except OSError as exc:
            raise SysctlError(f"cannot set {name} to {value}: {exc.strerror}") from None

    def check(self, profile: list[Setting]) -> list[SettingState]:
        return [SettingState(s, self.read(s.name)) for s in profile]

    def apply(self, profile: list[Setting]) -> list[tuple[str, str, str]]:
        """Set every setting that does not hold, all or nothing.

        Returns (name, old, new) for each change; on a failure the changed ones are set back
        and the error is raised."""
        states = self.check(profile)
        missing = [st.setting.name for st in states if st.current is None]
        if missing:
            raise SysctlError(f"{', '.join(missing)} does not exist here (unknown interface?)")
        done: list[tuple[str, str, str]] = []
        for st in states:
            if st.holds:
                continue
            try:
                self.write(st.setting.name, st.setting.wanted)
            except SysctlError:
                for name, old, _new in reversed(done):
                    self.write(name, old)
                raise
            done.append((st.setting.name, st.current, st.setting.wanted))
        return done


def persist(profile: list[Setting], role: str, directory: str = SYSCTL_D) -> str:
    """Write the profile to ``/etc/sysctl.d/90-lvstui-ROLE.conf`` (atomically); returns the path."""
    path = os.path.join(directory, f"90-lvstui-{role}.conf")
    text = f"# LVS-DR {role} settings, written by lvstui\n" + "".join(
        f"# {s.why}\n{s.name} = {s.wanted}\n" for s in profile)
    atomic_write(path, text, mode=0o644)
    return path
