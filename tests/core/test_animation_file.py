"""GIF, MP4 and PNG files: read back with the right frames and size; failures leave no partial file."""

import sys

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from gaerchen_gui.core.animation_file import (
    MP4_MISSING,
    ExportCancelled,
    ExportError,
    check_export,
    export_kind,
    mp4_support_problem,
    write_frames,
    write_still,
)
from gaerchen_gui.core.frame_drawing import palette
from gaerchen_gui.core.save_target import SaveTargetError


def frames(count=12, height=96, width=128):
    """Frames that differ (a bar moving across), so that no writer can merge them."""
    out = np.full((count, height, width), 10, np.uint8)
    for i in range(count):
        out[i, :, i * 8 : i * 8 + 8] = i % 10
    return out


def read_gif(path):
    with Image.open(path) as image:
        return image.n_frames, image.size


def read_mp4(path):
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    count = sum(1 for _ in reader)
    return count, tuple(meta["size"])


def test_gif_reads_back_with_every_frame_and_its_size(tmp_path):
    path = write_frames(tmp_path / "a.gif", frames(), palette(), fps=10)
    assert read_gif(path) == (12, (128, 96))
    with Image.open(path) as image:
        image.seek(3)
        rgb = np.asarray(image.convert("RGB"))
    assert tuple(rgb[0, 3 * 8]) == tuple(palette()[3])  # the bar of frame 3, in its class colour


def test_mp4_reads_back_with_every_frame_and_its_size(tmp_path):
    path = write_frames(tmp_path / "a.mp4", frames(), palette(), fps=10)
    assert read_mp4(path) == (12, (128, 96))


def test_png_still(tmp_path):
    image = frames(1)[0]
    path = write_still(tmp_path / "a.png", image, palette())
    with Image.open(path) as png:
        assert png.size == (128, 96) and np.array_equal(np.asarray(png), image)


@pytest.mark.parametrize("name", ["a.gif", "a.mp4", "a.png"])
def test_a_full_disk_leaves_no_file_and_keeps_the_old_one(tmp_path, full_disk, name):
    old = tmp_path / name
    old.write_bytes(b"the file that was there")
    full_disk(tmp_path)
    with pytest.raises(OSError, match="No space left"):
        if name.endswith(".png"):
            write_still(old, frames(1)[0], palette())
        else:
            write_frames(old, frames(), palette(), fps=10)
    assert old.read_bytes() == b"the file that was there"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_an_unwritable_place_is_refused_with_a_reason(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(SaveTargetError, match="is a file, not a folder"):
        write_frames(tmp_path / "file" / "a.gif", frames(), palette(), fps=10)
    with pytest.raises(SaveTargetError, match="is a folder"):
        check_export(tmp_path, "gif", 128)


def test_kinds_by_suffix():
    assert export_kind("x.GIF") == "gif" and export_kind("x.mp4") == "mp4"
    with pytest.raises(ExportError, match="must end in .gif, .mp4"):
        export_kind("x.avi", ("gif", "mp4"))


def test_mp4_without_imageio_ffmpeg_says_what_to_install(tmp_path, monkeypatch):
    assert mp4_support_problem() is None
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed: import fails
    assert mp4_support_problem() == MP4_MISSING
    with pytest.raises(ExportError, match="pip install"):
        check_export(tmp_path / "a.mp4", "mp4", 128)
    check_export(tmp_path / "a.gif", "gif", 128)  # a GIF needs nothing more


def test_an_mp4_side_must_fit_its_macroblocks(tmp_path):
    with pytest.raises(ExportError, match="multiple of 16"):
        check_export(tmp_path / "a.mp4", "mp4", 100)


@pytest.mark.parametrize("name", ["a.gif", "a.mp4"])
@pytest.mark.parametrize("at", [3, 12])  # mid-way, and with the file complete but not yet renamed
def test_a_cancelled_export_leaves_no_file(tmp_path, name, at):
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done >= at:
            raise ExportCancelled

    with pytest.raises(ExportCancelled):
        write_frames(tmp_path / name, frames(), palette(), fps=10, progress=progress)
    assert list(tmp_path.iterdir()) == []
    assert seen[-1][1] == 12


def test_progress_ends_with_every_frame(tmp_path):
    seen = []
    write_frames(tmp_path / "a.gif", frames(), palette(), fps=10, progress=lambda d, t: seen.append(d))
    assert seen[-1] == 12 and seen == sorted(seen)
