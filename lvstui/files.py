"""Atomic file writes with a backup: every writer of lvstui goes through here."""

from __future__ import annotations

import contextlib
import os
import tempfile


def read_text(path: str) -> str:
    """A configuration file as its daemon reads it: bytes, not a codec. UTF-8 where it is;
    any other byte (an old director's Latin-1 comment) is kept as a surrogate, so that a save
    writes it back unchanged. Line ends stay as they are (CRLF included)."""
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", "surrogateescape")


def atomic_write(path: str, data: str | bytes, mode: int | None = None,
                 backup: bool = True) -> str | None:
    """Replace *path* with *data*: temp file in the same directory, fsync, rename, fsync of the
    directory. The previous version is kept as ``path + ".bak"`` (made the same way). The file
    keeps its mode and owner unless *mode* is given. Returns the backup's path, if one was made.
    Either the old or the new file is there at every moment; never a half-written one."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")      # bytes read_text kept come back
    directory = os.path.dirname(os.path.abspath(path))
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    backup_path = None
    if backup and old is not None:
        backup_path = path + ".bak"
        with open(path, "rb") as fh:
            _write_replace(backup_path, fh.read(), old.st_mode & 0o7777, old, directory)
    new_mode = mode if mode is not None else (old.st_mode & 0o7777 if old else 0o644)
    _write_replace(path, data, new_mode, old, directory)
    return backup_path


def _write_replace(path: str, data: bytes, mode: int, owner, directory: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        if owner is not None and os.geteuid() == 0:
            os.fchown(fd, owner.st_uid, owner.st_gid)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.rename(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
