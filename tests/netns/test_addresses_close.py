"""The console's read worker may be mid-read when its owner closes the network (a test's script
did: fresh-clone runs 37 and 41 hung): the read ends, never waits for ever on a closed socket."""

from __future__ import annotations

import threading

import pytest

from lvstui.system.addresses import Addresses
from tests.pace import patience

pytestmark = pytest.mark.netns


def read_until_closed(addresses: Addresses, first: threading.Event, ended: list) -> None:
    try:
        while True:
            addresses.interfaces()
            first.set()
    except Exception as exc:                 # the close: pyroute2 says EBADF
        ended.append(exc)


def test_a_close_under_a_reading_thread_ends_the_read():
    # unguarded, pyroute2 0.9 left the reader waiting in about half of such trials
    for trial in range(20):
        addresses, first, ended = Addresses(), threading.Event(), []
        reader = threading.Thread(target=read_until_closed, args=(addresses, first, ended),
                                  daemon=True)
        reader.start()
        assert first.wait(patience(5)), "the first read never came back"
        addresses.close()
        reader.join(patience(5))
        assert not reader.is_alive(), f"trial {trial}: a read outlived the close"
        assert isinstance(ended[0], OSError), ended
