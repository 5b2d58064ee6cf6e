"""Writing palette images as a GIF, an MP4 or a PNG, atomically (``gaerchen timelapse`` and ``walk``).

Why these libraries: GIF and PNG through Pillow, which Gaerchen already needs, so they always
work, in the bundle too. MP4 through ``imageio-ffmpeg``, an optional extra (``gaerchen[video]``):
its wheel carries a static ffmpeg binary (165 MB installed), more than the rest of the bundle's
Python packages together, so it is neither a dependency nor bundled; where it is missing, asking
for an MP4 says so in one line and what to install. PyAV (FFmpeg's libraries, ~104 MB) would be
smaller but still large, and its API is heavier for what is here a pipe of raw frames; the
ffmpeg binary can also be one already on the system (``IMAGEIO_FFMPEG_EXE``).

A file is written as a temporary file in the same folder, flushed to the disk, then renamed over
the target: a full disk or a stopped export leaves no partial file (core/save_target.py names and
cleans the temporary files).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gaerchen_gui.core.export_limits import MP4_BLOCK
from gaerchen_gui.core.save_target import (
    SaveTargetError,
    clean_stale_temps,
    make_temp,
    new_file_mode,
    not_a_file_problem,
    target_problem,
    write_target,
)

KINDS = {".gif": "gif", ".mp4": "mp4", ".png": "png"}
MP4_MISSING = (
    "writing MP4 needs the imageio-ffmpeg package, which is not installed "
    "(pip install 'gaerchen[video]', or pip install imageio-ffmpeg); GIF works without it"
)


class ExportError(ValueError):
    """An export that cannot be made as asked (a file kind, a missing library); ``str(err)`` says why."""


class ExportCancelled(Exception):
    """Raised by a ``progress`` callback to stop an export: the temporary file goes, no file is left."""


# Called with (frames done, frames in all) as a file is written, and once more with (all, all) when the
# file is complete on the disk but not yet renamed: the last moment a cancel (raising ExportCancelled)
# still leaves no file.
Progress = Callable[[int, int], None]


def export_kind(path: str | os.PathLike, allowed: tuple[str, ...] = ("gif", "mp4", "png")) -> str:
    """ "gif", "mp4" or "png" from ``path``'s suffix; ExportError if it is none of ``allowed``."""
    kind = KINDS.get(Path(path).suffix.lower())
    if kind not in allowed:
        names = ", ".join(f".{k}" for k in allowed)
        raise ExportError(f"{Path(path).name}: the file name must end in {names}")
    return kind


def mp4_support_problem() -> str | None:
    """Why MP4 cannot be written here, or None if it can."""
    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return MP4_MISSING
    return None


def check_export(path: str | os.PathLike, kind: str, side: int) -> None:
    """Before the work: ExportError or SaveTargetError (one line) if ``path`` cannot take the export."""
    if kind == "mp4":
        problem = mp4_support_problem()
        if problem:
            raise ExportError(problem)
        if side % MP4_BLOCK:
            raise ExportError(f"an MP4's size must be a multiple of {MP4_BLOCK} pixels, not {side}")
    problem = target_problem(path)
    if problem:
        raise SaveTargetError(problem)


def _no_progress(done: int, total: int) -> None:
    pass


def write_frames(
    path: str | os.PathLike, frames: np.ndarray, palette: np.ndarray, fps: float, progress: Progress | None = None
) -> Path:
    """``frames``: (T, H, W) uint8 indices into ``palette`` (K, 3) uint8 RGB; a GIF or an MP4 by the
    suffix of ``path``. The path written; OSError (SaveTargetError for a bad place) if it fails,
    ExportCancelled if ``progress`` raised it."""
    kind = export_kind(path, ("gif", "mp4"))
    progress = progress or _no_progress
    write = _write_mp4 if kind == "mp4" else _write_gif
    return write_atomically(
        path, lambda tmp: write(tmp, frames, palette, fps, progress), lambda: progress(*[len(frames)] * 2)
    )


def write_still(
    path: str | os.PathLike, image: np.ndarray, palette: np.ndarray, progress: Progress | None = None
) -> Path:
    """``image``: (H, W) uint8 indices into ``palette``, as a PNG."""
    export_kind(path, ("png",))
    progress = progress or _no_progress
    return write_atomically(
        path, lambda tmp: _pil_image(image, palette).save(tmp, format="PNG"), lambda: progress(1, 1)
    )


def _pil_image(indices: np.ndarray, palette: np.ndarray):
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), mode="P")
    image.putpalette(palette.astype(np.uint8).tobytes())
    return image


def _write_gif(tmp: str, frames: np.ndarray, palette: np.ndarray, fps: float, progress: Progress) -> None:
    # One fixed palette for every frame: no per-frame colour quantisation, which would cost most
    # of the export's time and make the colours flicker.
    images = []
    for i, frame in enumerate(frames):
        images.append(_pil_image(frame, palette))
        progress(i, len(frames))
    images[0].save(
        tmp,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
    )


def _write_mp4(tmp: str, frames: np.ndarray, palette: np.ndarray, fps: float, progress: Progress) -> None:
    try:
        import imageio_ffmpeg
    except ImportError as err:
        raise ExportError(MP4_MISSING) from err
    height, width = frames.shape[1:3]
    writer = imageio_ffmpeg.write_frames(
        tmp,
        (width, height),
        fps=fps,
        codec="libx264",
        macro_block_size=MP4_BLOCK,
        ffmpeg_log_level="error",
        output_params=["-f", "mp4"],  # the temporary file's name has no .mp4 for ffmpeg to go by
    )
    try:
        writer.send(None)
        for i, frame in enumerate(frames):
            writer.send(np.ascontiguousarray(palette[frame]))  # RGB one frame at a time: 200 at once are 150 MB
            progress(i + 1, len(frames))
    except Exception as err:
        if isinstance(err, (OSError, ExportCancelled)):
            raise
        # ffmpeg ended early (a full disk, a killed process): a plain failure to write
        raise OSError(f"ffmpeg could not write the video ({err})") from err
    finally:
        writer.close()


def write_atomically(
    path: str | os.PathLike, write: Callable[[str], None], before_rename: Callable[[], None] = lambda: None
) -> Path:
    """``write(tmp)`` into a temporary file beside ``path``, flushed, then renamed over ``path``: on any
    failure (or a cancel from ``before_rename``) the temporary file goes and ``path`` is as it was."""
    target = write_target(path)
    problem = target_problem(target)
    if problem:
        raise SaveTargetError(problem)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(target.parent)
    fd, tmp = make_temp(target)
    os.close(fd)
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # the bytes on the disk before the name: a full disk says so here at the latest
        finally:
            os.close(fd)
        problem = not_a_file_problem(target)
        if problem:
            raise SaveTargetError(problem)
        before_rename()
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
