"""The peer director by default: the other node line of ha.cf (``lvstui --peer`` unset)."""

from lvstui.session import Session


def write_ha_cf(tmp_path, nodes: str) -> str:
    (tmp_path / "ha.cf").write_text(f"keepalive 2\ndeadtime 10\nucast eth1 192.168.0.2\n{nodes}")
    return str(tmp_path)


def test_the_other_node_of_ha_cf_is_the_peer(tmp_path):
    ha_dir = write_ha_cf(tmp_path, "node rh1.cluster.net\nnode debian.cluster.net\n")
    assert Session(ha_dir=ha_dir, hostname="rh1.cluster.net").ha.peer_node() == \
        "debian.cluster.net"
    assert Session(ha_dir=ha_dir, hostname="DEBIAN.cluster.net").ha.peer_node() == \
        "rh1.cluster.net"


def test_no_peer_where_ha_cf_names_no_single_other_node(tmp_path):
    assert Session(ha_dir=write_ha_cf(tmp_path, "node rh1.cluster.net\n"),
                   hostname="rh1.cluster.net").ha.peer_node() is None
    (tmp_path / "three").mkdir()
    assert Session(ha_dir=write_ha_cf(tmp_path / "three", "node a b c\n"),
                   hostname="a").ha.peer_node() is None
    assert Session(ha_dir=str(tmp_path / "missing"), hostname="a").ha.peer_node() is None
