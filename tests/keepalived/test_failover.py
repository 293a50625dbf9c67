"""Manual failover under keepalived: ``lvstui ha standby|takeover`` move this director's VRRP
priority through lvstui's track_file (keepalived reads it on inotify), never stopping
keepalived; followed until the VIP moved, put back as it was where it did not; refused, with
the lines to add, where keepalived.conf has no such track_file."""

from __future__ import annotations

import os

from tests.pace import patience, until

from .pair import CONFIG
from .test_vrrp_state import role

VIP = "192.168.77.100"
TRACKED = """track_file lvstui_priority {{
    file "{dir}/priority"
    weight 1
    init_file 0
}}
""" + CONFIG.replace("    advert_int 1\n", "    advert_int 1\n    track_file {{\n"
                                          "        lvstui_priority\n    }}\n")


def file_value(pair, n: int) -> str:
    with open(os.path.join(pair.dir(n), "priority")) as fh:
        return fh.read().strip()


def settled(pair, master: int) -> None:
    until(lambda: role(pair, master) == "MASTER" and role(pair, 3 - master) == "BACKUP", 15,
          f"d{master} MASTER and d{3 - master} BACKUP")


def test_standby_and_takeover_move_the_vip_through_the_priority(keepalived_pair):
    pair = keepalived_pair(TRACKED)
    settled(pair, 1)
    timeout = str(patience(20))
    standby = pair.ha(1, "standby", "--wait", VIP, "--timeout", timeout)
    assert standby.returncode == 0, standby.stdout + standby.stderr
    assert f"the VIP {VIP} moved to the peer" in standby.stdout
    assert file_value(pair, 1) == "-253"
    settled(pair, 2)
    shown = pair.status(1).stdout
    assert "priority 1 (base 150)" in shown and "lvstui_priority" in shown and ": -253" in shown
    takeover = pair.ha(1, "takeover", "--wait", VIP, "--timeout", timeout)   # 150 > 100: 0
    assert takeover.returncode == 0, takeover.stdout + takeover.stderr
    assert file_value(pair, 1) == "0"
    settled(pair, 1)
    raised = pair.ha(2, "takeover", "--wait", VIP, "--timeout", timeout)    # 100 + 51 > 150
    assert raised.returncode == 0, raised.stdout + raised.stderr
    assert file_value(pair, 2) == "51"
    settled(pair, 2)
    audit = open(os.path.join(pair.root, "a.log")).read()
    assert "keepalived standby" in audit and "keepalived takeover" in audit


def test_a_takeover_the_peer_does_not_yield_to_is_put_back(keepalived_pair):
    """d1's takeover while d2 still outranks it (d2 at 254 is out of reach): refused before any
    write; a standby whose VIP has nowhere to go (d2 stopped) is put back as it was."""
    pair = keepalived_pair(TRACKED)
    settled(pair, 1)
    pair.ha(2, "takeover", "--wait", VIP, "--timeout", str(patience(20)))
    settled(pair, 2)
    with open(os.path.join(pair.dir(2), "priority"), "w") as fh:
        fh.write("253\n")                              # d2 at 254: nothing outranks it
    until(lambda: "master's priority 254" in pair.status(1).stdout, 10, "d1 hearing d2 at 254")
    refused = pair.ha(1, "takeover", "--wait", VIP, "--timeout", "5")
    assert refused.returncode == 1
    assert "runs at priority 254" in refused.stdout + refused.stderr
    assert file_value(pair, 1) == "0"
    pair.stop(1)
    pair.start(1)
    settled(pair, 2)
    pair.stop(1)                                       # d1 gone: d2's standby has no taker
    lonely = pair.ha(2, "standby", "--wait", VIP, "--timeout", "5")
    assert lonely.returncode == 1
    assert "has not moved to the peer" in lonely.stdout + lonely.stderr
    assert "back as it was (track_file lvstui_priority 253)" in lonely.stdout + lonely.stderr
    assert file_value(pair, 2) == "253"


def test_without_lvstuis_track_file_it_says_what_to_add_and_moves_nothing(pair):
    settled(pair, 1)
    refused = pair.ha(1, "standby", "--wait", VIP, "--timeout", "5")
    assert refused.returncode == 1
    said = refused.stdout + refused.stderr
    assert "declares no track_file lvstui_priority" in said and "weight 1" in said
    assert role(pair, 1) == "MASTER"
    assert "no standby/takeover from lvstui" in pair.status(1).stdout
