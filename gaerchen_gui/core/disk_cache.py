"""Arrays kept between runs in the user's cache folder, so that the app starts without redoing work.

What lives here is derived data only: the decoded Fashion-MNIST splits (reading
them goes through torchvision, whose import alone costs seconds) and the
embeddings of a checkpoint's images (encoding 10,000 images costs seconds more).
Every entry is named by a hash of what it was made from, so a stale entry is
never found, only ignored; the folder may be deleted at any time. The cache is
best-effort: a folder that cannot be written, or an entry that cannot be read,
just means the work is done again.

The folder is ``$GAERCHEN_CACHE_DIR`` if set (tests use a temporary one), else
the platform's user cache folder (``~/.cache/gaerchen`` on Linux).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "GAERCHEN_CACHE_DIR"
FORMAT = 1  # part of every entry's name: bump it when what is stored changes meaning


def cache_dir() -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("gaerchen", appauthor=False)


def _path(name: str) -> Path:
    return cache_dir() / f"{name}.v{FORMAT}.npy"


def read_array(name: str) -> np.ndarray | None:
    """The array stored under ``name``, or None if there is none (or it cannot be read)."""
    path = _path(name)
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as err:  # empty, truncated or foreign: drop it, it is made again
        log.warning("ignoring unreadable cache entry %s: %s", path, err)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # e.g. the cache "folder" is a file: nothing was cached, nothing to remove
        return None


def write_array(name: str, array: np.ndarray) -> None:
    """Store ``array`` under ``name`` atomically (temp file, then rename); failures are only logged."""
    path = _path(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, np.ascontiguousarray(array), allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        log.warning("could not write cache entry %s: %s", path, err)


def file_digest(path: str | os.PathLike) -> str:
    """A short SHA-256 of a file's bytes: names what was derived from exactly this file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:24]
