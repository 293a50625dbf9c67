"""ldirectord.cf cases for the referee test (test_ldirectord_referee.py): the sample file of
tests/health/test_config.py up to its second virtual section, and mutations of it, one line
changed or added each."""

from __future__ import annotations

from .test_config import LDIRECTORD

BASE = LDIRECTORD.split("\nvirtual=5")[0]       # its first virtual section: mutations land in it
GLOBAL = [  # replaces the global line of the same key, or is added before the first virtual
    "checktimeout=fast", "checktimeout=0", "checktimeout=-1", "checktimeout=2.5",
    "checkinterval=0", "checkinterval=x", "negotiatetimeout=5", "negotiatetimeout=abc",
    "failurecount=3", "failurecount=0", "failurecount=many", "quiescent=no", "quiescent=maybe",
    "quiescent=Yes", "autoreload=no", "autoreload=sometimes", "logfile=\"local0\"",
    "logfile=/var/log/ld.log", "emailalert=\"root@localhost\"", "emailalertfreq=60",
    "emailalertstatus=all", "emailalertstatus=bogus", "fork=yes", "fork=perhaps",
    "supervised=yes", "readdquiescent=yes", "readdquiescent=x", "cleanstop=no",
    "callback=\"/bin/true\"", "maintenancedir=/tmp", "smtp=127.0.0.1", "bogus=1",
    "checkport=80", "checktype=connect", "nonsense", "# a comment", "",
]
VIRTUAL = [  # replaces the virtual section's line of the same key, or is added to it
    "real=192.168.6.300:80 gate", "real=192.168.6.4:80 bridge", "real=192.168.6.4:80 gate 0",
    "real=192.168.6.4:80 gate -1", "real=192.168.6.4:80 gate x", "real=192.168.6.4 gate",
    "real=192.168.6.4:80", "real=192.168.6.4:99999 gate", "real=192.168.6.4:80 masq 2 \"a.html\" \"OK\"",
    "real=192.168.6.4->192.168.6.6:80 gate", "real=server.example:80 gate",
    "fallback=127.0.0.1:80", "fallback=127.0.0.1:80 gate", "fallback=nowhere masq",
    "service=https", "service=ftp", "service=none", "service=gopher", "service=HTTP",
    "checktype=connect", "checktype=external", "checktype=on", "checktype=off",
    "checktype=ping", "checktype=3", "checktype=sometimes", "checktype=Negotiate",
    "checkport=8080", "checkport=0", "checkport=70000", "checkport=x",
    "scheduler=wlc", "scheduler=nosuch", "protocol=udp", "protocol=icmp", "protocol=fwm",
    "persistent=600", "persistent=x", "netmask=255.255.255.0", "netmask=bogus",
    "request=\"/health\"", "request=\"http://x/y\"", "receive=\"(unclosed\"",
    "virtualhost=www.example.com", "httpmethod=HEAD", "httpmethod=POST",
    "checkinterval=5", "checktimeout=x", "negotiatetimeout=2", "failurecount=2",
    "quiescent=no", "quiescent=maybe", "checkcommand=\"/bin/true\"", "login=\"x\"",
    "colour=blue", "emailalert=\"root\"", "monitorfile=/tmp/x",
]
VIRTUAL_LINES = [
    "virtual=192.168.6.240:99999", "virtual=192.168.6.300:80", "virtual=5", "virtual=0",
    "virtual=x", "virtual=[2001:db8::1]:80", "virtual=192.168.6.240",
]


def cases() -> list[tuple[str, str]]:
    out = [("reference", BASE)]
    lines = BASE.splitlines(keepends=True)
    first_virtual = next(i for i, l in enumerate(lines) if l.startswith("virtual="))
    for line in GLOBAL:
        key = line.split("=")[0]
        at = next((i for i, l in enumerate(lines[:first_virtual]) if l.startswith(key + "=")),
                  None)
        new = list(lines)
        if at is None or "=" not in line:
            new.insert(first_virtual, line + "\n")
        else:
            new[at] = line + "\n"
        out.append((f"global {line!r}", "".join(new)))
    for line in VIRTUAL:
        key = line.split("=")[0]
        at = next((i for i, l in enumerate(lines) if i > first_virtual
                   and l.strip().startswith(key + "=") and key != "real"), None)
        new = list(lines)
        if at is None:
            new.append("\t" + line + "\n")
        else:
            new[at] = "\t" + line + "\n"
        out.append((f"virtual {line!r}", "".join(new)))
    for line in VIRTUAL_LINES:
        out.append((line, BASE.replace("virtual=192.168.6.240:80", line)))
    return out
