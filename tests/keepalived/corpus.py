"""Configurations for the keepalived referee: the reference cluster run by keepalived (one
VRRP instance, the web VIP with both real servers and their checkers), and mutations of it —
typos, ranges, families, missing and extra braces, includes, checkers — alone and in pairs.
Each case: a name and its files ({relative path: text}; keepalived.conf is the one checked)."""

from __future__ import annotations

import itertools
import re

BASE = """\
! The reference cluster's director, run by keepalived
global_defs {
   router_id rh1
   enable_script_security
   script_user root
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        172.26.46.119/24 dev lo label lo:0
    }
}

virtual_server 172.26.46.119 80 {
    delay_loop 6
    lb_algo wlc
    lb_kind DR
    protocol TCP
    persistence_timeout 300

    real_server 172.26.46.80 80 {
        weight 1
        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            connect_timeout 3
            retry 3
        }
    }
    real_server 172.26.46.81 80 {   # the second one
        weight 1
        TCP_CHECK {
            connect_port 80
            connect_timeout 3
        }
    }
}
"""


def sub(old: str, new: str, count: int = 1):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)
    return edit


def drop(pattern: str):
    """Remove the lines matching *pattern* (a regular expression, multiline)."""
    return lambda text: re.sub(pattern, "", text, count=1, flags=re.M | re.S)


