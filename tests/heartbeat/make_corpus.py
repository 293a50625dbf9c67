"""Writes tests/heartbeat/corpus.json: the reference cluster's heartbeat files and mutations of
them (directives, values, media lines, authkeys methods and modes, haresources), each a case
that heartbeat 3.0.6 and ``lvstui check-config`` judge side by side (test_referee.py).

    python3 tests/heartbeat/make_corpus.py      # rewrite the corpus after editing the lists
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

from tests.helpers import REFERENCE_AUTHKEYS, REFERENCE_HA_CF, REFERENCE_HARESOURCES  # noqa: E402

NODE = "rh1.cluster.net"
HA_CF, HARESOURCES, AUTHKEYS = REFERENCE_HA_CF, REFERENCE_HARESOURCES, REFERENCE_AUTHKEYS

# (name, a line replacing the line that starts with the same directive, or appended)
HA_CF_LINES = [
    ("typo", "keepalvie 2"), ("typo-case", "Keepalive 2"), ("unknown", "failover_mode fast"),
    ("udp-alias", "udp eth1"), ("no-value", "keepalive"),
    ("keepalive-ms", "keepalive 500ms"), ("keepalive-frac", "keepalive 1.5"),
    ("keepalive-us", "keepalive 900000us"), ("keepalive-zero", "keepalive 0"),
    ("keepalive-text", "keepalive two"), ("keepalive-neg", "keepalive -2"),
    ("keepalive-msec", "keepalive 1500msec"), ("keepalive-s", "keepalive 2s"),
    ("keepalive-two", "keepalive 2 3"), ("keepalive-5", "keepalive 5"),
    ("keepalive-4", "keepalive 4"), ("keepalive-unicode", "keepalive ２"),
    ("deadtime-4", "deadtime 4"), ("deadtime-5", "deadtime 5"), ("deadtime-3", "deadtime 3"),
    ("deadtime-ms", "deadtime 9000ms"), ("deadtime-zero", "deadtime 0"),
    ("deadtime-text", "deadtime ten"), ("deadtime-big", "deadtime 100000"),
    ("warntime-zero", "warntime 0"), ("warntime-big", "warntime 30"),
    ("warntime-small", "warntime 1"), ("warntime-text", "warntime x"),
    ("initdead-5", "initdead 5"), ("initdead-10", "initdead 10"), ("initdead-9", "initdead 9"),
    ("initdead-zero", "initdead 0"), ("initdead-text", "initdead soon"),
    ("udpport-0", "udpport 0"), ("udpport-text", "udpport ha"), ("udpport-70000", "udpport 70000"),
    ("udpport-neg", "udpport -1"), ("udpport-1", "udpport 1"),
    ("autofail-off", "auto_failback off"), ("autofail-legacy", "auto_failback legacy"),
    ("autofail-yes", "auto_failback yes"), ("autofail-true", "auto_failback true"),
    ("autofail-1", "auto_failback 1"), ("autofail-maybe", "auto_failback maybe"),
    ("autofail-ON", "auto_failback ON"), ("nice-failback", "nice_failback on"),
    ("facility-bad", "logfacility local9"), ("facility-daemon", "logfacility daemon"),
    ("facility-none", "logfacility none"), ("logfile", "logfile /var/log/ha-log"),
    ("debugfile", "debugfile /var/log/ha-debug"), ("use-logd-no", "use_logd no"),
    ("use-logd-yes", "use_logd yes"), ("use-logd-maybe", "use_logd maybe"),
    ("hopfudge-300", "hopfudge 300"), ("hopfudge-2", "hopfudge 2"),
    ("baud-19200", "baud 19200"), ("baud-bad", "baud 12345"),
    ("realtime-no", "realtime no"), ("realtime-maybe", "realtime maybe"),
    ("debug-1", "debug 1"), ("debug-300", "debug 300"),
    ("msgfmt-netstring", "msgfmt netstring"), ("msgfmt-xml", "msgfmt xml"),
    ("hbgenmethod-time", "hbgenmethod time"), ("hbgenmethod-bad", "hbgenmethod clock"),
    ("compression-bz2", "compression bz2"), ("compression-bad", "compression lzma"),
    ("compression-threshold", "compression_threshold 2"),
    ("traditional-compression", "traditional_compression no"),
    ("coredumps-false", "coredumps false"), ("coredumps-maybe", "coredumps maybe"),
    ("crm-no", "crm no"), ("crm-maybe", "crm maybe"),
    ("autojoin-none", "autojoin none"), ("autojoin-any", "autojoin any"),
    ("autojoin-bad", "autojoin everybody"), ("uuidfrom-nodename", "uuidfrom nodename"),
    ("uuidfrom-bad", "uuidfrom mac"), ("max-rexmit", "max_rexmit_delay 250"),
    ("conn-logd-time", "conn_logd_time 60"), ("deadping", "deadping 30"),
    ("deadping-small", "deadping 3"), ("rtprio", "rtprio 5"), ("rtprio-bad", "rtprio 500"),
    ("ping", "ping 192.168.0.254"), ("ping-group", "ping_group grp 192.168.0.253 192.168.0.254"),
    ("respawn", "respawn hacluster /usr/lib/heartbeat/ipfail"),
    ("apiauth", "apiauth ipfail gid=haclient uid=hacluster"),
    ("watchdog", "watchdog /dev/watchdog"), ("env", "env FOO=bar"),
    ("register-apphbd", "register_to_apphbd no"), ("badpack", "warn_badpacket no"),
    ("coreroot", "coreroot /var/lib/heartbeat/cores"), ("pacemaker", "pacemaker off"),
    ("stonith-host", "stonith_host * null node1"),
    ("ucast-no-ip", "ucast eth1"), ("ucast-bad-ip", "ucast eth1 192.168.0.300"),
    ("ucast-name", "ucast eth1 debian.cluster.net"), ("ucast-missing-if", "ucast eth9 192.168.0.2"),
    ("ucast-extra", "ucast eth1 192.168.0.2 192.168.0.3"),
    ("bcast", "bcast eth1"), ("bcast-two", "bcast eth0 eth1"), ("bcast-missing", "bcast eth9"),
    ("bcast-empty", "bcast"),
    ("mcast", "mcast eth1 225.0.0.1 694 1 0"), ("mcast-not-multicast",
                                                 "mcast eth1 10.0.0.1 694 1 0"),
    ("mcast-short", "mcast eth1 225.0.0.1 694"), ("mcast-ttl-0", "mcast eth1 225.0.0.1 694 0 0"),
    ("mcast-ttl-300", "mcast eth1 225.0.0.1 694 300 0"),
    ("mcast-loop-2", "mcast eth1 225.0.0.1 694 1 2"),
    ("mcast-missing-if", "mcast eth9 225.0.0.1 694 1 0"),
    ("serial-missing", "serial /dev/ttyS9"), ("serial-notdev", "serial ttyS0"),
    ("node-extra", "node third.cluster.net"), ("node-upper", "node RH1.CLUSTER.NET"),
    ("node-commas", "node rh1.cluster.net,debian.cluster.net"),
]
# whole-file edits of ha.cf
HA_CF_EDITS = [
    ("reference", lambda t: t),
    ("crlf", lambda t: t.replace("\n", "\r\n")),
    ("tabs", lambda t: t.replace(" ", "\t")),
    ("comments", lambda t: "# heartbeat\n" + t.replace("\n", "   # note\n", 2)),
    ("no-nodes", lambda t: "".join(l for l in t.splitlines(True) if not l.startswith("node"))),
    ("not-this-node", lambda t: t.replace("node    rh1.cluster.net\n", "")),
    ("no-media", lambda t: t.replace("ucast eth1 192.168.0.1\n", "")),
    ("udpport-after-media", lambda t: t.replace("udpport 694\n", "") + "udpport 694\n"),
    ("no-times", lambda t: "".join(l for l in t.splitlines(True)
                                   if l.split()[0] not in ("keepalive", "deadtime", "warntime",
                                                           "initdead"))),
    ("only-keepalive-5", lambda t: "".join(l for l in t.splitlines(True)
                                           if l.split()[0] not in ("deadtime", "initdead"))
     .replace("keepalive 2", "keepalive 5")),
    ("only-deadtime-3", lambda t: "".join(l for l in t.splitlines(True)
                                          if l.split()[0] not in ("keepalive", "initdead"))
     .replace("deadtime 10", "deadtime 3")),
    ("no-log", lambda t: t.replace("logfacility local0\n", "")),
    ("no-log-logd-no", lambda t: t.replace("logfacility local0\n", "use_logd no\n")),
    ("indented", lambda t: t.replace("\n", "\n  ").rstrip(" ")),
    ("empty", lambda t: ""),
    ("no-final-newline", lambda t: t.rstrip("\n")),
]
AUTHKEYS_CASES = [
    ("md5", "auth 1\n1 md5 secret\n", "600"), ("crc", "auth 3\n3 crc\n", "600"),
    ("sha1-no-secret", "auth 2\n2 sha1\n", "600"), ("md5-no-secret", "auth 1\n1 md5\n", "600"),
    ("unknown-method", "auth 2\n2 sha256 helloworld\n", "600"),
    ("method-upper", "auth 2\n2 SHA1 helloworld\n", "600"),
    ("auth-undefined", "auth 3\n2 sha1 helloworld\n", "600"),
    ("no-auth-line", "2 sha1 helloworld\n", "600"),
    ("auth-two", "auth 2 1\n1 md5 a\n2 sha1 b\n", "600"),
    ("two-keys", "auth 1\n1 md5 a\n2 sha1 b\n", "600"),
    ("index-15", "auth 15\n15 sha1 helloworld\n", "600"),
    ("index-16", "auth 16\n16 sha1 helloworld\n", "600"),
    ("index-0", "auth 0\n0 sha1 helloworld\n", "600"),
    ("index-text", "auth x\nx sha1 helloworld\n", "600"),
    ("secret-spaces", "auth 2\n2 sha1 hello world\n", "600"),
    ("comments", "# keys\nauth 2   # the one\n2 sha1 helloworld\n", "600"),
    ("crlf", "auth 2\r\n2 sha1 helloworld\r\n", "600"),
    ("mode-644", AUTHKEYS, "644"), ("mode-640", AUTHKEYS, "640"), ("mode-400", AUTHKEYS, "400"),
    ("mode-700", AUTHKEYS, "700"), ("mode-604", AUTHKEYS, "604"),
    ("empty", "", "600"), ("missing", None, "600"),
]
HARESOURCES_CASES = [
    ("other-node", "debian.cluster.net 172.26.46.119/24/eth0\n"),
    ("unknown-node", "rh3.cluster.net 172.26.46.119/24/eth0\n"),
    ("node-upper", "RH1.CLUSTER.NET 172.26.46.119/24/eth0\n"),
    ("continued", "rh1.cluster.net 172.26.46.119/24/eth0 \\\n    httpd\n"),
    ("comment", "# the VIP\nrh1.cluster.net 172.26.46.119/24/eth0\n"),
    ("indented-comment", "   # the VIP\nrh1.cluster.net 172.26.46.119/24/eth0\n"),
    ("two-groups", "rh1.cluster.net 172.26.46.119\ndebian.cluster.net 172.26.46.120\n"),
    ("node-only", "rh1.cluster.net\n"), ("empty", ""), ("missing", None),
    ("ipaddr2", "rh1.cluster.net IPaddr2::172.26.46.119/24/eth0\n"),
    ("blank-lines", "\n\nrh1.cluster.net 172.26.46.119/24/eth0\n\n"),
]


def cases() -> list[dict]:
    base = {"node": NODE, "ha.cf": HA_CF, "haresources": HARESOURCES, "authkeys": AUTHKEYS,
            "mode": "600"}
    out = [{**base, "name": f"ha.cf/{name}", "ha.cf": edit(HA_CF)} for name, edit in HA_CF_EDITS]
    for name, line in HA_CF_LINES:
        word = line.split()[0]
        lines = HA_CF.splitlines(keepends=True)
        at = next((i for i, l in enumerate(lines) if l.split()[0] == word), None)
        if at is None or word in ("node", "ucast", "bcast", "mcast", "serial"):
            text = HA_CF + line + "\n"
        else:
            lines[at] = line + "\n"
            text = "".join(lines)
        out.append({**base, "name": f"ha.cf/{name}", "ha.cf": text})
    out += [{**base, "name": f"authkeys/{name}", "authkeys": text, "mode": mode}
            for name, text, mode in AUTHKEYS_CASES]
    out += [{**base, "name": f"haresources/{name}", "haresources": text}
            for name, text in HARESOURCES_CASES]
    return out


if __name__ == "__main__":
    path = os.path.join(os.path.dirname(__file__), "corpus.json")
    with open(path, "w") as fh:
        json.dump(cases(), fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(f"{path}: {len(cases())} cases")
