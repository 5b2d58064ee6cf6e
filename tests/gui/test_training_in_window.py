"""Training from the explorer window: the live map, adopting the result, closing mid-training."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QMessageBox

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.live_training import LIVE_SUBSET as LIVE_INDICES
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.process_tuning import TRAINING_NICENESS


def configure(window, **overrides):
    panel = window.training_panel
    panel.val_limit = 200
    panel.apply_config(TrainConfig.book("vae", **{"epochs": 1, "batch_size": 50, "limit": 500, **overrides}))
    return panel


def test_training_moves_the_live_map_then_the_result_is_adopted(qtbot, window):
    window.actions[ActionKey.SHOW_TRAINING].trigger()
    assert window.training_dock.isVisible()
    panel = configure(window)
    before = window.model.encoded.z.copy()
    generation = window.pane.jobs.decoder.generation
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=120_000)
    qtbot.waitUntil(lambda: len(window.model.encoded) == len(LIVE_INDICES), timeout=10_000)
    assert "Training VAE" in window.latent_map.getPlotItem().titleLabel.text
    assert not np.allclose(window.model.encoded.z, before[LIVE_INDICES])  # the new model's positions
    assert window.pane.jobs.decoder.generation > generation  # the cursor decodes with the model being trained
    # the live map holds a subset: readouts name the test image, not the row of the subset
    row = int(np.argmax(np.abs(window.model.encoded.z[:, 0])))  # an outlying point: its own nearest neighbour
    x, y = window.model.encoded.z[row, :2]
    window.latent_map.set_cursor_position(float(x), float(y))
    assert window.model.encoded.test_id(row) == LIVE_INDICES[row] != row
    qtbot.waitUntil(lambda: f"#{LIVE_INDICES[row]} " in window.preview.nearest_text)
    assert panel.curves.n_steps == 10
    markers = panel.curves.epoch_steps
    with qtbot.waitSignal(window.mapReady, timeout=120_000):
        panel.adopt_button.click()
    assert window.model.checkpoint is panel.result and window.model.kind == "vae"
    assert len(window.model.encoded) == 10_000
    assert panel.curves.epoch_steps == markers == [10.0]  # one step axis, before and after


def test_the_live_map_shows_the_first_steps(qtbot, window):
    """Issue 12.1: the title stayed at "step 2" while training reached step 46."""
    panel = configure(window, epochs=500)
    arrived: dict[int, float] = {}
    panel.runner.step.connect(lambda event: arrived.setdefault(event.global_step, time.monotonic()))
    shown: list[tuple[float, int]] = []
    panel.snapshotReady.connect(lambda update: shown.append((time.monotonic(), update.snapshot.global_step)))
    assert panel.start()
    try:
        qtbot.waitUntil(lambda: any(step >= 1 for _, step in shown), timeout=60_000)
        title = window.latent_map.getPlotItem().titleLabel.text
    finally:
        panel.runner.stop()
        qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=60_000)
    # The first trained snapshot is of the first steps (the snapshot thread takes the newest weights as
    # soon as it is free), not of a step training reached long after (the bug: step 2 shown at step 46).
    # Counted in steps, which slow down with the machine as the snapshots do; how long it takes is
    # benchmarks/training_responsiveness.py's live_map_lag (speed is measured there, not asserted here).
    first_step = next(step for _, step in shown if step >= 1)
    assert first_step <= 20, (shown, arrived)
    assert f"step {first_step}" in title or "map updating" in title


def test_closing_during_the_test_pass_stops_within_about_a_second(qtbot, window, monkeypatch, capfd):
    """Issue 12.3: the 10,000-image test pass at an epoch's end could not be interrupted."""
    panel = configure(window, epochs=3)
    panel.val_limit = None  # the whole test set, as in the app
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    timing: dict[str, float] = {}

    def close_at_the_epochs_end(event) -> None:
        if event.step == event.steps_per_epoch and "closed" not in timing:  # the test pass starts now
            started = time.monotonic()
            window.close()
            timing["closed"] = time.monotonic() - started

    panel.runner.step.connect(close_at_the_epochs_end)
    assert panel.start()
    qtbot.waitUntil(lambda: "closed" in timing, timeout=120_000)
    # The window's own limit for the training thread to stop (stop_training_s in the benchmark says how
    # fast it is): a test pass that could not be interrupted overran it and printed "did not stop in time".
    assert panel.runner.shutdown(timeout_ms=0)  # nothing left to wait for: the training thread has ended
    assert "did not stop in time" not in capfd.readouterr().err


def test_closing_mid_training_asks_and_can_be_refused(qtbot, window, monkeypatch):
    panel = configure(window, epochs=500)
    panel.start()
    qtbot.waitUntil(lambda: panel.curves.n_steps >= 2, timeout=60_000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.close()
    assert window.isVisible() and panel.runner.is_running
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.close()
    assert not window.isVisible()
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().activeThreadCount() == 0
    assert panel.runner.shutdown(timeout_ms=0)  # nothing left to wait for: the training thread has ended


def niced_threads() -> set[int]:
    """The ids of this process' threads that run at the training thread's priority (Linux: /proc)."""
    found = set()
    for name in os.listdir("/proc/self/task"):
        try:
            if os.getpriority(os.PRIO_PROCESS, int(name)) == TRAINING_NICENESS:
                found.add(int(name))
        except OSError:  # the thread ended meanwhile
            pass
    return found


def test_the_training_thread_gives_way_to_the_gui_and_its_priority_does_not_outlive_the_run(qtbot, window):
    panel = configure(window, epochs=5)
    linux = sys.platform.startswith("linux")  # per-thread nice values; elsewhere nothing changes
    seen: set[int] = set()  # threads at the training priority while the run trains
    steps: list[int] = []

    def look(event) -> None:
        steps.append(event.global_step)
        if linux:
            seen.update(niced_threads())

    panel.runner.step.connect(look)
    assert panel.start()
    qtbot.waitUntil(lambda: bool(seen) if linux else bool(steps), timeout=120_000)
    panel.runner.stop()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=60_000)
    gui_tid = threading.get_native_id()
    assert gui_tid not in seen and os.getpriority(os.PRIO_PROCESS, gui_tid) == 0
    if linux:  # the threads are gone with their run (a lowered priority cannot be raised without privileges)
        qtbot.waitUntil(lambda: not any(Path(f"/proc/self/task/{tid}").exists() for tid in seen), timeout=5_000)


def test_loading_a_checkpoint_shows_its_saved_curves(qtbot, window, test_set, tmp_path):
    from gaerchen_gui.core.checkpoints import make_metadata, save_checkpoint
    from gaerchen_gui.core.training import Trainer

    config = TrainConfig.book("vae", limit=300, epochs=2, batch_size=50, compile="off")
    trainer = Trainer(config, train_set=test_set.subset(300), test_set=test_set, val_limit=200)
    for _ in trainer.run():
        pass
    meta = make_metadata(trainer.model, config=config.to_dict(), epochs_trained=2, history=trainer.history)
    path = save_checkpoint(tmp_path / "with_history.pt", trainer.model, meta)
    assert window.open_checkpoint(path) is None
    curves = window.training_panel.curves
    assert curves.kind == "vae" and curves.n_steps == 12 and len(curves.epoch_steps) == 2
