"""The status line at any width: its parts in priority order, whole, an ellipsis for the rest."""

from __future__ import annotations

from hypothesis import given, strategies as st

from lvstui.ui.format import fit

PARTS = ["read 0 s ago", "pair: director2 reachable", "active director (holds the VIP)",
         "1 service", "IPVS 1.2.1 (size=4096)", "checked by this console"]


def test_what_fits_is_whole_and_the_rest_is_an_ellipsis():
    assert fit(PARTS, 200) == " · ".join(PARTS)
    narrow = fit(PARTS, 80)
    assert len(narrow) <= 80 and narrow.endswith(" · …")
    assert narrow == " · ".join(PARTS[:3]) + " · …"             # never a part cut
    assert fit(PARTS, 5) == "read 0 s ago"                        # the first, whatever


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8),
       st.integers(0, 200))
def test_any_parts_at_any_width(parts, width):
    text = fit(parts, width)
    pieces = text.split(" · ")
    assert text.startswith(parts[0])
    if text != parts[0]:
        from rich.cells import cell_len
        assert cell_len(text) <= width
    shown = pieces[:-1] if pieces[-1] == "…" and parts[-1] != "…" else pieces
    assert " · ".join(shown) == " · ".join(parts)[:len(" · ".join(shown))]
