"""Arrays kept between runs in the user's cache folder, so that the app starts without redoing work.

What lives here is derived data only: the decoded Fashion-MNIST splits (reading
them goes through torchvision, whose import alone costs seconds) and the
embeddings of a checkpoint's images (encoding 10,000 images costs seconds more).
Every entry is named by a hash of what it was made from, so a stale entry is
never found, only ignored; the folder may be deleted at any time. The cache is
best-effort: a folder that cannot be written, or an entry that cannot be read,
just means the work is done again.

An entry is not trusted because it parses: one flipped byte in cached test
images changed the test BCE, a shifted labels file made ``encode`` write wrong
labels, zeroed embeddings put every point at (0, 0). Each entry is an ``.npy``
file followed by a SHA-256 of its dtype, shape and bytes (:func:`array_digest`);
reading checks the size the header promises and the digest, and an entry that
fails either is a miss: logged, removed, and made again by the caller.
What the check costs (``benchmarks/cache_digest.py``; AMD EPYC, 2 cores, with
other work running, load ~4): reading the 10,000 cached test images (7.8 MB)
takes 10-17 ms, of which the digest ~8 ms; the 60,000 training images (47 MB)
46-52 ms, of which the digest ~39 ms (the file itself comes from the page cache).
SHA-256 is the fastest of hashlib's digests here (the CPU has SHA
instructions); blake2b took 1.8x as long. Against the seconds torchvision or an
encoder would take, that is the price of never showing wrong data.

The folder is ``$GAERCHEN_CACHE_DIR`` if set (tests use a temporary one), else
the platform's user cache folder (``~/.cache/gaerchen`` on Linux).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "GAERCHEN_CACHE_DIR"
FORMAT = 2  # part of every entry's name: bump it when what is stored changes meaning (2: digest trailer)
_TRAILER_MAGIC = b"GRCHSHA2"  # then the 32-byte digest, after the array's bytes
_TRAILER_SIZE = len(_TRAILER_MAGIC) + hashlib.sha256().digest_size


class _Damaged(Exception):
    """An entry whose bytes are not what was written: treated as a miss."""


def cache_dir() -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("gaerchen", appauthor=False)


def _path(name: str) -> Path:
    return cache_dir() / f"{name}.v{FORMAT}.npy"


def array_digest(array: np.ndarray) -> bytes:
    """SHA-256 of what an array is: dtype, shape and bytes (a header that changed shape is caught too)."""
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(np.ascontiguousarray(array).data)  # hashlib releases the GIL on large buffers
    return digest.digest()


def read_array(name: str) -> np.ndarray | None:
    """The array stored under ``name``, or None if there is none, or it cannot be read, or it is not
    byte for byte what was written (then it is removed, so that the caller's new copy replaces it)."""
    path = _path(name)
    try:
        with path.open("rb") as f:
            return _read_checked(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, _Damaged) as err:  # empty, truncated, foreign or damaged
        log.warning("ignoring cache entry %s (it is made again): %s", path, err)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # e.g. the cache "folder" is a file: nothing was cached, nothing to remove
        return None


def _read_checked(f) -> np.ndarray:  # a binary file
    major, _ = npy_format.read_magic(f)
    read_header = npy_format.read_array_header_1_0 if major == 1 else npy_format.read_array_header_2_0
    shape, fortran_order, dtype = read_header(f)
    if dtype.hasobject or fortran_order:
        raise _Damaged("not an array this cache writes")
    count = math.prod(shape)
    # Checked before reading: a flipped digit in the header's shape must not allocate gigabytes.
    expected = f.tell() + count * dtype.itemsize + _TRAILER_SIZE
    size = os.fstat(f.fileno()).st_size
    if size != expected:
        raise _Damaged(f"{size:,} bytes where its header promises {expected:,}")
    array = np.fromfile(f, dtype=dtype, count=count)
    array.shape = shape  # (not reshape: reshape(()) keeps the 1-d shape)
    if f.read(_TRAILER_SIZE) != _TRAILER_MAGIC + array_digest(array):
        raise _Damaged("its digest does not match its contents")
    return array


def write_array(name: str, array: np.ndarray) -> None:
    """Store ``array`` under ``name`` atomically (temp file, then rename); failures are only logged."""
    path = _path(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            array = array if array.flags.c_contiguous else np.ascontiguousarray(array)  # which makes 0-d 1-d
            with os.fdopen(fd, "wb") as f:
                np.save(f, array, allow_pickle=False)
                f.write(_TRAILER_MAGIC + array_digest(array))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for older in range(1, FORMAT):  # the same entry in an older format is never read again
            (path.parent / f"{name}.v{older}.npy").unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not write cache entry %s: %s", path, err)


def file_digest(path: str | os.PathLike) -> str:
    """A short SHA-256 of a file's bytes: names what was derived from exactly this file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:24]
