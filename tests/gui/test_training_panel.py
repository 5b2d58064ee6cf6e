"""The training dock on its own: real (small) runs on a worker thread, offscreen."""

import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.live_training import LiveSet
from gaerchen_gui.gui.training_panel import TrainingPanel


@pytest.fixture
def panel(qtbot, test_set):
    widget = TrainingPanel()
    qtbot.addWidget(widget)
    widget.live_set = LiveSet.of(test_set.images[:300], test_set.labels[:300].numpy())
    widget.val_limit = 200
    widget.apply_config(TrainConfig.book("ae", epochs=2, batch_size=50, limit=300))
    widget.show()
    yield widget
    widget.shutdown(5000)


def wait_until_idle(qtbot, panel, timeout=120_000):
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=timeout)


def test_a_short_real_run_updates_curves_and_map(qtbot, panel):
    snapshots = []
    panel.snapshotReady.connect(snapshots.append)
    assert panel.start()
    wait_until_idle(qtbot, panel)
    assert panel.curves.n_steps == 12
    assert len(panel.curves.epoch_steps) == 2
    assert len(snapshots) >= 2 and snapshots[-1].snapshot.embeddings.shape == (300, 2)
    assert len(snapshots[-1].index) == 300  # the nearest-image index comes built from the worker
    assert not torch.equal(snapshots[0].snapshot.embeddings, snapshots[-1].snapshot.embeddings)
    assert panel.result is not None and panel.result.metadata["epochs_trained"] == 2
    assert "Trained 2 epochs" in panel.message.text()
    assert panel.adopt_button.isEnabled() and panel.start_button.isEnabled()


def test_adopt_save_and_reload_with_history(qtbot, panel, tmp_path):
    panel.start()
    wait_until_idle(qtbot, panel)
    with qtbot.waitSignal(panel.modelAdopted) as adopted:
        panel.adopt_button.click()
    assert adopted.args[0] is panel.result
    path = panel.save_result(tmp_path / "trained.pt").path
    loaded = load_checkpoint(path)
    assert loaded.kind == "ae" and len(loaded.history.steps) == 12 and len(loaded.history.epochs) == 2
    z = torch.randn(3, 2)
    torch.testing.assert_close(loaded.model.decode(z), panel.result.model.decode(z))
    panel.curves.show_history(loaded.history, loaded.kind)
    assert panel.curves.n_steps == 12


def test_pause_resume_and_stop(qtbot, panel):
    panel.apply_config(TrainConfig.book("ae", epochs=50, batch_size=50, limit=300))
    panel.start()
    qtbot.waitUntil(lambda: panel.curves.n_steps >= 2, timeout=60_000)
    with qtbot.waitSignal(panel.runner.paused, timeout=10_000) as paused:
        panel.pause_button.click()
    assert paused.args == [True] and panel.status.text().startswith("Paused at step ")
    steps_when_paused = panel.curves.n_steps
    qtbot.wait(500)
    assert panel.curves.n_steps <= steps_when_paused + 1  # at most the step that was running
    # images/s and the ETA describe a running loop: not on screen while paused (issue 12.6)
    assert "images/s" not in panel.status.text() and "ETA" not in panel.status.text()
    panel.pause_button.click()  # resume
    assert panel.status.text() == "Resuming…"
    qtbot.waitUntil(lambda: panel.curves.n_steps > steps_when_paused + 1, timeout=60_000)
    qtbot.waitUntil(lambda: "images/s" in panel.status.text(), timeout=10_000)
    panel.stop_button.click()
    wait_until_idle(qtbot, panel)
    assert "Stopped by request" in panel.message.text()
    # the rule of core/run_result.py, in the same words as the command line's
    assert "Kept the weights of step" in panel.message.text() and panel.status.text().startswith("Stopped at step")
    assert panel.result is not None
    assert len(panel.result.history.steps) == panel.progress.value()  # the weights of the stopping step


def test_epoch_markers_stay_put_when_a_run_stopped_mid_epoch_is_shown_again(qtbot, panel):
    """Issue 12.2: test points at steps 6 and 12 during the run, not 7.5 and 15 after it."""
    panel.apply_config(TrainConfig.book("ae", epochs=5, batch_size=50, limit=300))  # 6 steps an epoch
    panel.start()
    qtbot.waitUntil(lambda: panel.curves.n_steps >= 15, timeout=60_000)
    panel.stop_button.click()
    wait_until_idle(qtbot, panel)
    during = panel.curves.epoch_steps
    assert during[:2] == [6.0, 12.0]
    panel.show_model_history(panel.result)  # as "Use in explorer" and opening a saved run do
    assert panel.curves.epoch_steps == during
    assert panel.curves.caption.text() == "history of the unsaved model"


