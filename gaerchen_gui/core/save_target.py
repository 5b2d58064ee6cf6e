"""Where a checkpoint may be written, and where it goes when that fails (torch-free).

The one home of: the user's models folder (the window's default for Save…, and the fallback
when a save fails), the check that a path can take a checkpoint (the command line runs it
before training, the window before writing, the save itself once more), the names of the
temporary files a save writes, and the cleaning of those an interrupted save left behind.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Points the user's models folder elsewhere (tests use a temporary one, never the user's).
SAVE_DIR_ENV = "GAERCHEN_SAVE_DIR"

# A save writes ``.NAME.gaerchen-PID.XXXXXXXX.tmp`` beside NAME, then renames it over NAME: the
# pid says who writes it; the marker keeps the cleaning away from other programs' temp files.
_TEMP = re.compile(r"^\..+\.gaerchen-(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp$")
# Earlier versions wrote ``.NAME.pt.XXXXXXXX.tmp`` (no pid; only checkpoint names were ever used).
_OLD_TEMP = re.compile(r"^\..+\.pth?\.[a-z0-9_]{8}\.tmp$")
# A save writes its temp file in one go and renames it within a second or two (1-2 MB and an
# fsync; a slow network disk stays well under a minute), and the writing keeps its mtime fresh.
# So a temp file untouched for this long has no live writer, whatever its pid says: that covers
# a pid since reused by an unrelated process, a writer on another machine sharing the folder
# (its pid means nothing here) and old names without a pid. A temp file whose writer pid is gone
# from this machine is stale at once (the common case: a save killed or crashed here), unless it
# is younger than a few seconds: then it may come from another machine, and waiting costs nothing.
STALE_AFTER_S = 10 * 60
_YOUNG_S = 5.0


class SaveTargetError(OSError):
    """A path that cannot take a checkpoint (a folder, a device, an unwritable folder); ``str(err)``
    says why in one line. An OSError, so that every handler of failed writes catches it."""


def user_models_dir() -> Path:
    """``$GAERCHEN_SAVE_DIR``, else the platform's user data folder's ``models`` (on Linux
    ``~/.local/share/gaerchen/models``)."""
    override = os.environ.get(SAVE_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("gaerchen", appauthor=False) / "models"


def write_target(path: str | os.PathLike) -> Path:
    """The file a save to ``path`` replaces: a symbolic link is written through (its target changes,
    the link stays), as editors do; anything else is ``path`` itself."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def not_a_file_problem(path: Path) -> str | None:
    """Why ``path`` names something a save must never replace (a folder, a device, a pipe, a socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # absent (or under a non-folder, which the folder check reports)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{path} is a folder; give a file name in it, such as {path / 'model.pt'}"
    return f"{path} is not a regular file (a device, pipe or socket); a checkpoint only replaces a regular file"


def target_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be written as a checkpoint, in one line, or None if it can: it must be a
    regular file or absent, and its folder (or the nearest existing one, where the save would create
    the rest) must let a file be created, which is tried for real: permission bits do not tell
    the truth to root, on a read-only mount or in /proc."""
    path = write_target(path)
    problem = not_a_file_problem(path)
    if problem:
        return problem
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create {path}: {folder} is a file, not a folder"
    try:
        fd, probe = make_temp(folder / path.name)
    except OSError as err:
        return f"cannot create {path}: no file can be created in {folder} ({err.strerror or err})"
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return None


def make_temp(path: Path) -> tuple[int, str]:
    """Create the temporary file a save to ``path`` writes first (in the same folder, so that the
    rename is atomic); mkstemp's open file descriptor and name."""
    return tempfile.mkstemp(prefix=f".{path.name}.gaerchen-{os.getpid()}.", suffix=".tmp", dir=path.parent)


def new_file_mode() -> int:
    """The mode of a new ordinary file under the process' umask (mkstemp makes 0600 files)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is not ours to signal
    return True


def clean_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temp files of interrupted saves in ``folder`` (the rule: STALE_AFTER_S above);
    the paths removed. Best effort: a file that cannot be removed is left."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None and not _OLD_TEMP.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            writer_gone = match is not None and age > _YOUNG_S and not _pid_alive(int(match["pid"]))
            if age > STALE_AFTER_S or writer_gone:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def fallback_paths(failed: Path) -> Iterator[Path]:
    """Where a checkpoint that could not be written to ``failed`` goes instead, best first: the
    user's models folder, then the system's temp folder (often another disk), never the folder
    that failed; a name not taken yet in each."""
    failed_folder = os.path.realpath(failed.parent)
    for folder in (user_models_dir(), Path(tempfile.gettempdir())):
        if os.path.realpath(folder) != failed_folder:
            yield _free_name(folder, failed.name if failed.suffix else f"{failed.name}.pt")


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    number = 2
    while os.path.lexists(candidate):
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def describe_os_error(err: OSError) -> str:
    """An OSError in a few words: its reason without errno and path ("No space left on device")."""
    if isinstance(err, SaveTargetError):
        return str(err)
    return err.strerror or str(err)
