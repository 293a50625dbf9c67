"""Samples: at every recorder tick, per virtual service and per real server, its rates,
connection counts and weight, kept at a resolution that falls with age (TIERS).

A sample record holds one point of every row of a *rowset*: up to CHUNK_ROWS rows (whole
services, in table order) named as ipvsadm names them (``-t VIP:PORT``, ``-t VIP:PORT -r
RIP:PORT``), so plotting one row reads a small part of each point. Values are kept as
bfloat16 (the upper half of a float32: 8 significant bits, read back at most 0.8% low;
integers up to 256 exact) in two byte planes, then zlib: all of it done by C code, so a tick at 10,000
servers stays cheap, and a record of idle or steady rows compresses to little."""

from __future__ import annotations

import zlib
from array import array
from itertools import chain

from ..ipvs.switches import service_spec

FIELDS = ("cps", "inbps", "outbps", "active", "inactive", "weight")
CHUNK_ROWS = 1024
# (seconds per point, seconds kept): every sample for 15 min, 10 s means for an hour, minute
# means for a day, 10-minute means for 30 days, all of it under the size cap (the oldest
# records go first). At 10,000 real servers a point of every row is ~80 KB with noisy traffic:
# a week is ~3,700 points, ~300 MB.
TIERS = ((0, 15 * 60), (10, 3600), (60, 86400), (600, 30 * 86400))


def row_names(svc) -> list[str]:
    """The service's row name, then each of its real servers'."""
    spec = service_spec(svc)
    return [spec, *(server_row(spec, rs.endpoint) for rs in svc.servers)]


def server_row(spec: str, endpoint: str) -> str:
    """A real server's row name: ``-t VIP:PORT -r RIP:PORT`` (a service's is its spec)."""
    return f"{spec} -r {endpoint}"


def row_values(svc) -> list[tuple]:
    """FIELDS of the service (active, inactive and weight summed over its servers), then of
    each of its real servers."""
    st = svc.stats
    rows = [(rs.stats.cps, rs.stats.inbps, rs.stats.outbps, rs.active_conns,
             rs.inactive_conns, rs.weight) for rs in svc.servers]
    total = [sum(column) for column in zip(*rows)] if rows else [0, 0, 0, 0, 0, 0]
    return [(st.cps, st.inbps, st.outbps, *total[3:]), *rows]


def encode(values: array) -> bytes:
    """float32 values -> zlib(the high byte plane + the next one): bfloat16, plane by plane."""
    raw = values.tobytes()
    return zlib.compress(raw[3::4] + raw[2::4], 1)


def decode(data: bytes) -> array:
    """The inverse of encode() (values cut to bfloat16: integers up to 256 as they were)."""
    planes = zlib.decompress(data)
    n = len(planes) // 2
    raw = bytearray(4 * n)
    raw[3::4], raw[2::4] = planes[:n], planes[n:]
    values = array("f")
    values.frombytes(bytes(raw))
    return values


def row_of(values: array, rows: int, index: int) -> tuple:
    """Row *index*'s FIELDS from a point of *rows* rows (values are laid out field-major)."""
    return tuple(values[f * rows + index] for f in range(len(FIELDS)))


class Sampler:
    """Turns a read into sample records, (rowset names, encoded values) per chunk; the
    chunks' bounds and names are worked out again only when the table's rows changed."""

    def __init__(self):
        self.layout: list[tuple[int, int, list[str]]] = []     # (first row, end, names)

    def records(self, services, rows_changed: bool) -> list[tuple[list[str], bytes]]:
        if rows_changed or not self.layout:
            self.layout = layout(services)
        rows = [row for svc in services for row in row_values(svc)]
        return [(names, encode(array("f", chain.from_iterable(zip(*rows[first:end])))))
                for first, end, names in self.layout]


def layout(services) -> list[tuple[int, int, list[str]]]:
    """The table cut into chunks of whole services: (first row, end row, names) each."""
    out, names, first = [], [], 0
    for svc in services:
        if names and len(names) + 1 + len(svc.servers) > CHUNK_ROWS:
            out.append((first, first + len(names), names))
            first, names = first + len(names), []
        names.extend(row_names(svc))
    if names:
        out.append((first, first + len(names), names))
    return out


def mean(points: list[array]) -> array:
    """One point from several of one rowset: each value's mean."""
    if len(points) == 1:
        return points[0]
    k = len(points)
    return array("f", [sum(column) / k for column in zip(*points)])


def with_samples(services, samples: dict[str, tuple]) -> None:
    """Set the rates and connection counts of parsed *services* (and their real servers) from
    samples_at()'s rows; rows without a sample keep zeros."""
    for svc in services:
        for item, name in zip((svc, *svc.servers), row_names(svc)):
            values = samples.get(name)
            if values is None:
                continue
            row = dict(zip(FIELDS, (int(v) for v in values)))
            item.stats.cps, item.stats.inbps, item.stats.outbps = (
                row["cps"], row["inbps"], row["outbps"])
            if item is not svc:
                item.active_conns, item.inactive_conns = row["active"], row["inactive"]


def touches(name: str, text: str) -> bool:
    """Whether a change's command or an event's subject is about row *name* (a service row:
    about it or any of its real servers)."""
    return f" {name} " in f" {text} "
