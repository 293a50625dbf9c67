"""A small client of heartbeat's API socket (/run/heartbeat/register): the cluster's state.

Frames are ``struct("II")`` (length, 0xabcd) followed by a heartbeat message, classic
(``>>>\\nk=v\\n...<<<\\n``) on the way in, classic or netstring-formatted on the way back.
"""

from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
from dataclasses import dataclass, field

from . import HeartbeatError

REGISTER = "/run/heartbeat/register"
MAGIC = 0xABCD
FRAME = struct.Struct("=II")


@dataclass
class Node:
    name: str
    status: str                      # active, up, dead, ...
    kind: str = ""                   # normal, ping
    links: dict[str, str] = field(default_factory=dict)   # interface -> up / dead


@dataclass
class ClusterState:
    running: bool
    me: str = ""                     # the node this lvstui runs on
    nodes: list[Node] = field(default_factory=list)
    resources: str = ""              # this node's view: all, local, foreign, none, transition
    deadtime: str = ""
    keepalive: str = ""
    error: str = ""
    manager: str = "heartbeat"       # or "keepalived" (its VRRP instances, in *summary*)
    summary: str = ""

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)


def encode(fields: dict[str, str]) -> bytes:
    body = ">>>\n" + "".join(f"{k}={v}\n" for k, v in fields.items()) + "<<<\n"
    data = body.encode() + b"\0"
    return FRAME.pack(len(data), MAGIC) + data


NETSTRING = re.compile(rb"(\d+):\((\d+)\)")


def decode(data: bytes) -> dict[str, str]:
    """A reply in either of heartbeat's wire formats."""
    data = data.rstrip(b"\0")
    out: dict[str, str] = {}
    if data.startswith(b"###"):
        pos = data.find(b"\n") + 1
        while pos < len(data) and not data.startswith(b"%%%", pos):
            m = NETSTRING.match(data, pos)
            if not m:
                break
            length = int(m[1])
            start = pos + len(m[1]) + 1
            item = data[start:start + length]          # "(type)name=value"
            pos = start + length + 1                   # skip the trailing comma
            kind, _, rest = item.partition(b")")
            name, _, value = rest.partition(b"=")
            if kind == b"(0":
                out[name.decode(errors="replace")] = value.decode(errors="replace")
        return out
    for line in data.decode(errors="replace").splitlines():
        if "=" in line and line not in (">>>", "<<<"):
            name, _, value = line.partition("=")
            out[name] = value
    return out


class HeartbeatAPI:
    def __init__(self, path: str = REGISTER, timeout: float = 3.0):
        self.path, self.timeout = path, timeout
        self.sock: socket.socket | None = None
        self.node = ""                   # this node's name, as heartbeat knows it
        self.client_id = str(os.getpid())     # a "casual" client: authorised as anon

    def __enter__(self) -> HeartbeatAPI:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except FileNotFoundError:
            sock.close()
            raise HeartbeatError(f"heartbeat is not running here ({self.path} is missing)") \
                from None
        except PermissionError:
            sock.close()
            raise HeartbeatError(f"not permitted to talk to heartbeat ({self.path})") from None
        except OSError as exc:
            sock.close()
            raise HeartbeatError(f"heartbeat does not answer on {self.path}: {exc.strerror}") \
                from None
        self.sock = sock
        reply = self.request("signon", uid=str(os.geteuid()), gid=str(os.getegid()))
        if not _ok(reply):
            raise HeartbeatError("heartbeat refused lvstui's sign-on (see its log: apiauth)")
        self.node = reply.get("node", "")

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.sendall(encode(self._fields("signoff")))
            except OSError:
                pass
            self.sock.close()
            self.sock = None

    def _fields(self, reqtype: str, **extra: str) -> dict[str, str]:
        return {"t": "hbapi-req", "reqtype": reqtype, "pid": str(os.getpid()),
                "from_id": self.client_id, **extra}

    def _read(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(left)
            if not chunk:
                raise HeartbeatError("heartbeat closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _reply(self) -> dict[str, str]:
        while True:
            length, magic = FRAME.unpack(self._read(FRAME.size))
            if magic != MAGIC:
                raise HeartbeatError("unexpected data on the heartbeat socket")
            msg = decode(self._read(length))
            if msg.get("t") == "hbapi-resp":
                return msg

    def request(self, reqtype: str, **extra: str) -> dict[str, str]:
        try:
            self.sock.sendall(encode(self._fields(reqtype, **extra)))
            return self._reply()
        except socket.timeout:
            raise HeartbeatError(f"heartbeat did not answer '{reqtype}'") from None
        except OSError as exc:
            raise HeartbeatError(f"heartbeat socket: {exc.strerror}") from None

    def rows(self, reqtype: str, key: str, **extra: str) -> list[str]:
        """A multi-row answer: ``result=more`` rows until the last."""
        out = []
        reply = self.request(reqtype, **extra)
        while True:
            if key in reply:
                out.append(reply[key])
            if reply.get("result", "").lower() not in ("more", "ok/more"):
                break
            reply = self._reply()
        return out

    def state(self) -> ClusterState:
        nodes = []
        for name in self.rows("nodelist", "node"):
            node = Node(name, self.request("nodestatus", node=name).get("st", "?"),
                        self.request("nodetype", node=name).get("nodetype", ""))
            for iface in self.rows("iflist", "ifname", node=name):
                node.links[iface] = self.request("ifstatus", node=name,
                                                 ifname=iface).get("st", "?")
            nodes.append(node)
        return ClusterState(
            True, self.node, nodes, self.request("getrsc").get("rsc_hold", ""),
            self.request("getparm", pname="deadtime").get("pvalue", ""),
            self.request("getparm", pname="keepalive").get("pvalue", ""))


def _ok(reply: dict[str, str]) -> bool:
    return reply.get("result", "").lower() == "ok"


def read_state(path: str = REGISTER) -> ClusterState:
    """The cluster as heartbeat sees it here, from the API socket, with ``cl_status`` as the
    fallback; not running / no permission said plainly."""
    try:
        with HeartbeatAPI(path) as api:
            return api.state()
    except HeartbeatError as exc:
        return state_from_cl_status() or ClusterState(False, error=str(exc))


def state_from_cl_status() -> ClusterState | None:
    """The same picture from heartbeat's own command, or None where it cannot give one."""
    def run(*args: str) -> str | None:
        try:
            done = subprocess.run(["cl_status", *args], capture_output=True, text=True,
                                  timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    if run("hbstatus") is None:
        return None
    nodes = []
    for name in (run("listnodes") or "").split():
        node = Node(name, run("nodestatus", name) or "?", run("nodetype", name) or "")
        for iface in (run("listhblinks", name) or "").split():
            node.links[iface] = run("hblinkstatus", name, iface) or "?"
        nodes.append(node)
    return ClusterState(True, os.uname().nodename, nodes, run("rscstatus") or "",
                        run("hbparameter", "-p", "deadtime") or "",
                        run("hbparameter", "-p", "keepalive") or "")
