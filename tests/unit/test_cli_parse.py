"""The command line parsed by a parser that builds only the subcommands it names says exactly
what the whole parser says: the same values, the same runner, the same refusals."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings, strategies as st

from lvstui import cli

LINES = [
    "", "--demo", "--demo list", "list -n", "list --stats --exact -t 10.0.0.1:80",
    "--audit-log /tmp/a.log --demo list", "--health-state /tmp/h.json exporter --listen :9",
    "daemon start master --mcast-interface lo --syncid 3", "set 900 0 300",
    "history --db x.db --at @100", "drift --keepalived", "drift --peer list",
    "check-config --keepalived /etc/keepalived/keepalived.conf", "ha status --ha keepalived",
    "monitor --once --config h.toml", "exporter --per-server off", "zero", "flush",
    "vip add 10.0.0.1/24 eth0", "net show", "save --peer director2", "record --interval 0.5",
    "lst", "list --bogus", "list list", "--theme save list", "restore --test",
]


def parsed(parser, words: list[str]):
    """(values, runner) or the exit code argparse refused with (its output swallowed)."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = parser.parse_args(words)
        except SystemExit as exc:
            return ("refused", exc.code)
    values = vars(args)
    values["run"] = runner(values["run"])
    return values


def runner(run) -> tuple:
    """A runner by what it is (a wrapper built per parse is a new object each time)."""
    cells = tuple(getattr(c.cell_contents, "__qualname__", repr(c.cell_contents))
                  for c in run.__closure__ or ())
    return run.__qualname__, cells


def whole_and_named(words: list[str]):
    return parsed(cli._parser(), words), parsed(cli._parser(words), words)


@pytest.mark.parametrize("line", LINES)
def test_a_named_only_parse_is_the_whole_parsers(line):
    whole, named = whole_and_named(line.split())
    assert named == whole


WORDS = st.sampled_from(["list", "save", "drift", "ha", "status", "-n", "--demo", "--stats",
                         "-t", "10.0.0.1:80", "--peer", "x", "--db", "history", "--at", "@1",
                         "exporter", "--listen", ":9", "set", "1", "0", "daemon", "start",
                         "master", "--keepalived", "check-config", "--ha", "keepalived"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=6))
def test_any_command_line_parses_alike(words):
    whole, named = whole_and_named(words)
    assert named == whole


def test_main_takes_the_whole_parser_when_no_command_is_named():
    """A mistyped command is refused with the list of commands (the whole parser's words)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        cli._parse(["lst"])
    assert "invalid choice: 'lst' (choose from 'save'" in err.getvalue()
    assert cli._parser(["list"]).built_commands.names == ["list"]       # control: only one
