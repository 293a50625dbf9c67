"""keepalived.conf's virtual servers as the table they ask for, and ``drift --keepalived``: the
ipvsadm commands that make this director's table what the file asks for (what a restart of
keepalived sets back: tests/kernel/test_keepalived_reload.py holds it to keepalived itself),
services the file does not name left alone."""

from __future__ import annotations

from lvstui.commands.keepalived import drift_keepalived
from lvstui.demo import reference_cluster
from lvstui.ipvs.rules import save
from lvstui.keepalived.conf import read
from lvstui.keepalived.services import configured_services
from lvstui.model import RealServer, parse_service
from lvstui.session import Session

from .corpus import BASE

WEB = parse_service("172.26.46.119:80")


def write(tmp_path, text: str) -> str:
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    return str(path)


def test_the_reference_cluster_run_by_keepalived_is_the_reference_table(tmp_path):
    services, skipped = configured_services(read(write(tmp_path, BASE)))
    assert skipped == []
    table = reference_cluster()
    want = save(services)
    assert want.splitlines()[0] == "-A -t 172.26.46.119:80 -s wlc -p 300"
    assert want.splitlines()[1:] == save(table.services()).splitlines()[1:]


def test_drift_says_what_a_restart_sets_back(tmp_path, capsys):
    path = write(tmp_path, BASE.replace("persistence_timeout 300\n", ""))
    table = reference_cluster()
    session = Session(table)
    assert drift_keepalived(path, session) == 0 and capsys.readouterr().out == ""
    table.set_weight(WEB, "172.26.46.80", 80, 5)                  # an operator's live weight
    table.delete_server(WEB, table.find_server(WEB, "172.26.46.81", 80))
    table.add_server(WEB, RealServer("172.26.46.82", 80, weight=3))   # not in the file
    before = save(table.services())
    assert drift_keepalived(path, session) == 1
    assert sorted(capsys.readouterr().out.splitlines()) == [
        "ipvsadm -a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1",
        "ipvsadm -d -t 172.26.46.119:80 -r 172.26.46.82:80",     # keepalived re-adds its own
        "ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1"]
    assert save(table.services()) == before                        # it changed nothing


def test_a_service_only_the_file_has_is_added_and_one_it_lacks_is_left(tmp_path, capsys):
    extra = BASE + BASE[BASE.index("virtual_server"):].replace("172.26.46.119 80",
                                                              "172.26.46.119 443")
    table = reference_cluster()
    table.add_service(parse_service("10.9.9.9:25"))                 # not keepalived's
    assert drift_keepalived(write(tmp_path, extra.replace("persistence_timeout 300\n", "")),
                            Session(table)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ipvsadm -A -t 172.26.46.119:443 -s wlc"
    assert "ipvsadm -a -t 172.26.46.119:443 -r 172.26.46.80:443 -g -w 1" in out
    assert not any("10.9.9.9" in line for line in out)


def test_an_unreadable_file_is_exit_2(tmp_path, capsys):
    assert drift_keepalived(str(tmp_path / "missing.conf"), Session(reference_cluster())) == 2
    assert "No such file or directory" in capsys.readouterr().err
