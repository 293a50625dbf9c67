"""lvstui's track_file in keepalived.conf: found where every VRRP instance tracks it with
weight 1, refused in one line saying what is missing; the number a takeover writes."""

from __future__ import annotations

import pytest

from lvstui.keepalived.conf import read
from lvstui.keepalived.priority import parse_value, priority_path, takeover_value
from lvstui.keepalived.state import VrrpInstance

DECLARED = """track_file lvstui_priority {
    file "/run/lvstui/prio"
    init_file 0
}
"""
INSTANCE = """vrrp_instance VI_%d {
    interface eth0
    virtual_router_id 5%d
    priority %s
    track_file {
        %s
    }
}
"""


def config(declared=DECLARED, tracks=("lvstui_priority", "lvstui_priority"), priority="150"):
    text = declared + "".join(INSTANCE % (i, i, priority, t) for i, t in enumerate(tracks))
    return read("/etc/keepalived/keepalived.conf", text)


def test_found_where_every_instance_tracks_it():
    assert priority_path(config()) == "/run/lvstui/prio"
    assert priority_path(config(tracks=("lvstui_priority weight 1", "other\nlvstui_priority"))) \
        == "/run/lvstui/prio"


@pytest.mark.parametrize("made, said", [
    (dict(declared=""), "declares no track_file lvstui_priority"),
    (dict(declared=DECLARED.replace("init_file 0", "weight -10")), "has weight -10"),
    (dict(declared=DECLARED.replace('file "/run/lvstui/prio"', "")), "names no file"),
    (dict(tracks=("lvstui_priority", "other")), "vrrp_instance VI_1 does not track"),
    (dict(tracks=("lvstui_priority weight 2",)), "tracks lvstui_priority with weight 2"),
    (dict(priority="255"), "is its VIPs' owner (priority 255)"),
    (dict(tracks=()), "has no vrrp_instance"),
])
def test_refused_saying_what_is_missing(made, said):
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        priority_path(config(**made))


def vrrp(state, base, master, nopreempt=False):
    return VrrpInstance("VI_1", state, 51, "eth0", base, base, (), 0.0, master, nopreempt)


def test_takeover_one_above_the_master_it_hears():
    assert takeover_value((vrrp("BACKUP", 100, 150),)) == 51
    assert takeover_value((vrrp("BACKUP", 150, 100),)) == 0         # its own priority does
    assert takeover_value((vrrp("BACKUP", 100, 150), vrrp("BACKUP", 90, 120))) == 51
    assert takeover_value((vrrp("MASTER", 100, 0),)) == 0


@pytest.mark.parametrize("instances, said", [
    ((vrrp("BACKUP", 100, 254),), "runs at priority 254"),
    ((vrrp("BACKUP", 100, 150, nopreempt=True),), "is nopreempt"),
    ((), "runs no VRRP instance"),
])
def test_takeover_refused(instances, said):
    with pytest.raises(ValueError, match=said):
        takeover_value(instances)


@pytest.mark.parametrize("text, value", [("-253\n", -253), (" 51", 51), ("", 0), ("x", 0),
                                         ("+7 trailing", 7)])
def test_the_files_number(text, value):
    assert parse_value(text) == value
