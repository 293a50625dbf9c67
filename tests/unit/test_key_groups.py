"""The main screen's keys live in their groups (widgets that own their bindings), the main view
and the app: every key of keys.ACTIONS bound exactly once, to an action its owner carries out."""

from __future__ import annotations

from lvstui.ui.app import LvsApp
from lvstui.ui.history import PastKeys
from lvstui.ui.keys import ACTIONS, bindings
from lvstui.ui.main import MainScreen
from lvstui.ui.pair_keys import PairKeys
from lvstui.ui.table_keys import TableKeys

OWNERS = (TableKeys, PairKeys, PastKeys, MainScreen, LvsApp)


def bound(owners) -> list[tuple[str, str, type]]:
    """(key, action, owner) of every binding of keys.ACTIONS the owners declare."""
    ours = {(key, action) for key, action, _l, _t in ACTIONS}
    return [(b.key, b.action, owner) for owner in owners for b in owner.BINDINGS
            if (getattr(b, "key", None), getattr(b, "action", None)) in ours]


def unbound(owners) -> set[tuple[str, str]]:
    return {(key, action) for key, action, _l, _t in ACTIONS} - {
        (key, action) for key, action, _ in bound(owners)}


def test_every_key_is_bound_once_to_an_action_its_owner_has():
    found = bound(OWNERS)
    assert not unbound(OWNERS)
    assert len(found) == len({key for key, _, _ in found}) == len(ACTIONS)
    for key, action, owner in found:
        assert hasattr(owner, "action_" + action.split("(")[0]), (key, action, owner)


def test_the_check_sees_a_group_left_out():
    """The control: without PastKeys, H, g and [ are bound nowhere."""
    assert {a for _, a in unbound(OWNERS[:2] + OWNERS[3:])} == {"timeline", "plot", "as_of"}


def test_a_groups_bindings_follow_the_actions_order():
    assert [b.key for b in bindings("weight")] == ["plus", "minus", "greater_than_sign",
                                                   "less_than_sign"]
