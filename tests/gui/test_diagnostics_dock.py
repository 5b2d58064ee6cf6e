"""The VAE diagnostics dock: KL per dimension of the active model, for a loaded VAE and live while training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.diagnostics import diagnose_model
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.diagnostics_dock import JOB
from gaerchen_gui.gui.diagnostics_panel import DiagnosticsPanel


def test_the_dock_explains_itself_for_an_ae_and_diagnoses_a_vae(qtbot, window, test_set):
    window.actions[ActionKey.SHOW_DIAGNOSTICS].trigger()
    panel = window.diagnostics.panel
    assert window.diagnostics.visible
    assert "for VAEs" in panel.summary_text and "AE (ae.pt)" in panel.title_text
    assert panel.kl_bar_heights().size == 0
    assert window.show_shipped("vae") is None
    qtbot.waitUntil(lambda: panel.kl_bar_heights().size == 2, timeout=60_000)
    state = window.model
    expected = diagnose_model(
        state.checkpoint.model, test_set.images, test_set.labels.numpy(), state.checkpoint.metadata["beta"]
    )
    np.testing.assert_allclose(panel.kl_bar_heights(), expected.latent.kl_per_dim, rtol=1e-5)
    assert state.diagnostics.n_images == 10_000
    assert f"Active units: <b>{expected.latent.n_active} of 2</b>" in panel.summary_text
    assert "10,000 test images" in panel.summary_text and "VAE (vae.pt)" in panel.title_text
    # Back to the AE: its state has no diagnostics, the panel says why.
    assert window.show_shipped("ae") is None
    assert "for VAEs" in panel.summary_text and panel.kl_bar_heights().size == 0


def test_nothing_is_computed_while_the_dock_is_closed(qtbot, make_window):
    window = make_window("vae")
    assert not window.diagnostics.visible
    qtbot.wait(200)
    assert window.model.diagnostics is None
    window.actions[ActionKey.SHOW_DIAGNOSTICS].trigger()
    qtbot.waitUntil(lambda: window.model.diagnostics is not None, timeout=60_000)
    window.actions[ActionKey.SHOW_DIAGNOSTICS].trigger()
    assert not window.diagnostics.visible and not window.actions[ActionKey.SHOW_DIAGNOSTICS].isChecked()


def test_diagnostics_follow_the_model_being_trained(qtbot, make_window):
    window = make_window("vae")
    window.diagnostics.show(True)
    panel = window.training_panel
    panel.val_limit = 200
    panel.apply_config(TrainConfig.book("vae", epochs=1, batch_size=50, limit=1000, beta=2.0))
    assert panel.start()
    dock = window.diagnostics.panel
    qtbot.waitUntil(lambda: "The model being trained: step" in dock.title_text, timeout=120_000)
    assert "Live, on the 2,000 test images" in dock.summary_text
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=120_000)
    qtbot.waitUntil(lambda: "step 20" in dock.title_text, timeout=30_000)  # 1,000 images / 50: the last snapshot
    assert window.model.diagnostics.beta == 2.0


def test_the_collapse_alarm_shows_in_plain_words(qtbot):
    from gaerchen_gui.core.diagnostics import diagnose

    panel = DiagnosticsPanel()
    qtbot.addWidget(panel)
    panel.show()
    collapsed = diagnose(np.random.default_rng(0).normal(size=(100, 4)) * 1e-3, np.zeros((100, 4)))
    panel.show_diagnostics(collapsed, title="VAE (beta1.pt)", beta=1.0, recon_term=150.0)
    assert "Posterior collapse: only 0 of 4" in panel.alarm_text and "Raise BETA (now 1)" in panel.alarm_text
    assert "150" in panel.summary_text
    healthy = diagnose(np.random.default_rng(0).normal(size=(100, 4)), np.full((100, 4), -4.0))
    panel.show_diagnostics(healthy, title="VAE", beta=500.0, recon_term=120.0)
    assert panel.alarm_text == "" and panel.kl_bar_heights().size == 4


def test_a_failing_pass_is_reported_in_the_panel(qtbot, make_window, monkeypatch):
    import gaerchen_gui.gui.diagnostics_dock as dock_module

    def broken(*args):
        raise torch.cuda.OutOfMemoryError("out of memory")

    monkeypatch.setattr(dock_module, "diagnose_model", broken)
    window = make_window("vae")
    window.diagnostics.show(True)
    panel = window.diagnostics.panel
    qtbot.waitUntil(lambda: "could not be computed" in panel.summary_text, timeout=30_000)
    assert "out of memory" in panel.summary_text and JOB == "diagnostics"


def test_on_a_small_screen_the_dock_floats_or_joins_the_training_dock_and_the_window_keeps_its_size(qtbot, make_window):
    from PySide6.QtCore import Qt

    from gaerchen_gui.gui.actions import ActionKey

    small = make_window("vae", settings_file="small.ini")
    small.resize(900, 600)
    small.actions[ActionKey.COMPARE_AE_VAE].trigger()  # two panes and the strip under them: the tallest layout
    qtbot.waitUntil(lambda: len(small.panes.panes) == 2)
    small.diagnostics.show(True)
    qtbot.wait(200)  # the layout settles
    assert small.diagnostics.dock.isFloating() and small.diagnostics.visible
    assert (small.width(), small.height()) == (900, 600)
    with_training = make_window("vae", settings_file="small-training.ini")
    with_training.resize(900, 600)
    with_training.actions[ActionKey.SHOW_TRAINING].trigger()
    with_training.diagnostics.show(True)
    assert with_training.dockWidgetArea(with_training.diagnostics.dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert with_training.tabifiedDockWidgets(with_training.training_dock) == [with_training.diagnostics.dock]
    wide = make_window("vae", settings_file="wide.ini")
    wide.resize(1400, 900)
    wide.diagnostics.show(True)
    assert wide.dockWidgetArea(wide.diagnostics.dock) == Qt.DockWidgetArea.RightDockWidgetArea
    qtbot.waitUntil(lambda: wide.diagnostics.dock.width() >= 280, timeout=5_000)  # once the layout has run


def test_a_loaded_vaes_diagnostics_reuse_its_maps_posterior(qtbot, make_window, test_set):
    window = make_window("vae")
    state = window.model
    model = state.checkpoint.model
    calls = {"encoder": 0, "decoder": 0}
    hooks = [
        getattr(model, part).register_forward_hook(lambda *a, p=part: calls.__setitem__(p, calls[p] + 1))
        for part in calls
    ]
    try:
        window.diagnostics.show(True)
        qtbot.waitUntil(lambda: state.diagnostics is not None, timeout=60_000)
    finally:
        for hook in hooks:
            hook.remove()
    assert calls["encoder"] == 0 and calls["decoder"] >= 20  # 10,000 test images decoded in batches of 500
    expected = diagnose_model(model, test_set.images, test_set.labels.numpy(), state.checkpoint.metadata["beta"])
    np.testing.assert_allclose(state.diagnostics.latent.kl_per_dim, expected.latent.kl_per_dim, rtol=1e-6)
    np.testing.assert_allclose(state.diagnostics.latent.mean_sigma, expected.latent.mean_sigma, rtol=1e-6)
    assert state.diagnostics.recon_term == pytest.approx(expected.recon_term, rel=1e-6)
