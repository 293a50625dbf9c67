"""Live weights keepalived keeps: a FILE_CHECK per real server on a track_file of lvstui's. The
servers found in keepalived.conf, the number written (the live weight less keepalived.conf's),
a kept change made without asking (the others still ask), undo written back, and the drift of a
restart counting the kept weight. keepalived 2.2.7 itself keeps them: tests/kernel."""

from __future__ import annotations

import os

import pytest

from lvstui.cases.managers import KeepalivedCluster
from lvstui.ipvs.memory import MemoryBackend
from lvstui.keepalived.conf import read
from lvstui.keepalived.weights import Kept, kept, name_of, snippet
from lvstui.model import RealServer, parse_service
from lvstui.session import Session

WEB = parse_service("10.9.9.9:80")
RS1, RS2 = ("10.9.9.1", 80), ("10.9.9.2", 80)
NAME = name_of("TCP 10.9.9.9:80", "10.9.9.1:80")
CONF = """\
track_file {name} {{
    file "{path}"
    weight 1
    init_file 0
}}
track_file other {{
    file "/tmp/other"
}}
virtual_server 10.9.9.9 80 {{
  lb_algo wlc
  lb_kind DR
  protocol TCP
  real_server 10.9.9.1 80 {{
    weight 3
    FILE_CHECK {{
      track_file {name}
    }}
  }}
  real_server 10.9.9.2 80 {{
    weight 4
    FILE_CHECK {{
      track_file other
    }}
  }}
}}
"""


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "keepalived.conf"
    path.write_text(CONF.format(name=NAME, path=tmp_path / "w" / NAME))
    return str(path)


class Silent:
    """A keepalived that is not asked anything here."""

    def pid(self):
        return None


def session(conf: str) -> Session:
    table = MemoryBackend()
    svc = parse_service("10.9.9.9:80")
    table.add_service(svc)
    for address, weight in (("10.9.9.1", 3), ("10.9.9.2", 4)):
        table.add_server(svc, RealServer(address, 80, weight=weight))
    return Session(table, heartbeat=KeepalivedCluster(Silent(), "d1", conf))


def weight(s: Session, address: str) -> int:
    return s.backend.find_service(WEB).server(address, 80).weight


def test_the_servers_keepalived_keeps_are_those_on_lvstuis_track_files(conf, tmp_path):
    assert NAME == "lvstui_w_tcp_10.9.9.9_80_10.9.9.1_80"
    assert kept(read(conf)) == {(WEB.key, RS1): Kept(str(tmp_path / "w" / NAME), 3)}
    assert f'file "/var/lib/lvstui/keepalived/{NAME}"' in snippet("TCP 10.9.9.9:80",
                                                                   "10.9.9.1:80")


def test_the_file_holds_the_live_weight_less_keepalived_confs(tmp_path):
    keeper = Kept(str(tmp_path / "d" / "f"), 3)
    assert keeper.weight() == 3                              # no file: keepalived reads 0
    keeper.write(7)
    assert (tmp_path / "d" / "f").read_text() == "4\n" and keeper.weight() == 7
    keeper.write(0)
    assert keeper.delta() == -3
    with pytest.raises(ValueError, match="within 253"):
        keeper.write(3 + 254)
    assert keeper.delta() == -3                              # refused: the file as it was


def test_a_kept_weight_is_made_without_asking_and_written_undo_too(conf, tmp_path):
    s = session(conf)
    svc = s.backend.find_service(WEB)
    result = s.table.set_weight(svc, svc.server(*RS1), lambda w: w + 4)
    assert not result.ask and result.ok and result.warning is None
    assert weight(s, "10.9.9.1") == 7
    assert (tmp_path / "w" / NAME).read_text() == "4\n"
    s.journal.undo()
    assert weight(s, "10.9.9.1") == 3 and (tmp_path / "w" / NAME).read_text() == "0\n"
    # control: a server keepalived does not keep (its FILE_CHECK is not lvstui's) asks first
    asked = s.table.set_weight(svc, svc.server(*RS2), lambda w: w + 1)
    assert asked.ask.startswith("keepalived sets the real servers of TCP 10.9.9.9:80")
    assert weight(s, "10.9.9.2") == 4


def test_a_weight_keepalived_cannot_keep_is_made_and_said(conf, tmp_path):
    s = session(conf)
    svc = s.backend.find_service(WEB)
    result = s.table.set_weight(svc, svc.server(*RS1), lambda w: 300)
    assert result.ok and weight(s, "10.9.9.1") == 300
    assert result.warning.startswith("10.9.9.1:80: weight 300 set live but not kept by "
                                     "keepalived")
    assert not os.path.exists(tmp_path / "w" / NAME)


def test_the_drift_of_a_restart_counts_the_kept_weight(conf, tmp_path, capsys):
    from lvstui.commands.keepalived import drift_keepalived
    s = session(conf)
    Kept(str(tmp_path / "w" / NAME), 3).write(7)
    s.backend.set_weight(WEB, "10.9.9.1", 80, 7)
    s.backend.set_weight(WEB, "10.9.9.2", 80, 9)
    assert drift_keepalived(conf, s) == 1
    assert capsys.readouterr().out == "ipvsadm -e -t 10.9.9.9:80 -r 10.9.9.2:80 -g -w 4\n"
