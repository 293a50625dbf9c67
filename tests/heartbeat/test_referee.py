"""check-config against heartbeat 3.0.6 itself: every case of corpus.json (the reference
cluster's files and mutations of them, made by make_corpus.py) is started with the real
heartbeat and checked by ``lvstui check-config`` in the same namespaces; lvstui reports an
error exactly when heartbeat refuses to start."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from .make_corpus import cases
from .referee import Referee

pytestmark = pytest.mark.heartbeat
CORPUS = os.path.join(os.path.dirname(__file__), "corpus.json")


@pytest.fixture(scope="module")
def referee(tmp_path_factory):
    assert os.geteuid() == 0, "the heartbeat tier needs root"
    assert shutil.which("cl_status"), "heartbeat is installed by scripts/install.sh --test"
    ref = Referee(str(tmp_path_factory.mktemp("hbref")))
    ref.up()
    yield ref
    ref.down()


def test_the_corpus_file_is_what_make_corpus_writes():
    with open(CORPUS) as fh:
        assert json.load(fh) == cases()


def test_check_config_errors_exactly_when_heartbeat_refuses(referee):
    with open(CORPUS) as fh:
        corpus = json.load(fh)
    disagreements, refused = [], 0
    for case in corpus:
        hb, ours = referee.heartbeat(case), referee.check_config(case)
        refused += hb.returncode != 0
        if (hb.returncode == 0) != (ours.returncode == 0):
            said = [l for l in hb.stderr.splitlines() if "ERROR" in l][:3]
            disagreements.append((case["name"], hb.returncode, ours.returncode, said,
                                  ours.stderr.strip()))
    print(f"{len(corpus)} cases, heartbeat refused {refused}, "
          f"{len(corpus) - len(disagreements)} agree")
    assert disagreements == []
    # the control: the corpus has both verdicts in numbers, so agreement is not one-sided
    assert 30 < refused < len(corpus) - 30


def test_the_referee_can_disagree(referee):
    """The control of the comparison itself: a rule lvstui does not know is a disagreement."""
    case = json.load(open(CORPUS))[0]
    hb = referee.heartbeat({**case, "ha.cf": case["ha.cf"] + "keepalvie 2\n"})
    ours = referee.check_config({**case, "ha.cf": case["ha.cf"] + "# keepalvie 2\n"})
    assert hb.returncode != 0 and "Illegal directive [keepalvie]" in hb.stderr
    assert ours.returncode == 0
