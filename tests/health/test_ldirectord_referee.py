"""check-config --ldirectord against ldirectord itself: ``ldirectord FILE status`` reads the
whole file before it looks for a running daemon (exit 2 and "Error ... reading file ... at line
N" when it refuses the file); lvstui reports an error exactly then, on every case of
ldirectord_corpus.py."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .ldirectord_corpus import cases


@pytest.fixture(scope="module")
def ldirectord():
    path = shutil.which("ldirectord")
    assert path, "ldirectord is installed by scripts/install.sh --test"
    return path


def verdicts(ldirectord, path) -> tuple[bool, bool, str]:
    theirs = subprocess.run([ldirectord, str(path), "status"], capture_output=True, text=True)
    ours = subprocess.run([sys.executable, "-m", "lvstui.cli", "check-config", "--ldirectord",
                           str(path)], capture_output=True, text=True)
    assert theirs.returncode in (2, 3), theirs          # 3: read, "stopped"; 2: refused
    return theirs.returncode == 3, ours.returncode == 0, theirs.stderr + ours.stderr


def test_check_config_errors_exactly_when_ldirectord_refuses(ldirectord, tmp_path):
    path, disagreements, refused = tmp_path / "ldirectord.cf", [], 0
    for name, text in cases():
        path.write_text(text)
        theirs, ours, said = verdicts(ldirectord, path)
        refused += not theirs
        if theirs != ours:
            disagreements.append((name, theirs, ours, said))
    print(f"{len(cases())} cases, ldirectord refused {refused}")
    assert disagreements == []
    assert 20 < refused < len(cases()) - 20              # both verdicts, in numbers
