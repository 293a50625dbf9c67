"""Interfaces and VIPs (pyroute2 IPRoute), and gratuitous ARP after a VIP comes up."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from ..model import ValidationError, parse_address
from . import SettingError

ETH_P_ARP = 0x0806


class AddressError(SettingError):
    """A change of addresses or routes that failed; the message is for the operator."""


@dataclass
class Address:
    address: str
    prefix: int
    family: int
    label: str


@dataclass
class Interface:
    name: str
    index: int
    mac: str
    up: bool
    addresses: list[Address] = field(default_factory=list)
    loopback: bool = False


class ClosedBetweenCalls:
    """pyroute2's IPRoute, whose calls and close take turns. pyroute2 0.9 gives each thread its
    own netlink socket, but closing one while another thread waits in a request leaves that
    thread waiting for ever (the console's read worker, mid-read when its owner closed the
    network: the hung test of fresh-clone runs 37 and 41); a call after the close fails at
    once (EBADF)."""

    def __init__(self, ipr):
        self._ipr, self._lock = ipr, threading.Lock()

    def __getattr__(self, name: str):
        method = getattr(self._ipr, name)

        def call(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)
        return call


class Addresses:
    """This host's (or one network namespace's) interfaces, addresses and host routes."""

    def __init__(self, netns: str | None = None):
        from pyroute2 import IPRoute
        self.ipr = ClosedBetweenCalls(IPRoute(netns=netns) if netns else IPRoute())

    def close(self) -> None:
        self.ipr.close()

    def interfaces(self) -> list[Interface]:
        links = {}
        for link in self.ipr.get_links():
            links[link["index"]] = Interface(link.get("IFLA_IFNAME"), link["index"],
                                             link.get("IFLA_ADDRESS") or "",
                                             bool(link["flags"] & 1),
                                             loopback=bool(link["flags"] & 8))
        for a in self.ipr.get_addr():
            iface = links.get(a["index"])
            if iface is not None:
                iface.addresses.append(Address(a.get("IFA_ADDRESS"), a["prefixlen"],
                                               6 if a["family"] == socket.AF_INET6 else 4,
                                               a.get("IFA_LABEL") or iface.name))
        return sorted(links.values(), key=lambda i: i.index)

    def holder(self, vip: str) -> Interface | None:
        """The interface that holds *vip*, if any."""
        address, _ = parse_address(vip)
        for iface in self.interfaces():
            if any(a.address == address for a in iface.addresses):
                return iface
        return None

    def _index(self, interface: str) -> int:
        found = self.ipr.link_lookup(ifname=interface)
        if not found:
            raise AddressError(f"no interface {interface!r} on this host")
        return found[0]

    def free_label(self, interface: str) -> str:
        """The first unused alias label, ``eth0:0`` style."""
        used = {a.label for i in self.interfaces() for a in i.addresses}
        n = 0
        while f"{interface}:{n}" in used:
            n += 1
        return f"{interface}:{n}"

    def add_vip(self, vip: str, interface: str, label: str | None = None) -> str:
        """Add *vip* as /32 (/128) with an alias label and its host route; all or nothing.

        Returns the label. IPv6 addresses carry no labels (the kernel has none for them)."""
        from pyroute2.netlink.exceptions import NetlinkError
        address, family = parse_address(vip)
        index = self._index(interface)
        label = label or self.free_label(interface)
        if family == 4 and not label.startswith(interface):
            raise ValidationError(f"label {label!r} must start with the interface name {interface}")
        prefix = 32 if family == 4 else 128
        extra = {"label": label} if family == 4 else {}
        try:
            self.ipr.addr("add", index=index, address=address, prefixlen=prefix, **extra)
        except NetlinkError as exc:
            raise AddressError(_words(exc.code, f"add {address}/{prefix} to {interface}")) from None
        try:
            self.ipr.route("add", dst=f"{address}/{prefix}", oif=index, scope="link")
        except NetlinkError as exc:
            if exc.code != 17:                       # an existing host route is fine
                self._drop_address(index, address, prefix)
                raise AddressError(_words(exc.code, f"add the host route to {address}")
                                   + "; the address was taken back") from None
        return label if family == 4 else interface

    def remove_vip(self, vip: str, interface: str) -> None:
        from pyroute2.netlink.exceptions import NetlinkError
        address, family = parse_address(vip)
        index = self._index(interface)
        prefix = 32 if family == 4 else 128
        try:
            self.ipr.route("del", dst=f"{address}/{prefix}", oif=index, scope="link")
        except NetlinkError as exc:
            if exc.code not in (3, 2):               # no such route: nothing to take away
                raise AddressError(_words(exc.code, f"remove the route to {address}")) from None
        try:
            self._drop_address(index, address, prefix)
        except NetlinkError as exc:
            raise AddressError(_words(exc.code, f"remove {address} from {interface}")) from None

    def _drop_address(self, index: int, address: str, prefix: int) -> None:
        self.ipr.addr("del", index=index, address=address, prefixlen=prefix)

    def announce(self, vip: str, interface: str, count: int = 3, interval: float = 0.2) -> None:
        """Gratuitous ARP for *vip* from *interface* (as heartbeat's IPaddr / send_arp do)."""
        address, family = parse_address(vip)
        if family != 4:
            return                                  # IPv6 neighbours learn by unsolicited NA
        iface = next((i for i in self.interfaces() if i.name == interface), None)
        if iface is None:
            raise AddressError(f"no interface {interface!r} on this host")
        mac = bytes.fromhex(iface.mac.replace(":", ""))
        ip = socket.inet_aton(address)
        frame = (b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP)
                 + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)   # Ethernet/IPv4, ARP request
                 + mac + ip + b"\x00" * 6 + ip)
        try:
            with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP)) as s:
                s.bind((interface, ETH_P_ARP))
                for n in range(count):
                    s.send(frame)
                    if n + 1 < count:
                        time.sleep(interval)
        except PermissionError:
            raise AddressError("not permitted to send ARP: run lvstui as root") from None
        except OSError as exc:
            raise AddressError(f"cannot send gratuitous ARP on {interface}: {exc.strerror}") from None


def _words(code: int, what: str) -> str:
    reason = {1: "not permitted: run lvstui as root", 17: "it is already there",
              19: "no such device", 99: "address not available",
              22: "the kernel refused it as invalid"}.get(code, os.strerror(code))
    return f"cannot {what}: {reason}"
