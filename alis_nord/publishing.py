"""Writing a year's output files so that a reader, or a crash, never sees half of a set.

An asset's files appear together: each is written in full to a hidden temporary name beside its
place (unique to the writer, flushed to disk), and only when all are written are they renamed
into place, one quick rename each. A crash while rendering or writing leaves the previous files
as they were; a file is never seen half written under its real name. A folder that an asset owns
whole (``feedback/``) is built beside it and swapped in by rename, so it holds the old pages or
the new ones, never some of each.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

# Leftovers of a crashed writer (hidden names) are removed by a later one once this old.
STALE_SECONDS = 3600


def _write_hidden(directory: Path, name: str, data: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:  # a full disk: no half-written file is left behind
        Path(temporary).unlink(missing_ok=True)
        raise
    os.chmod(temporary, 0o644)
    return Path(temporary)


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for leftover in directory.glob(".*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        except FileNotFoundError:
            pass


def publish_files(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Put ``files`` (name: content) into ``directory`` together; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale(directory)
    written: dict[str, Path] = {}
    try:
        for name, data in files.items():
            written[name] = _write_hidden(directory, name, data)
    except BaseException:
        for temporary in written.values():
            temporary.unlink(missing_ok=True)
        raise
    for name, temporary in written.items():
        os.replace(temporary, directory / name)
    return [directory / name for name in files]


def publish_folder(folder: Path, files: Mapping[str, bytes]) -> Path:
    """Replace everything in ``folder`` with ``files``: built beside it, then swapped in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder.parent)
    staged = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new.", suffix=".tmp"))
    try:
        for name, data in files.items():
            (staged / name).write_bytes(data)
        os.chmod(staged, 0o755)
        retired: list[Path] = []
        for attempt in range(10):  # another writer of the same folder may swap in between
            old = staged.with_name(staged.name.replace(".new.", f".old{attempt}.", 1))
            with contextlib.suppress(FileNotFoundError):
                os.rename(folder, old)
                retired.append(old)
            try:
                os.rename(staged, folder)
                break
            except OSError:  # the other writer's folder arrived first: retire it too
                continue
        else:
            raise RuntimeError(f"could not swap in {folder}")
        for old in retired:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return folder