MUTATIONS = {
    "priority-300": sub("priority 100", "priority 300"),
    "priority-0": sub("priority 100", "priority 0"),
    "priority-255": sub("priority 100", "priority 255"),
    "priority-word": sub("priority 100", "priority high"),
    "priorty-typo": sub("priority 100", "priorty 100"),
    "vrid-0": sub("virtual_router_id 51", "virtual_router_id 0"),
    "vrid-256": sub("virtual_router_id 51", "virtual_router_id 256"),
    "vrid-missing": drop(r"^\s*virtual_router_id 51\n"),
    "state-lower": sub("state MASTER", "state master"),
    "state-backup": sub("state MASTER", "state BACKUP"),
    "state-bogus": sub("state MASTER", "state PRIMARY"),
    "advert-0": sub("advert_int 1", "advert_int 0"),
    "advert-half": sub("advert_int 1", "advert_int 0.5"),
    "advert-300": sub("advert_int 1", "advert_int 300"),
    "advert-v3-half": sub("advert_int 1", "version 3\n    advert_int 0.5"),
    "auth-long": sub("auth_pass s3cret", "auth_pass longer-than-8"),
    "auth-type-bogus": sub("auth_type PASS", "auth_type MD5"),
    "auth-type-ah": sub("auth_type PASS", "auth_type AH"),
    "interface-missing": sub("interface eth0", "interface nosuch9"),
    "interface-loopback": sub("interface eth0", "interface lo"),
    "vip-invalid": sub("172.26.46.119/24 dev lo", "172.26.46.300/24 dev lo"),
    "vip-prefix-33": sub("172.26.46.119/24 dev lo", "172.26.46.119/33 dev lo"),
    "vip-none": drop(r"^\s*virtual_ipaddress \{\n.*?\n\s*\}\n"),
    "vip-v6": sub("172.26.46.119/24 dev lo label lo:0", "fd00::119/64 dev lo"),
    "vip-second": sub("label lo:0\n", "label lo:0\n        172.26.46.120/24 dev lo\n"),
    "sched-bogus": sub("lb_algo wlc", "lb_algo fastest"),
    "sched-upper": sub("lb_algo wlc", "lb_algo WLC"),
    "sched-rr": sub("lb_algo wlc", "lvs_sched rr"),
    "sched-missing": drop(r"^\s*lb_algo wlc\n"),
    "kind-nat": sub("lb_kind DR", "lb_kind NAT"),
    "kind-tun": sub("lb_kind DR", "lvs_method TUN"),
    "kind-lower": sub("lb_kind DR", "lb_kind dr"),
    "kind-missing": drop(r"^\s*lb_kind DR\n"),
    "proto-lower": sub("protocol TCP", "protocol tcp"),
    "proto-udp": sub("protocol TCP", "protocol UDP"),
    "proto-icmp": sub("protocol TCP", "protocol ICMP"),
    "proto-missing": drop(r"^\s*protocol TCP\n"),
    "delay-0": sub("delay_loop 6", "delay_loop 0"),
    "delay-word": sub("delay_loop 6", "delay_loop often"),
    "delay-fraction": sub("delay_loop 6", "delay_loop 2.5"),
    "persist-0": sub("persistence_timeout 300", "persistence_timeout 0"),
    "persist-huge": sub("persistence_timeout 300", "persistence_timeout 99999999"),
    "vs-ip-invalid": sub("virtual_server 172.26.46.119 80", "virtual_server 172.26.46.300 80"),
    "vs-port-big": sub("virtual_server 172.26.46.119 80", "virtual_server 172.26.46.119 99999"),
    "vs-fwmark": lambda t: sub("virtual_server 172.26.46.119 80", "virtual_server fwmark 5")(
        drop(r"^\s*protocol TCP\n")(t)),
    "vs-fwmark-proto": sub("virtual_server 172.26.46.119 80", "virtual_server fwmark 5"),
    "vs-v6": lambda t: t.replace("virtual_server 172.26.46.119 80",
                                 "virtual_server fd00::119 80").replace(
        "real_server 172.26.46.80 80", "real_server fd00::80 80").replace(
        "real_server 172.26.46.81 80", "real_server fd00::81 80"),
    "rs-ip-invalid": sub("real_server 172.26.46.80 80", "real_server 172.26.46.800 80"),
    "rs-port-0": sub("real_server 172.26.46.80 80", "real_server 172.26.46.80 0"),
    "rs-none": drop(r"^    real_server 172\.26\.46\.80 80 \{.*?^    \}\n"
                    r"    real_server 172\.26\.46\.81 80 \{.*?^    \}\n"),
    "weight-0": sub("weight 1", "weight 0"),
    "weight-big": sub("weight 1", "weight 70000"),
    "weight-negative": sub("weight 1", "weight -1"),
    "weight-word": sub("weight 1", "weight heavy"),
    "weight-missing-value": sub("weight 1", "weight"),
    "status-99": sub("status_code 200", "status_code 99"),
    "status-600": sub("status_code 200", "status_code 600"),
    "timeout-0": sub("connect_timeout 3\n            retry", "connect_timeout 0\n            retry"),
    "timeout-fraction": sub("connect_timeout 3\n            retry",
                            "connect_timeout 0.5\n            retry"),
    "inhibit": sub("weight 1\n        HTTP_GET", "weight 1\n        inhibit_on_failure\n        HTTP_GET"),
    "misc-check": sub("TCP_CHECK {\n            connect_port 80\n            connect_timeout 3",
                      "MISC_CHECK {\n            misc_path \"/bin/true\"\n            misc_timeout 5"),
    "misc-no-path": sub("TCP_CHECK {\n            connect_port 80\n            connect_timeout 3",
                        "MISC_CHECK {\n            misc_timeout 5"),
    "misc-connect-timeout": sub("TCP_CHECK {\n            connect_port 80",
                                "MISC_CHECK {\n            misc_path /bin/true"),
    "misc-insecure": lambda t: drop(r"^\s*enable_script_security\n")(
        MUTATIONS["misc-check"](t)),
    "file-check": sub("TCP_CHECK {\n            connect_port 80\n            connect_timeout 3",
                      "FILE_CHECK {\n            track_file rs2\n            weight 0"),
    "smtp-check": sub("TCP_CHECK {\n            connect_port 80", "SMTP_CHECK {\n            connect_port 25"),
    "dns-check": sub("TCP_CHECK {\n            connect_port 80", "DNS_CHECK {\n            connect_port 53"),
    "ssl-get": sub("HTTP_GET {", "SSL_GET {"),
    "sorry-server": sub("persistence_timeout 300", "persistence_timeout 300\n    sorry_server 127.0.0.1 80"),
    "quorum-0": sub("persistence_timeout 300", "persistence_timeout 300\n    quorum 0"),
    "quorum-2": sub("persistence_timeout 300", "persistence_timeout 300\n    quorum 2"),
    "quorum-3": sub("persistence_timeout 300", "persistence_timeout 300\n    quorum 3"),
    "weight-all-0": lambda t: t.replace("weight 1", "weight 0"),    # quorum 1 > weights 0
    "router-id-missing": sub("router_id rh1", "router_id"),
    "global-typo": sub("router_id rh1", "routerid rh1"),
    "vs-typo": sub("delay_loop 6", "delayloop 6"),
    "rs-typo": sub("weight 1\n        TCP_CHECK", "wieght 1\n        TCP_CHECK"),
    "checker-typo": sub("connect_port 80", "connectport 80"),
    "url-typo": sub("path /health", "pth /health"),
    "top-typo": sub("virtual_server 172.26.46.119 80 {", "virtualserver 172.26.46.119 80 {"),
    "vrrp-no-name": sub("vrrp_instance VI_1 {", "vrrp_instance {"),
    "brace-missing-end": lambda t: t.rstrip("\n").rsplit("}", 1)[0] + "\n",
    "brace-extra": sub("    }\n}\n\nvirtual_server", "    }\n}\n}\n\nvirtual_server"),
    "brace-inner-extra": sub("        auth_pass s3cret\n    }", "        auth_pass s3cret\n    }\n    }"),
    "brace-open-own-line": sub("vrrp_instance VI_1 {", "vrrp_instance VI_1\n{"),
    "brace-one-line-vip": sub("virtual_ipaddress {\n        172.26.46.119/24 dev lo label lo:0\n    }",
                              "virtual_ipaddress { 172.26.46.119/24 dev lo label lo:0 }"),
    "comment-hash": sub("weight 1\n        TCP_CHECK", "weight 1 # half of it\n        TCP_CHECK"),
    "comment-bang-line": sub("    delay_loop 6", "!   delay_loop 3\n    delay_loop 6"),
    "quote-unterminated": sub("router_id rh1", 'router_id "rh1'),
    "quoted-pass": sub("auth_pass s3cret", 'auth_pass "s3 cret"'),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "tabs": lambda t: t.replace("    ", "\t"),
    "unexpected-brace": sub("    delay_loop 6", "    {\n    delay_loop 6"),
}

