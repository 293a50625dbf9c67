"""A request the kernel never answers (netlink sends no reply when a handler returns EINTR, as
a sync daemon's stop does when it comes before the daemon's thread first ran): lvstui says so
within seconds instead of waiting for ever, and a stop that did stop the daemon succeeds."""

from __future__ import annotations

import pytest

from lvstui.ipvs.netlink import NetlinkBackend
from lvstui.ipvs.nlsocket import GenlSocket, NoAnswer
from lvstui.model import SyncDaemon


class SilentKernel:
    """A netlink socket whose every request goes unanswered."""

    def __init__(self):
        self.sent = []

    def send(self, data):
        self.sent.append(data)
        return len(data)

    def recv_into(self, buf):
        raise TimeoutError("timed out")


def silent_table(running: list[SyncDaemon]) -> NetlinkBackend:
    table = NetlinkBackend(link=GenlSocket(SilentKernel(), family=30))
    table.daemons = lambda: running
    return table


def test_a_stop_left_unanswered_succeeds_when_the_daemon_is_gone():
    table = silent_table(running=[])
    table.stop_daemon("master")
    assert len(table.link.sock.sent) == 1


def test_a_stop_left_unanswered_with_the_daemon_still_there_is_said():
    table = silent_table(running=[SyncDaemon("master", "lo")])
    with pytest.raises(NoAnswer, match=r"no answer within 5 s: the change may or may not"):
        table.stop_daemon("master")


def test_any_other_unanswered_request_is_said_not_waited_for():
    table = silent_table(running=[])
    with pytest.raises(NoAnswer):
        table.flush()
    with pytest.raises(NoAnswer, match=r"^the kernel gave no answer within 5 s$"):
        table.services()                                     # a read changes nothing

