"""File > Export Animation: a path and a time-lapse written through the dialog, read back; cancel,
a full disk and an unwritable place leave no file and say why; MP4 without its library says what to install."""

from __future__ import annotations

import sys

import pytest
import torch
from gui_support import wait_for_map
from PIL import Image

from gaerchen_gui.core.animation_file import MP4_MISSING
from gaerchen_gui.core.checkpoints import make_metadata, save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.training import Trainer
from gaerchen_gui.gui.actions import ActionKey

EXPORT_TIMEOUT_MS = 60_000


def open_dialog(window, steps=6):
    window.actions[ActionKey.WALK].trigger()
    path = window.walk.path
    path.pick((-0.5, 0.3), "a")
    path.pick((0.7, -0.2), "b")
    window.walk.panel.steps.setValue(steps)
    window.actions[ActionKey.EXPORT_ANIMATION].trigger()
    return window.walk.dialog


@pytest.fixture(scope="module")
def with_frames(tmp_path_factory, test_set):
    """A tiny AE saved with the frames its training recorded, as every run's checkpoint is."""
    config = TrainConfig.book("ae", limit=300, epochs=1, batch_size=50, compile="off", device="cpu")
    torch.manual_seed(0)
    trainer = Trainer(config, train_set=test_set.subset(300), test_set=test_set, val_limit=200)
    for _ in trainer.run():
        pass
    torch.set_flush_denormal(False)  # as conftest's tiny models do
    frames = trainer.recorder.frames()
    meta = make_metadata(trainer.model, config=config.to_dict(), epochs_trained=1, frames=frames)
    return save_checkpoint(tmp_path_factory.mktemp("framed") / "framed.pt", trainer.model.cpu(), meta)


@pytest.fixture
def out(tmp_path):
    """A folder of its own for the exports (the window's settings file is in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def choose(combo, value):
    combo.setCurrentIndex(combo.findData(value))
    assert combo.currentData() == value


def export(qtbot, dialog, file) -> str:
    dialog.file.setText(str(file))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=EXPORT_TIMEOUT_MS)
    return dialog.status.text()


def test_a_path_exports_as_a_gif_with_a_frame_per_point_and_as_a_png_strip(qtbot, window, out):
    dialog = open_dialog(window, steps=6)
    assert dialog.isVisible() and dialog.what.currentData() == "path"
    dialog.size.setValue(96)
    assert export(qtbot, dialog, out / "walk.gif") == f"Saved {out / 'walk.gif'}"
    with Image.open(out / "walk.gif") as gif:
        assert (gif.n_frames, gif.size) == (6, (192, 96))  # the map beside the decoded image
    choose(dialog.format, "png")
    assert dialog.file.text().endswith("walk.png") and not dialog.fps.isEnabled()
    assert export(qtbot, dialog, out / "walk.png").startswith("Saved")
    with Image.open(out / "walk.png") as png:
        assert png.size == (6 * 96, 96)
    assert sorted(p.name for p in out.iterdir()) == ["walk.gif", "walk.png"]


def test_a_time_lapse_exports_with_every_recorded_frame(qtbot, window, out, with_frames):
    assert window.open_checkpoint(with_frames) is None
    wait_for_map(qtbot, window)
    frames = window.model.checkpoint.frames
    assert frames is not None and len(frames) >= 2
    dialog = open_dialog(window)
    choose(dialog.what, "timelapse")
    assert dialog.size.value() == 512 and not dialog.format.model().item(dialog.format.findData("png")).isEnabled()
    dialog.size.setValue(128)
    assert export(qtbot, dialog, out / "t.gif").startswith("Saved")
    with Image.open(out / "t.gif") as gif:
        assert (gif.n_frames, gif.size) == (len(frames), (128, 128))


def test_a_model_without_frames_offers_no_time_lapse_and_says_why(qtbot, window):
    assert window.model.checkpoint.frames is None  # the fixture's tiny models were saved without them
    dialog = open_dialog(window)
    item = dialog.what.model().item(dialog.what.findData("timelapse"))
    assert not item.isEnabled() and "has no recorded frames" in dialog.note.text()


def test_cancel_leaves_no_file(qtbot, window, out):
    dialog = open_dialog(window, steps=200)
    dialog.size.setValue(512)
    dialog.file.setText(str(out / "long.gif"))
    assert dialog.start_export()
    assert dialog.close_button.text() == "Cancel"
    # once the frames are drawn and the file is being written (the GIF encodes 200 frames of 512 x 1024)
    qtbot.waitUntil(lambda: dialog.progress.maximum() == 200, timeout=EXPORT_TIMEOUT_MS)
    dialog.close_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=EXPORT_TIMEOUT_MS)
    assert dialog.status.text() == "Cancelled: no file was written."
    assert list(out.iterdir()) == []  # neither the file nor a temporary one
    assert dialog.close_button.text() == "Close" and dialog.export_button.isEnabled()


def test_an_unwritable_place_or_a_full_disk_says_why_and_leaves_no_file(qtbot, window, out, full_disk):
    dialog = open_dialog(window)
    (out / "file").write_text("")
    dialog.file.setText(str(out / "file" / "walk.gif"))
    assert not dialog.start_export()
    assert (
        dialog.status.text().startswith("Cannot export: cannot create")
        and "is a file, not a folder" in dialog.status.text()
    )
    full_disk(out)
    assert export(qtbot, dialog, out / "walk.gif") == "Could not write walk.gif: No space left on device"
    assert [p.name for p in out.iterdir()] == ["file"]
    dialog.file.setText(str(out / "walk.mp4"))
    assert not dialog.start_export() and "GIF animation file name ends in .gif" in dialog.status.text()


def test_without_imageio_ffmpeg_mp4_is_off_and_the_dialog_says_what_to_install(qtbot, window, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed
    dialog = open_dialog(window)
    item = dialog.format.model().item(dialog.format.findData("mp4"))
    assert not item.isEnabled() and item.toolTip() == MP4_MISSING
    assert f"MP4: {MP4_MISSING}" in dialog.note.text() and "pip install" in dialog.note.text()


@pytest.mark.parametrize("what", ["path", "timelapse"])
def test_mp4_reads_back_with_the_right_frames_and_size(qtbot, window, out, what, with_frames):
    import imageio_ffmpeg

    assert window.open_checkpoint(with_frames) is None
    wait_for_map(qtbot, window)
    dialog = open_dialog(window, steps=5)
    choose(dialog.what, what)
    choose(dialog.format, "mp4")
    dialog.size.setValue(128)
    assert export(qtbot, dialog, out / "a.mp4").startswith("Saved")
    reader = imageio_ffmpeg.read_frames(str(out / "a.mp4"))
    meta = next(reader)
    count = sum(1 for _ in reader)
    expected = 5 if what == "path" else len(window.model.checkpoint.frames)
    assert (count, tuple(meta["size"])) == (expected, (256, 128) if what == "path" else (128, 128))
