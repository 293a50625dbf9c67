"""The monitor's configuration: lvstui's TOML file (toml_config.py), or heartbeat-era
``ldirectord.cf`` read as is (ldirectord.py). Both give a ``HealthConfig`` (readers.py): the
virtual services to watch and a ``Policy`` for each; errors stop the monitor, warnings (a
directive lvstui does not act on) are reported and skipped."""

from __future__ import annotations

from ..files import read_text
from ..findings import Finding
from .ldirectord import read_ldirectord
from .readers import HealthConfig
from .toml_config import read_toml


def load(path: str, ldirectord: bool = False) -> HealthConfig:
    """Read *path* (OSError if it cannot be read); problems are in ``.findings``."""
    if ldirectord:                        # ldirectord (Perl) reads bytes: so does lvstui
        return read_ldirectord(read_text(path), path)
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode()
    except UnicodeDecodeError as exc:     # TOML is UTF-8 by its specification
        config = HealthConfig(path)
        config.findings.append(Finding(
            path, data.count(b"\n", 0, exc.start) + 1, "error",
            f"not UTF-8 (byte 0x{data[exc.start]:02x}): a TOML file is UTF-8 throughout, "
            "comments included"))
        return config
    return read_toml(text, path)
