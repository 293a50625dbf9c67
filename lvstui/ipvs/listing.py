"""The table as ``ipvsadm -Ln`` prints it (plain, ``--stats``, ``--rate``, ``--exact``)."""

from __future__ import annotations

from ..model import Info, VirtualService, format_endpoint
from .rules import service_settings, sorted_servers, sorted_services

TITLES = {
    None: "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
    "stats": f"{'Prot LocalAddress:Port':<33} {'Conns':>8} {'InPkts':>8} {'OutPkts':>8} "
             f"{'InBytes':>8} {'OutBytes':>8}\n  -> RemoteAddress:Port\n",
    "rate": f"{'Prot LocalAddress:Port':<33} {'CPS':>8} {'InPPS':>8} {'OutPPS':>8} "
            f"{'InBPS':>8} {'OutBPS':>8}\n  -> RemoteAddress:Port\n",
}


def largenum(n: int, exact: bool = False) -> str:
    """ipvsadm's number column: 9 wide, scaled with K/M/G/T past 8 digits."""
    if exact:
        text = str(n)
        return text.rjust(9 if len(text) <= 8 else len(text) + 1)
    for limit, div, unit in ((10**8, 1, ""), (10**9, 10**3, "K"), (10**11, 10**6, "M"),
                             (10**14, 10**9, "G")):
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


def listing(services: list[VirtualService], info: Info, mode: str | None = None,
            exact: bool = False) -> str:
    """*mode*: None (weights and connections), ``"stats"`` or ``"rate"``."""
    lines = [f"IP Virtual Server version {info.version} (size={info.conn_table_size})\n",
             TITLES[mode]]
    num = lambda n: largenum(n, exact)  # noqa: E731
    for svc in sorted_services(services):
        label = service_label(svc)
        st = svc.stats
        if mode == "stats":
            lines.append(f"{label:<33}" + "".join(num(v) for v in (
                st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes)) + "\n")
        elif mode == "rate":
            lines.append(f"{label:<33}" + "".join(num(v) for v in (
                st.cps, st.inpps, st.outpps, st.inbps, st.outbps)) + "\n")
        else:
            lines.append(f"{label} {service_flags(svc)}\n")
        for rs in sorted_servers(svc.servers):
            name = format_endpoint(rs.address, rs.port)
            name = name if svc.family == 6 else name[:28]
            st = rs.stats
            if mode == "stats":
                lines.append(f"  -> {name:<28}" + "".join(num(v) for v in (
                    st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes)) + "\n")
            elif mode == "rate":
                lines.append(f"  -> {name:<28} {st.cps:>8} {st.inpps:>8} {st.outpps:>8}"
                             f"{num(st.inbps)}{num(st.outbps)}\n")
            else:
                lines.append(f"  -> {name:<28} {rs.forwarding.label:<7} {rs.weight:<6} "
                             f"{rs.active_conns:<10} {rs.inactive_conns:<10}\n")
    return "".join(lines)
