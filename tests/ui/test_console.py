"""The console on the simulated cluster, driven by Pilot."""

from __future__ import annotations

from textual import events
from textual.widgets import RichLog

from lvstui.demo import Traffic, reference_cluster
from lvstui.ipvs.backend import IPVSError
from lvstui.model import RealServer, parse_service
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.widgets.rowtable import RowTable

from .apps import cells
from .wait import first_read, settled, until


async def test_shows_the_reference_cluster_and_follows_the_kernel():
    table = reference_cluster()
    app = LvsApp(Session(table, traffic=Traffic(table)), refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_read(pilot)
        services = app.query_one("#services", RowTable)
        servers = app.query_one("#servers", RowTable)
        assert cells(services, 0) == ["TCP 172.26.46.119:80"]
        assert cells(services, 1) == ["wlc"]
        assert cells(servers, 0) == ["172.26.46.80:80", "172.26.46.81:80"]
        assert cells(servers, "Forward") == ["Route", "Route"]
        # a change made behind the console's back shows up on the next poll
        table.set_weight(parse_service("172.26.46.119:80"), "172.26.46.81", 80, 0)
        await until(pilot, lambda: cells(servers, "Weight") == ["1", "0"])


async def test_selecting_a_service_shows_its_servers():
    table = reference_cluster()
    extra = parse_service("udp 10.0.0.2:53")
    extra.scheduler = "rr"
    table.add_service(extra)
    table.add_server(extra, RealServer("10.0.0.53", 53))
    app = LvsApp(Session(table), refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_read(pilot)
        services = app.query_one("#services", RowTable)
        services.focus()
        await pilot.press("down")
        await settled(pilot)
        assert cells(app.query_one("#servers", RowTable), 0) == ["10.0.0.53:53"]
        assert "UDP 10.0.0.2:53" in app.query_one("#servers", RowTable).border_title


async def test_a_failing_read_is_reported_not_fatal():
    table = reference_cluster()

    class Broken(type(table)):
        def services(self):
            raise IPVSError("not permitted to read the IPVS table: run lvstui as root")

    table.__class__ = Broken
    app = LvsApp(Session(table), refresh=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_read(pilot)
        log = app.query_one("#log", RichLog)
        assert any("not permitted" in line.text for line in log.lines)
        assert app.is_running


WEB = parse_service("172.26.46.119:80")


async def weights(app, pilot, table):
    """The weights once the console has finished sending (no change worker left running)."""
    await until(pilot, lambda: not [w for w in app.workers if w.group == "change"
                                    and not w.is_finished])
    await settled(pilot)
    return {rs.address: rs.weight for rs in table.find_service(WEB).servers}


async def test_live_weight_keys_drain_restore_and_undo(tmp_path):
    from lvstui.audit import AuditLog
    table = reference_cluster()
    table.set_weight(WEB, "172.26.46.80", 80, 3)
    audit = tmp_path / "audit.log"
    app = LvsApp(Session(table, audit=AuditLog(str(audit))), refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_read(pilot)
        app.query_one("#servers", RowTable).focus()
        await pilot.press("plus")
        assert await weights(app, pilot, table) == {"172.26.46.80": 4, "172.26.46.81": 1}
        await pilot.press("d")
        assert await weights(app, pilot, table) == {"172.26.46.80": 0, "172.26.46.81": 1}
        await pilot.press("minus")             # already 0: stays 0, no negative weight
        assert (await weights(app, pilot, table))["172.26.46.80"] == 0
        await pilot.press("D")
        assert await weights(app, pilot, table) == {"172.26.46.80": 4, "172.26.46.81": 1}
        await pilot.press("u")
        assert await weights(app, pilot, table) == {"172.26.46.80": 0, "172.26.46.81": 1}
        log = [line.text for line in app.query_one("#log", RichLog).lines]
        assert any("ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 4  [ok]" in x
                   for x in log)
    lines = audit.read_text().splitlines()
    assert len(lines) == 5 and all("result=ok" in x for x in lines)
    assert lines[1].endswith("ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 0")


async def test_a_refused_change_is_logged_and_the_table_kept(tmp_path):
    from lvstui.audit import AuditLog
    table = reference_cluster()
    # no poll between the deletion and the key press: the console still shows the old row
    app = LvsApp(Session(table, audit=AuditLog(str(tmp_path / "a.log"))), refresh=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_read(pilot)
        app.query_one("#servers", RowTable).focus()
        table.delete_server(WEB, RealServer("172.26.46.80", 80))   # gone behind our back
        await pilot.press("plus")
        await settled(pilot)
        log = [line.text for line in app.query_one("#log", RichLog).lines]
        assert any("does not exist" in x for x in log)
        assert {rs.address: rs.weight for rs in table.find_service(WEB).servers} == {
            "172.26.46.81": 1}


async def test_status_names_the_role_from_the_vips_held_here():
    from lvstui.demo import SimulatedNetwork
    from textual.widgets import Static
    from lvstui.ha.cluster import Heartbeat
    table = reference_cluster()
    network = SimulatedNetwork()
    app = LvsApp(Session(table, network=network, heartbeat=Heartbeat(ha_cf="/nonexistent/ha.cf")), refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        status = lambda: str(app.query_one("#status", Static).render())  # noqa: E731
        await until(pilot, lambda: "active director (holds the VIP)" in status())
        network.remove_vip("172.26.46.119")
        await until(pilot, lambda: "standby director" in status())
        assert "no heartbeat configured (/nonexistent/ha.cf not found)" in str(
            app.query_one("#peers", Static).render())


async def test_peers_line_and_failover_keys_on_the_demo_cluster(tmp_path):
    from textual.widgets import Static
    from lvstui.audit import AuditLog
    from lvstui.demo import SimulatedHeartbeat
    from lvstui.demo import SimulatedNetwork
    from lvstui.ui.confirm import Confirm
    from lvstui.demo import Sandbox
    network = SimulatedNetwork()
    sandbox = Sandbox(str(tmp_path / "demo"))
    app = LvsApp(Session(reference_cluster(), network=network,
                         heartbeat=SimulatedHeartbeat(network), ha_dir=sandbox.ha_dir,
                         audit=AuditLog(str(tmp_path / "a"))), refresh=0.05)
    async with app.run_test(size=(160, 40)) as pilot:
        await first_read(pilot)
        peers = str(app.query_one("#peers", Static).render())
        assert "rh1.cluster.net (here) active [eth1 up]" in peers
        assert "debian.cluster.net active" in peers and "resources here: all" in peers
        assert app.query_one("#servers", RowTable).border_title == \
            "Real servers of TCP 172.26.46.119:80"          # the control: heartbeat's
        await pilot.press("h")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "172.26.46.119" in app.screen.details
        await pilot.press("y")
        logged = lambda: " ".join(line.text for line in app.query_one("#log", RichLog).lines)  # noqa
        await until(pilot, lambda: "moved to the peer after" in logged())
        assert "172.26.46.119" not in network.vips()
        assert "hb_standby  [ok]" in logged()
        await until(pilot, lambda: "standby director" in str(
            app.query_one("#status", Static).render()))
        await pilot.press("t", "y")
        await until(pilot, lambda: "172.26.46.119" in network.vips())


class SlowTable:
    """A table whose every call takes a while, as a busy kernel's can: the window in which two
    changes run at once read the same weight, or undo the same entry."""

    def __init__(self, table):
        self.table = table

    def __getattr__(self, name):
        import time
        found = getattr(self.table, name)
        if not callable(found):
            return found

        def slowly(*args, **kw):
            time.sleep(0.01)
            done = found(*args, **kw)
            time.sleep(0.01)
            return done
        return slowly


async def test_ten_quick_presses_are_ten_changes_and_ten_undos_take_them_back(tmp_path):
    from lvstui.audit import AuditLog
    table = reference_cluster()
    app = LvsApp(Session(SlowTable(table), audit=AuditLog(str(tmp_path / "a.log"))),
                 refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_read(pilot)
        app.query_one("#servers", RowTable).focus()
        def weight() -> int:
            return table.find_service(WEB).server("172.26.46.80", 80).weight

        def audited() -> list[str]:
            return (tmp_path / "a.log").read_text().splitlines()
        for _ in range(10):                   # as a terminal sends them: all at once
            app.post_message(events.Key("plus", "+"))
        await until(pilot, lambda: weight() == 11)     # a lost increment never gets there
        for _ in range(10):
            app.post_message(events.Key("u", "u"))
        await until(pilot, lambda: len(audited()) == 20)
        await settled(pilot)
        assert weight() == 1
    lines = audited()
    assert [line.split("  #")[0].rsplit("-w ", 1)[1] for line in lines] == [
        *map(str, range(2, 12)), *map(str, range(10, 0, -1))]


async def test_the_keepalived_demo_moves_the_vip_through_lvstuis_track_file(tmp_path):
    """``lvstui --demo --ha keepalived``: the peers line speaks VRRP, h and t move this
    director's priority (never stopping keepalived) and the VIP follows."""
    from textual.widgets import Static
    from lvstui.console import demo_world
    from lvstui.keepalived.priority import PriorityFile
    from lvstui.ui.confirm import Confirm
    world = demo_world(str(tmp_path / "audit.log"), "keepalived")
    app = LvsApp(Session(world.table, network=world.network, heartbeat=world.heartbeat,
                         audit=world.audit, **world.places()), refresh=0.05)
    peers = lambda: str(app.query_one("#peers", Static).render())  # noqa: E731
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: "VI_1 MASTER (priority 150)" in peers())
            assert app.query_one("#servers", RowTable).border_title == \
                "Real servers of TCP 172.26.46.119:80 · keepalived resets live changes"
            await pilot.press("h")
            await settled(pilot)
            assert isinstance(app.screen, Confirm)
            assert "keepalived's VIPs (its VRRP instances): 172.26.46.119" in app.screen.details
            await pilot.press("y")
            await until(pilot, lambda: "VI_1 BACKUP (priority 1)" in peers())
            assert "172.26.46.119" not in world.network.vips()
            assert PriorityFile(world.keepalived_conf).value() == -253
            await pilot.press("t", "y")
            await until(pilot, lambda: "VI_1 MASTER (priority 150)" in peers())
            assert "172.26.46.119" in world.network.vips()
    finally:
        world.close()


async def test_a_live_change_keepalived_sets_back_is_said_before_it_is_made(tmp_path):
    """On a service keepalived.conf declares, the first live change asks (keepalived's check
    or restart sets it back); no leaves the weight, yes makes it, and the next is not asked.
    Keys typed while the question is open are not made."""
    from lvstui.console import demo_world
    from lvstui.ui.confirm import Confirm
    world = demo_world(str(tmp_path / "audit.log"), "keepalived")
    app = LvsApp(Session(world.table, network=world.network, heartbeat=world.heartbeat,
                         health=world.health, audit=world.audit, **world.places()),
                 refresh=0.05)

    def weight() -> int:
        return world.table.find_service(WEB).server("172.26.46.80", 80).weight
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await first_read(pilot)
            app.query_one("#servers", RowTable).focus()
            assert app.health_source().startswith("health: keepalived's checkers (pid ")
            assert [c.split()[0] for c in cells(app.query_one("#servers", RowTable),
                                                "Health")] == ["up", "up"]
            before = weight()
            for _ in range(3):                # as a terminal sends them: all at once
                app.post_message(events.Key("plus", "+"))
            await until(pilot, lambda: isinstance(app.screen, Confirm))
            assert "keepalived sets the real servers of TCP 172.26.46.119:80" in \
                app.screen.question
            await settled(pilot)
            await pilot.press("n")
            await settled(pilot)
            assert weight() == before and not isinstance(app.screen, Confirm)   # one question
            await pilot.press("+")
            await until(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.press("y")
            await until(pilot, lambda: weight() == before + 1)
            await pilot.press("+")
            await until(pilot, lambda: weight() == before + 2)
            assert not isinstance(app.screen, Confirm)          # asked once per service
    finally:
        world.close()


async def test_the_rows_a_keepalived_restart_sets_back_are_marked(tmp_path):
    """What ``lvstui drift --keepalived`` prints, row by row: a weight changed live on a server
    keepalived.conf declares is marked ↺ (and the pane says what ↺ means); its peer is not;
    put back by hand, the mark goes."""
    from lvstui.console import demo_world
    world = demo_world(str(tmp_path / "audit.log"), "keepalived")
    app = LvsApp(Session(world.table, network=world.network, heartbeat=world.heartbeat,
                         health=world.health, audit=world.audit, **world.places()),
                 refresh=0.05)
    servers = lambda: app.query_one("#servers", RowTable)  # noqa: E731
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await first_read(pilot)
            assert [c.endswith("↺") for c in cells(servers(), "State")] == [False, False]
            before = world.table.find_service(WEB).server("172.26.46.80", 80).weight
            world.table.set_weight(WEB, "172.26.46.80", 80, before + 4)   # someone's ipvsadm
            await until(pilot, lambda: [c.endswith("↺") for c in cells(servers(), "State")]
                        == [True, False])
            assert servers().border_title.endswith("(↺: a restart sets it back)")
            world.table.set_weight(WEB, "172.26.46.80", 80, before)
            await until(pilot, lambda: not any(c.endswith("↺")
                                               for c in cells(servers(), "State")))
    finally:
        world.close()


async def test_a_server_added_under_keepalived_goes_into_its_file_on_yes(tmp_path):
    """``lvstui --demo --ha keepalived``: a real server added on the service keepalived.conf
    declares asks first whether keepalived.conf gets it too, showing the diff; yes adds it to
    the table and the file; u takes back the file, then the table."""
    from textual.widgets import Input
    from lvstui.console import demo_world
    from lvstui.ui.confirm import Confirm
    from lvstui.ui.forms import ServerForm
    world = demo_world(str(tmp_path / "audit.log"), "keepalived")
    app = LvsApp(Session(world.table, network=world.network, heartbeat=world.heartbeat,
                         health=world.health, audit=world.audit, **world.places()),
                 refresh=0.05)
    conf = open(world.keepalived_conf).read()
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await first_read(pilot)
            app.query_one("#servers", RowTable).focus()
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, ServerForm))
            app.screen.query_one("#address", Input).value = "172.26.46.82"
            await settled(pilot)
            await pilot.click("#ok")
            await until(pilot, lambda: isinstance(app.screen, Confirm))
            assert app.screen.question.startswith("Add 172.26.46.82:80 to keepalived.conf too")
            assert "+    real_server 172.26.46.82 80 {" in app.screen.details
            await pilot.press("y")
            await until(pilot, lambda: "real_server 172.26.46.82 80" in open(
                world.keepalived_conf).read())
            assert world.table.find_service(WEB).server("172.26.46.82", 80) is not None
            await pilot.press("u")
            await until(pilot, lambda: open(world.keepalived_conf).read() == conf)
            assert world.table.find_service(WEB).server("172.26.46.82", 80) is not None
            await pilot.press("u")
            await until(pilot, lambda: world.table.find_service(WEB).server("172.26.46.82", 80)
                        is None)
    finally:
        world.close()
