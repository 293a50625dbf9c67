"""keepalived's tests: the ``pair`` of real keepalived directors (tests/keepalived/pair.py)."""

from __future__ import annotations

import os
import shutil

import pytest

from .pair import CONFIG, Pair


@pytest.fixture
def keepalived_pair(tmp_path):
    """``keepalived_pair(config=CONFIG)``: two keepalived directors up (torn down after)."""
    assert shutil.which("keepalived"), "keepalived is installed by scripts/install.sh --test"
    assert os.geteuid() == 0, "two keepalived directors in network namespaces: root"
    made = []

    def make(config: str = CONFIG) -> Pair:
        bed = Pair(str(tmp_path), config)
        made.append(bed)
        bed.up()
        return bed
    try:
        yield make
    finally:
        for bed in made:
            bed.down()


@pytest.fixture
def pair(keepalived_pair):
    return keepalived_pair()
