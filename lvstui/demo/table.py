"""The reference LVS-DR table (shared/reference/cluster.md) on the memory backend, with
traffic that moves its counters and rates so the console looks alive."""

from __future__ import annotations

import random

from ..ipvs.memory import MemoryBackend
from ..model import Connection, Forwarding, Info, RealServer, VirtualService

VIP = "172.26.46.119"
REAL_SERVERS = ("172.26.46.80", "172.26.46.81")


def reference_cluster() -> MemoryBackend:
    """``ipvsadm -A -t 172.26.46.119:80 -s wlc`` with RS1 and RS2 as Route, weight 1."""
    table = MemoryBackend(info=Info("1.2.1", 4096))
    web = VirtualService("tcp", address=VIP, port=80, scheduler="wlc")
    table.add_service(web)
    for address in REAL_SERVERS:
        table.add_server(web, RealServer(address, 80, Forwarding.ROUTE, weight=1))
    return table


class Traffic:
    """Moves the memory table's counters like a lightly loaded web cluster (seeded, repeatable).
    Clients reach a service only while this director holds its VIP (*holds(address)*; by
    default always): after a failover its new connections stop and the open ones finish."""

    def __init__(self, table: MemoryBackend, seed: int = 1, holds=lambda address: True):
        self.table, self.holds = table, holds
        self.random = random.Random(seed)

    def tick(self, seconds: float = 1.0) -> None:
        rnd, timeouts = self.random, self.table.timeouts()
        with self.table.held() as services:
            conns = []
            for svc in services:
                live = [rs for rs in svc.servers if rs.weight > 0]
                total_weight = sum(rs.weight for rs in live) or 1
                cps = rnd.randint(20, 60) if self.holds(svc.address or VIP) else 0
                svc_rates = [0, 0, 0, 0, 0]
                for rs in svc.servers:
                    share = rs.weight / total_weight if rs.weight > 0 and cps else 0.0
                    rs_cps = int(cps * share)
                    st = rs.stats
                    st.cps, st.inpps, st.outpps = rs_cps, rs_cps * 9, rs_cps * 8
                    st.inbps, st.outbps = rs_cps * 900, 0 if svc.is_fwmark else rs_cps * 12000
                    new = int(rs_cps * seconds)
                    st.conns += new
                    st.inpkts += new * 9
                    st.outpkts += new * 8
                    st.inbytes += new * 900
                    st.outbytes += new * 12000
                    rs.active_conns = int(rs_cps * 0.8) if share else max(0, rs.active_conns - 5)
                    rs.inactive_conns = int(rs_cps * 2.5) if share else max(0, rs.inactive_conns - 9)
                    for i, v in enumerate((st.cps, st.inpps, st.outpps, st.inbps, st.outbps)):
                        svc_rates[i] += v
                    for n in range(min(rs.active_conns, 50)):
                        state, timeout = ("ESTABLISHED", timeouts.tcp) if n % 4 else \
                            ("FIN_WAIT", timeouts.tcpfin)         # within list --timeout's
                        conns.append(Connection(
                            svc.protocol if not svc.is_fwmark else "tcp",
                            f"198.51.100.{rnd.randint(1, 254)}", rnd.randint(1024, 65535),
                            svc.address or VIP, svc.port, rs.address, rs.port,
                            state, rnd.randint(1, timeout)))
                st = svc.stats
                st.cps, st.inpps, st.outpps, st.inbps, st.outbps = svc_rates
                st.conns = sum(rs.stats.conns for rs in svc.servers)
                st.inpkts = sum(rs.stats.inpkts for rs in svc.servers)
                st.outpkts = sum(rs.stats.outpkts for rs in svc.servers)
                st.inbytes = sum(rs.stats.inbytes for rs in svc.servers)
                st.outbytes = sum(rs.stats.outbytes for rs in svc.servers)
            self.table.conns = conns
