"""The table as ``ipvsadm -Ln`` prints it (plain, ``--stats``, ``--rate``, ``--thresholds``,
``--persistent-conn``, ``--exact``, one service), and ``--timeout``, ``--daemon``, ``-Lnc``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model import (Connection, Forwarding, Info, RealServer, SyncDaemon, Timeouts,
                     VirtualService, format_endpoint)
from .backend import gc_paused
from .order import sorted_servers, sorted_services
from .switches import service_settings

TITLES = {
    None: "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
    "stats": f"{'Prot LocalAddress:Port':<33} {'Conns':>8} {'InPkts':>8} {'OutPkts':>8} "
             f"{'InBytes':>8} {'OutBytes':>8}\n  -> RemoteAddress:Port\n",
    "rate": f"{'Prot LocalAddress:Port':<33} {'CPS':>8} {'InPPS':>8} {'OutPPS':>8} "
            f"{'InBPS':>8} {'OutBPS':>8}\n  -> RemoteAddress:Port\n",
    "thresholds": f"{'Prot LocalAddress:Port':<33} {'Uthreshold':<10} {'Lthreshold':<10} "
                  f"{'ActiveConn':<10} {'InActConn':<10}\n  -> RemoteAddress:Port\n",
    "persistent": f"{'Prot LocalAddress:Port':<33} {'Weight':<9} {'PersistConn':<11} "
                  f"{'ActiveConn':<10} {'InActConn':<10}\n  -> RemoteAddress:Port\n",
}
MODES = tuple(TITLES)


def largenum(n: int, exact: bool = False) -> str:
    """ipvsadm's number column: 9 wide, scaled with K/M/G/T past 8 digits."""
    if n < 10**8:
        return f"{n:>9}"
    if exact:
        text = str(n)
        return text.rjust(9 if len(text) <= 8 else len(text) + 1)
    for limit, div, unit in ((10**9, 10**3, "K"), (10**11, 10**6, "M"), (10**14, 10**9, "G")):
        if n < limit:
            return f"{n // div:>{9 - len(unit)}}{unit}"
    return f"{n // 10**12:>8}T"


def service_label(svc: VirtualService) -> str:
    if svc.is_fwmark:
        return f"FWM  {svc.fwmark}" + (" IPv6" if svc.family == 6 else "")
    label = f"{svc.protocol.upper():<4} {format_endpoint(svc.address, svc.port)}"
    return label if svc.family == 6 else label[:33]


WORDS = (("sched-flags", "({})"), ("persistent", "persistent {}"), ("netmask", "mask {}"),
         ("pe", "pe {}"), ("one-packet", "ops"))               # ipvsadm -Ln's order


def service_flags(svc: VirtualService) -> str:
    """``wlc``, ``sh (sh-port) persistent 360 mask 255.255.255.0 pe sip ops``."""
    settings = service_settings(svc)
    return " ".join([settings["scheduler"]] + [word.format(settings[name])
                                               for name, word in WORDS if name in settings])


@gc_paused
def listing(services: list[VirtualService], info: Info | None, mode: str | None = None,
            exact: bool = False) -> str:
    """*mode*: one of MODES (None: weights and connections). Without *info* (one service, as
    ``ipvsadm -Ln -t VIP:PORT``) there is no version line."""
    return "".join(listing_parts(sorted_services(services), info, mode, exact))


def listing_parts(services: Iterable[VirtualService], info: Info | None,
                  mode: str | None = None, exact: bool = False) -> Iterator[str]:
    """listing()'s text a service at a time, of *services* already in ipvsadm's order (as
    Backend.each_service reads them): printed as read, the table never held whole."""
    yield (f"IP Virtual Server version {info.version} (size={info.conn_table_size})\n"
           if info else "") + TITLES[mode]
    num = lambda n: largenum(n, exact)  # noqa: E731
    server_lines = _server_lines(mode, num)
    for svc in services:
        label = service_label(svc)
        st = svc.stats
        if mode == "stats":
            head = f"{label:<33}" + "".join(num(v) for v in (
                st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes)) + "\n"
        elif mode == "rate":
            head = f"{label:<33}" + "".join(num(v) for v in (
                st.cps, st.inpps, st.outpps, st.inbps, st.outbps)) + "\n"
        else:
            head = f"{label} {service_flags(svc)}\n"
        servers = sorted_servers(svc.servers)
        names = [f"{r.address}:{r.port}" if ":" not in r.address      # IPv4: at most 21 wide
                 else _v6_name(r, svc.family) for r in servers]
        yield head + "".join(server_lines(servers, names))


