"""The time-lapse scrubber in the window, on real recorded runs: the map at a frame, the loss curves'
step line, the probes, the keys, playback, compare panes, and scrubbing back while a run trains."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import hover_over, move_mouse
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from gaerchen_gui.core.checkpoints import save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.gui.scrubber import NO_FRAMES

F16 = {"rtol": 2e-3, "atol": 2e-3}  # the frames' codes are float16: about three significant digits


@pytest.fixture
def saved_runs(recorded_runs, tmp_path):
    """``saved(kind, epochs, frames)``: a recorded run saved as a checkpoint file; its path and Checkpoint."""

    def saved(kind: str = "ae", epochs: int = 2, frames: int = 8, latent_dim: int = 2):
        checkpoint, _ = recorded_runs(kind, epochs, frames, latent_dim)
        path = tmp_path / f"{kind}-{epochs}-{frames}-{latent_dim}d.pt"
        if not path.exists():
            save_checkpoint(path, checkpoint.model, checkpoint.metadata)
        return path, checkpoint

    return saved


def show_file(qtbot, window, path, pane=None):
    pane = pane or window.pane
    assert window.open_checkpoint(path, state=pane.state) is None
    qtbot.waitUntil(
        lambda: pane.state.checkpoint.path == path and pane.state.encoded is not None and len(pane.state.encoded) > 0,
        timeout=120_000,
    )
    return pane


def test_the_last_frame_equals_the_final_map_and_live_returns_to_it(qtbot, window, saved_runs):
    path, checkpoint = saved_runs("ae")
    pane = show_file(qtbot, window, path)
    window.show_training(True)
    scrubber, layer, frames = pane.timelapse.scrubber, pane.timelapse.layer, checkpoint.frames
    assert scrubber.body.isVisible() and not scrubber.note.isVisible()
    assert scrubber.slider.maximum() == len(frames) and scrubber.slider.value() == len(frames)  # at "Live"
    scrubber.slider.setValue(len(frames) - 1)
    encoded, live = window.model.encoded, frames.live_indices.numpy()
    assert layer.shown and not window.latent_map.scatter.isVisible()
    np.testing.assert_allclose(layer.points.positions, encoded.z[live], **F16)
    np.testing.assert_array_equal(layer.points.labels, encoded.labels[live])
    assert scrubber.label.text() == "step 24 of 24, epoch 2.00"
    title = window.latent_map.getPlotItem().titleLabel.text
    assert title == "AE · frame at step 24 of 24"
    assert window.training.step_marker.step == 24
    np.testing.assert_array_equal(scrubber.probe_strip.images, frames.probes[-1].numpy())
    scrubber.slider.setValue(2)  # an earlier frame: its own codes, its own step on the curves
    np.testing.assert_allclose(layer.points.positions, frames.codes[2].float().numpy(), **F16)
    assert window.training.step_marker.step == int(frames.steps[2])
    qtbot.mouseClick(scrubber.live_button, Qt.MouseButton.LeftButton)
    latent_map = window.latent_map
    assert not layer.shown and latent_map.scatter.isVisible() and window.training.step_marker.step is None
    assert latent_map.getPlotItem().titleLabel.text == pane.title()  # the map's own title again
    assert scrubber.slider.value() == len(frames)
    # Hovering: the map's own points answer the mouse; a frame's do not (they are not where those are).
    target = encoded.z[live[0]]
    pos = hover_over(qtbot, latent_map, target)
    scrubber.slider.setValue(0)
    assert latent_map.hovered_index is None
    last = [0.0]
    for offset in (QPoint(20, 20), QPoint(0, 0)):
        move_mouse(latent_map.viewport(), pos + offset, last)
    qtbot.wait(50)
    assert latent_map.hovered_index is None
    scrubber.slider.setValue(len(frames))  # the slider's right end is "Live" too
    hover_over(qtbot, latent_map, target)


def test_a_wide_model_s_frames_are_seen_through_the_map_s_projection(qtbot, window, saved_runs):
    path, checkpoint = saved_runs("vae", epochs=1, frames=4, latent_dim=8)
    pane = show_file(qtbot, window, path)
    assert pane.state.projection is not None  # an 8-D model's map: its principal plane
    pane.timelapse.scrubber.slider.setValue(3)
    live = checkpoint.frames.live_indices.numpy()
    points = pane.timelapse.layer.points.positions
    np.testing.assert_allclose(points, pane.state.encoded.z[live], rtol=2e-3, atol=5e-3 * np.abs(points).max())


def test_a_model_without_frames_says_so_in_the_scrubber_s_place(window):
    scrubber = window.pane.timelapse.scrubber
    assert window.model.checkpoint.frames is None  # the tiny shipped models were saved without frames
    assert not scrubber.body.isVisible() and scrubber.note.isVisible() and scrubber.note.text() == NO_FRAMES


def test_keys_step_through_frames_and_playback_runs_to_the_live_map(qtbot, window, saved_runs):
    path, checkpoint = saved_runs("ae")
    pane = show_file(qtbot, window, path)
    timelapse = pane.state.timelapse
    window.activateWindow()
    window.latent_map.setFocus()
    qtbot.waitUntil(lambda: window.latent_map.hasFocus())
    QTest.keyClick(window.latent_map, Qt.Key.Key_Comma)
    QTest.keyClick(window.latent_map, Qt.Key.Key_Comma)
    assert timelapse.position == len(checkpoint.frames) - 2
    QTest.keyClick(window.latent_map, Qt.Key.Key_Period)
    assert timelapse.position == len(checkpoint.frames) - 1
    timelapse.seek(0)
    seen: list = []
    timelapse.position_changed.connect(seen.append)
    pane.timelapse.scrubber.speed.setCurrentIndex(pane.timelapse.scrubber.speed.count() - 1)
    pane.timelapse.scrubber.speed.activated.emit(pane.timelapse.scrubber.speed.count() - 1)
    QTest.keyClick(window.latent_map, Qt.Key.Key_K)
    assert timelapse.playing and pane.timelapse.scrubber.play_button.text() == "⏸"
    qtbot.waitUntil(lambda: not timelapse.playing, timeout=10_000)
    assert seen == [*range(1, len(checkpoint.frames)), None]  # every frame, then the live map
    assert not pane.timelapse.layer.shown


def test_compare_panes_scrub_together(qtbot, window, saved_runs):
    window.resize(1400, 900)
    window.set_compare(True)
    first, second = window.panes.panes[:2]
    show_file(qtbot, window, saved_runs("ae")[0], first)
    path, vae = saved_runs("vae", epochs=2, frames=8)  # the same schedule of steps
    show_file(qtbot, window, path, second)
    first.timelapse.scrubber.slider.setValue(4)
    assert second.state.timelapse.position == 4 and second.timelapse.layer.shown
    np.testing.assert_allclose(second.timelapse.layer.points.positions, vae.frames.codes[4].float().numpy(), **F16)
    second.timelapse.scrubber.slider.setValue(second.timelapse.scrubber.slider.maximum())
    assert first.state.timelapse.position is None and not first.timelapse.layer.shown


def test_frames_reach_the_scrubber_while_a_run_trains_and_it_scrubs_back(qtbot, window):
    panel = window.training_panel
    panel.val_limit = 200
    # 1,000 steps of 50 images: a frame budget of 12, taken densely early (steps 0, 1-3, 6, ...)
    panel.apply_config(TrainConfig.book("ae", epochs=100, batch_size=50, limit=500))
    timelapse, layer = window.model.timelapse, window.pane.timelapse.layer
    assert panel.start()
    try:
        qtbot.waitUntil(lambda: len(timelapse) >= 3 and window.model.live is not None, timeout=120_000)
        assert timelapse.recording and panel.runner.is_running
        window.pane.timelapse.scrubber.slider.setValue(1)
        count = len(timelapse)
        np.testing.assert_array_equal(layer.points.positions, timelapse.codes(1)[:, :2])
        qtbot.waitUntil(lambda: len(timelapse) > count, timeout=120_000)  # training goes on, frames come
        assert timelapse.position == 1 and layer.shown and window.pane.timelapse.scrubber.slider.value() == 1
        title = f"AE · frame at step {timelapse.steps[1]:,} of {timelapse.total_steps:,}"
        assert window.latent_map.getPlotItem().titleLabel.text == title  # not the live map's step
    finally:
        panel.runner.stop()
        qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=60_000)
    assert not timelapse.recording
    kept = panel.result.frames  # the frames the stopped run keeps (its last one: the step it stopped at)
    assert timelapse.steps == kept.steps.tolist()
    np.testing.assert_allclose(timelapse.codes(len(timelapse) - 1), kept.codes[-1].float().numpy())
