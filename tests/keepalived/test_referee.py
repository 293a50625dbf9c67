"""check-config --keepalived against keepalived 2.2.7 itself: every case of corpus.py is tested
with ``keepalived -t`` and checked by lvstui on this host; lvstui reports an error exactly when
keepalived refuses the file."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess

import pytest

from lvstui.commands.keepalived import check_keepalived, host_facts

from .corpus import cases


NETNS = f"lvka{os.getpid()}"


@pytest.fixture(scope="module")
def facts():
    """A network namespace with the director's eth0 (a veth) and lo: keepalived -t looks
    the instance's interface up there, and lvstui reads the same namespace's."""
    assert shutil.which("keepalived"), "keepalived is installed by scripts/install.sh --test"
    assert os.geteuid() == 0, "the keepalived referee makes a network namespace: root"
    subprocess.run(["ip", "netns", "add", NETNS], check=True)
    try:
        subprocess.run(["ip", "-n", NETNS, "link", "add", "eth0", "type", "veth", "peer", "name",
                        "eth0peer"], check=True)       # this kernel may have no dummy module
        yield host_facts(NETNS)
    finally:
        subprocess.run(["ip", "netns", "del", NETNS], check=False)


def write(root, files: dict) -> str:
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="") as fh:
            fh.write(text)
    return os.path.join(root, "keepalived.conf")


def keepalived_refuses(path: str) -> tuple[bool, str]:
    done = subprocess.run(["ip", "netns", "exec", NETNS, "keepalived", "-t", "-f", path],
                          capture_output=True, text=True,
                          timeout=60, cwd=os.path.dirname(path))
    return done.returncode != 0, done.stderr + done.stdout


def lvstui_refuses(path: str, facts) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = check_keepalived(path, facts)
    return status != 0, err.getvalue() + out.getvalue()


def test_the_corpus_is_large_and_has_both_verdicts(tmp_path, facts):
    corpus = cases()
    assert len(corpus) >= 100 and len({name for name, _ in corpus}) == len(corpus)


def test_check_config_errors_exactly_when_keepalived_refuses(tmp_path, facts):
    disagreements, refused = [], 0
    for n, (name, files) in enumerate(cases()):
        path = write(str(tmp_path / f"case{n}"), files)
        theirs, said = keepalived_refuses(path)
        ours, found = lvstui_refuses(path, facts)
        refused += theirs
        if theirs != ours:
            disagreements.append(f"{name}: keepalived {'refuses' if theirs else 'accepts'}"
                                 f" ({said.strip()[:300]}); lvstui says: {found.strip()[:300]}")
    assert not disagreements, "\n".join(disagreements)
    assert 0 < refused < len(cases())                  # both verdicts were tested


def test_findings_name_the_file_and_line_even_in_an_included_file(tmp_path, facts, capsys):
    files = dict(cases())["include-typo-inside"]
    path = write(str(tmp_path), files)
    assert check_keepalived(path, facts) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}/conf.d/web.conf:2: error: Unknown keyword 'delayloop'" in err


def test_check_config_checks_keepalived_conf_where_there_is_no_ha_cf(tmp_path, facts,
                                                                      monkeypatch, capsys):
    """A keepalived director has no /etc/ha.d/ha.cf: plain check-config checks its
    keepalived.conf; with ha.cf there, heartbeat's files as before."""
    import lvstui.cli as cli
    from lvstui.commands import keepalived as command
    conf = write(str(tmp_path / "ka"), {"keepalived.conf": "global_defs {\n  routerid x\n}\n"})
    monkeypatch.setattr(cli, "KEEPALIVED_CONF", conf)
    monkeypatch.setattr(command, "host_facts", lambda netns=None: facts)
    assert cli.main(["check-config", "--ha-dir", str(tmp_path / "no-heartbeat")]) == 1
    assert f"{conf}:2: error: Unknown keyword 'routerid'" in capsys.readouterr().err
    (tmp_path / "hb").mkdir()
    (tmp_path / "hb" / "ha.cf").write_text("keepalive 2\n")
    cli.main(["check-config", "--ha-dir", str(tmp_path / "hb")])
    assert "keepalived.conf" not in capsys.readouterr().err


def test_an_http_check_without_a_url_or_a_path_is_an_error(tmp_path, facts, capsys):
    """keepalived 2.2.7's own -t crashes on these (exit 139): they are refused all the same."""
    from .corpus import BASE
    no_path = write(str(tmp_path / "a"), {"keepalived.conf": BASE.replace(
        "                path /health\n", "")})
    assert check_keepalived(no_path, facts) == 1
    assert "HTTP/SSL_GET checker url has no path - ignoring" in capsys.readouterr().err
    no_url = write(str(tmp_path / "b"), {"keepalived.conf": BASE.replace(
        "            url {\n                path /health\n                status_code 200\n"
        "            }\n", "")})
    assert check_keepalived(no_url, facts) == 1
    assert "HTTP/SSL_GET checker has no urls specified - ignoring" in capsys.readouterr().err