def needs_counters(mode: str | None) -> bool:
    """Whether *mode*'s listing prints the real servers' counters (stats, rate)."""
    return mode in ("stats", "rate")


def _v6_name(rs: RealServer, family: int) -> str:
    """An IPv6 real server's column: cut to 28 in an IPv4 service, as ipvsadm does."""
    name = format_endpoint(rs.address, rs.port)
    return name if family == 6 else name[:28]


def _server_lines(mode: str | None, num):
    """A function (real servers, their name columns) -> their lines in *mode*."""
    labels = {f: f"{f.label:<7}" for f in Forwarding}

    def plain(servers, names):
        return ["  -> %-28s %s %-6d %-10d %-10d\n" % (
            name, labels[rs.forwarding], rs.weight, rs.active_conns, rs.inactive_conns)
            for rs, name in zip(servers, names)]

    def stats(servers, names):
        return [f"  -> {name:<28}" + "".join(num(v) for v in (
            st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes)) + "\n"
            for st, name in zip((rs.stats for rs in servers), names)]

    def rate(servers, names):
        return [f"  -> {name:<28} {st.cps:>8} {st.inpps:>8} {st.outpps:>8}"
                f"{num(st.inbps)}{num(st.outbps)}\n"
                for st, name in zip((rs.stats for rs in servers), names)]

    def thresholds(servers, names):
        return ["  -> %-28s %-10d %-10d %-10d %-10d\n" % (
            name, rs.upper_threshold, rs.lower_threshold, rs.active_conns, rs.inactive_conns)
            for rs, name in zip(servers, names)]

    def persistent(servers, names):
        return ["  -> %-28s %-9d %-11d %-10d %-10d\n" % (
            name, rs.weight, rs.persistent_conns, rs.active_conns, rs.inactive_conns)
            for rs, name in zip(servers, names)]

    return {None: plain, "stats": stats, "rate": rate, "thresholds": thresholds,
            "persistent": persistent}[mode]


def timeouts_text(t: Timeouts) -> str:
    """``ipvsadm -L --timeout``."""
    return f"Timeout (tcp tcpfin udp): {t.tcp} {t.tcpfin} {t.udp}\n"


def daemons_text(daemons: list[SyncDaemon]) -> str:
    """``ipvsadm -L --daemon``: the master first, then the backup."""
    return "".join(
        f"{d.state} sync daemon (mcast={d.interface}, syncid={d.sync_id}, maxlen={d.max_len}, "
        f"group={d.group}, port={d.port}, ttl={d.ttl})\n"
        for d in sorted(daemons, key=lambda d: d.state != "master"))


def connections_text(conns: list[Connection], persistent: bool = False) -> str:
    """``ipvsadm -Lnc`` (with ``--persistent-conn``: the persistence engine's columns)."""
    title = (f"pro expire {'state':<11} {'source':<18} {'virtual':<18} {'destination':<18} "
             f"{'pe name':<16} pe_data\n" if persistent else
             f"pro expire {'state':<11} {'source':<18} {'virtual':<18} destination\n")
    lines = ["IPVS connection entries\n", title]
    for c in conns:
        ends = (format_endpoint(c.client, c.client_port),
                format_endpoint(c.virtual, c.virtual_port),
                format_endpoint(c.destination, c.destination_port))
        expire = f"{c.expires // 60:02d}:{c.expires % 60:02d}"
        head = f"{c.protocol.upper():<3} {expire:<6} {c.state:<11} {ends[0]:<18} {ends[1]:<18} "
        if persistent and c.pe_name:
            lines.append(f"{head}{ends[2]:<16} {c.pe_name:<18} {c.pe_data}\n")
        else:
            lines.append(f"{head}{ends[2]}\n")
    return "".join(lines)