def test_a_run_stopped_before_its_first_step_keeps_nothing(qtbot, panel):
    panel.start()
    panel.stop_button.click()
    wait_until_idle(qtbot, panel)
    assert panel.result is None and not panel.adopt_button.isEnabled()
    assert "nothing is kept" in panel.message.text()


def test_second_run_cannot_start_while_one_runs(qtbot, panel):
    panel.apply_config(TrainConfig.book("ae", epochs=50, batch_size=50, limit=300))
    assert panel.start()
    assert not panel.start_button.isEnabled()
    assert not panel.start()
    assert "already in progress" in panel.message.text()
    panel.runner.stop()
    wait_until_idle(qtbot, panel)


@pytest.mark.parametrize(
    "setup, reason",
    [
        (lambda p: p.form.learning_rate.setText("fast"), "learning rate must be a number"),
        (lambda p: p.form.learning_rate.setText("0"), "learning rate must be a number in (0, 10]"),
        (lambda p: (p.form.model_kind.setCurrentIndex(1), p.form.beta.setValue(0.0)), "beta must be"),
    ],
)
def test_invalid_values_are_refused_before_anything_starts(qtbot, panel, setup, reason):
    setup(panel)
    assert not panel.start()
    assert reason in panel.message.text()
    assert not panel.runner.is_running


def test_nan_keeps_the_last_good_weights_and_says_what_to_try(qtbot, panel):
    panel.apply_config(TrainConfig.book("vae", epochs=2, batch_size=50, limit=300, lr=10.0))
    panel.start()
    wait_until_idle(qtbot, panel)
    assert "lower learning rate" in panel.message.text()
    assert panel.result is not None
    assert all(torch.isfinite(p).all() for p in panel.result.model.parameters())


def test_an_exception_in_the_worker_shows_a_dialog(qtbot, panel, monkeypatch):
    import gaerchen_gui.gui.training_runner as runner_module

    def broken_trainer(*args, **kwargs):
        raise MemoryError("simulated: out of memory while loading")

    shown = []
    monkeypatch.setattr(runner_module, "Trainer", broken_trainer)
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args))
    panel.start()
    wait_until_idle(qtbot, panel)
    assert shown and "out of memory" in shown[0][2]
    assert "Training failed" in panel.message.text() and panel.result is None
    assert panel.start_button.isEnabled()


def test_shutdown_mid_training_ends_the_worker_within_its_limit(qtbot, panel):
    panel.apply_config(TrainConfig.book("ae", epochs=500, batch_size=50, limit=300))
    panel.start()
    qtbot.waitUntil(lambda: panel.curves.n_steps >= 2, timeout=60_000)
    assert panel.shutdown(2000)  # False if the worker was still running when the limit passed
    assert not panel.runner.is_running or panel.runner.shutdown(timeout_ms=0)


def test_the_panel_offers_exactly_the_ranges_the_config_accepts(qtbot):
    """One table of limits (core/config.py): the panel's spin boxes and the CLI's validation agree."""
    from gaerchen_gui.core.config import EXPLORER_LATENT_DIMS, LIMITS, ConfigError, TrainConfig

    panel = TrainingPanel()
    qtbot.addWidget(panel)
    boxes = {
        "epochs": panel.form.epochs,
        "batch_size": panel.form.batch_size,
        "seed": panel.form.seed,
        "limit": panel.form.train_size,
        "kl_warmup_steps": panel.form.kl_warmup,
    }
    for name, box in boxes.items():
        limit = LIMITS[name]
        assert (box.minimum(), box.maximum()) == (limit.low, limit.high), name
        field = "limit" if name == "limit" else name
        TrainConfig(**{field: int(limit.high)}).validated()
        with pytest.raises(ConfigError, match=limit.label):
            TrainConfig(**{field: int(limit.high) + 1}).validated()
    assert panel.form.beta.maximum() == LIMITS["beta"].high
    # the latent sizes the explorer can show: within what the config accepts
    latent = panel.form.latent_dim
    assert (latent.minimum(), latent.maximum()) == EXPLORER_LATENT_DIMS
    assert LIMITS["latent_dim"].low <= latent.minimum() and latent.maximum() <= LIMITS["latent_dim"].high


def test_latent_size_and_kl_warm_up_go_into_the_config(qtbot):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.apply_config(TrainConfig.book("vae", latent_dim=8, kl_warmup_steps=500))
    assert panel.form.latent_dim.value() == 8 and panel.form.kl_warmup.value() == 500
    config = panel.config()
    assert config.latent_dim == 8 and config.kl_warmup_steps == 500
    panel.form.model_kind.setCurrentIndex(panel.form.model_kind.findData("ae"))
    assert not panel.form.kl_warmup.isEnabled() and panel.config().kl_warmup_steps == 0  # a VAE-only setting
    assert panel.form.kl_warmup.specialValueText() == "off"