def _included(kind: str) -> dict:
    head, vs = BASE.split("virtual_server 172.26.46.119 80 {", 1)
    vs = "virtual_server 172.26.46.119 80 {" + vs
    if kind == "missing":
        return {"keepalived.conf": BASE + "include /nonexistent/keepalived/*.conf\n"}
    inner = MUTATIONS["vs-typo"](vs) if kind == "vs-typo" else vs
    return {"keepalived.conf": head + "include conf.d/*.conf\n", "conf.d/web.conf": inner}


def cases() -> list[tuple[str, dict]]:
    """Every case: the base, each mutation, each include, and pairs of mutations."""
    out = [("base", {"keepalived.conf": BASE})]
    out += [(name, {"keepalived.conf": edit(BASE)}) for name, edit in MUTATIONS.items()]
    out += [("include-glob", _included("vs")), ("include-missing", _included("missing")),
            ("include-typo-inside", _included("vs-typo"))]
    names = [n for n in MUTATIONS if not n.startswith(("brace", "crlf", "tabs"))]
    for a, b in itertools.islice(itertools.combinations(names, 2), 0, None, 61):
        try:
            text = MUTATIONS[b](MUTATIONS[a](BASE))
        except AssertionError:
            continue                       # the first mutation took away what the second edits
        out.append((f"{a}+{b}", {"keepalived.conf": text}))
    return out
