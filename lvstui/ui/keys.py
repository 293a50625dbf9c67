"""The console's keys: each key, its action, its footer label and its help text — also the
command palette's entries. Each key group (a widget of the main screen, or the screen itself)
binds its own with ``bindings``."""

from textual.binding import Binding

KEY_NAMES = {"plus": "+", "minus": "-", "greater_than_sign": ">", "less_than_sign": "<",
             "slash": "/", "question_mark": "?", "delete": "Del", "escape": "Esc",
             "enter": "Enter", "space": "Space", "pageup": "PgUp", "pagedown": "PgDn",
             "ctrl+r": "Ctrl+R", "left_square_bracket": "[", "right_square_bracket": "]",
             "left_curly_bracket": "{", "right_curly_bracket": "}"}
"""How a key is written for the operator."""

ACTIONS = [  # (key, action, footer label, help text) — also the command palette's entries
    ("plus", "weight(1)", "+1", "weight of the selected real server +1"),
    ("minus", "weight(-1)", "-1", "weight of the selected real server -1"),
    ("greater_than_sign", "weight(10)", "+10", "weight +10 (shift+.)"),
    ("less_than_sign", "weight(-10)", "-10", "weight -10 (shift+,)"),
    ("w", "set_weight", "Weight", "set the weight of the selected real server"),
    ("d", "drain", "Drain", "drain: weight 0, the old weight remembered"),
    ("D", "restore", "Restore", "restore a drained real server's weight"),
    ("a", "add", "Add", "add a service (services pane) or a real server (servers pane)"),
    ("e", "edit", "Edit", "edit the selected service or real server"),
    ("delete", "delete", "Delete", "delete the selected service or real server (asks first)"),
    ("u", "undo", "Undo", "undo the last change (again: the one before, and so on)"),
    ("U", "redo", "Redo", "redo the change undone last"),
    ("C", "confirm", "Confirm", "keep the changes waiting for confirmation (--confirm-within)"),
    ("z", "zero", "Zero", "zero the counters of the selected service"),
    ("F", "flush", "Flush", "delete every virtual service (asks for their count, typed)"),
    ("s", "save", "Save", "save the table as an ipvsadm rules file"),
    ("l", "load", "Load", "load a rules file: preview the difference, then apply it"),
    ("slash", "filter", "Filter", "filter services and real servers by text"),
    ("escape", "close_filter", "Unfilter", "close the filter: every service shown again"),
    ("c", "connections", "Conns", "the connection table (ipvsadm -Lc)"),
    ("n", "network", "Network", "VIPs on this host and the DR sysctl profiles"),
    ("T", "toggle_dry_run", "Dry-run", "dry-run: show changes as ipvsadm commands, apply nothing"),
    ("p", "heartbeat_screen", "Peers", "heartbeat: state, ha.cf/haresources/authkeys, edits"),
    ("h", "failover('standby')", "Standby", "standby (heartbeat, keepalived): hand the VIP to the peer (asks)"),
    ("t", "failover('takeover')", "Takeover", "takeover (heartbeat, keepalived): take the VIP (asks)"),
    ("b", "toggle_both", "Both/here", "pair: changes go to both directors, or this one only"),
    ("ctrl+r", "retry_peer", "Retry peer", "pair: make on the peer the last change it missed"),
    ("P", "pair_screen", "Pair", "pair: both directors side by side, make either equal"),
    ("H", "timeline", "History", "the recorded changes and events, newest first"),
    ("g", "plot", "Plot", "the selected service's or real server's history as a plot"),
    ("left_square_bracket", "as_of", "As of", "the table as of a minute ago, read-only ([ ] step)"),
    ("i", "health_detail", "Health", "the selected real server's health checks in detail"),
    ("r", "refresh", "Refresh", "read the table now"),
    ("question_mark", "help", "Help", "the keys live on this screen"),
]

SHOWN = ("plus", "minus", "d", "a", "e", "u", "slash", "c", "n", "question_mark")
"""The keys the footer shows on the main screen (``?`` lists every live one)."""

HELP_TEXTS = {action: text for _k, action, _l, text in ACTIONS}


def bindings(*names: str) -> list[Binding]:
    """The bindings of the actions called *names* (``weight`` binds every ``weight(N)``), in
    ACTIONS' order: a key group's ``BINDINGS``."""
    return [Binding(key, action, label, show=key in SHOWN) for key, action, label, _ in ACTIONS
            if action.split("(")[0] in names]
