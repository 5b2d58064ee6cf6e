"""The live loss curves: ranges that hold still while a run feeds them, and the user's zoom respected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gaerchen_gui.core.training import StepEvent
from gaerchen_gui.gui.loss_curves import LossCurves, ema


def step(i: int, total_steps: int, loss: float, recon: float = 0.0, kl: float = 0.0) -> StepEvent:
    return StepEvent(
        epoch=1, step=i, steps_per_epoch=total_steps, global_step=i, total_steps=total_steps,
        loss=loss, recon=recon, kl=kl, images_per_s=500.0, eta_s=1.0, finished_at=float(i),
    )  # fmt: skip


@pytest.fixture
def curves(qtbot):
    widget = LossCurves()
    qtbot.addWidget(widget)
    widget.resize(1200, 300)
    widget.show()
    return widget


@pytest.fixture
def feed(qtbot):
    """Add steps as a run does, then wait for the curves' next redraw to draw them (it runs on a timer)."""

    def add(curves, steps, total, losses):
        for i, loss in zip(steps, losses, strict=True):
            curves.add_step(step(i, total, loss, recon=loss * 0.9, kl=loss * 0.1))
        last = steps[-1]
        qtbot.waitUntil(lambda: curves.raw_curve.xData is not None and curves.raw_curve.xData[-1] == last)

    return add


def y_range(plot):
    return plot.vb.viewRange()[1]


def test_a_live_run_spans_the_step_axis_and_moves_the_loss_axis_only_when_needed(curves, feed):
    curves.reset("vae")
    feed(curves, range(1, 51), 1000, np.linspace(300, 200, 50))
    (x0, x1), _ = curves.total_plot.vb.viewRange()
    assert x0 <= 0 and 100 <= x1 < 110  # the first span, from the first step
    y0, y1 = y_range(curves.total_plot)
    assert y0 <= 200 and y1 >= 300
    # more steps within the range: the axes stay as they are (so their cached pixmaps stay valid)
    feed(curves, range(51, 101), 1000, np.linspace(290, 210, 50))
    assert y_range(curves.total_plot) == [y0, y1]
    assert curves.total_plot.vb.viewRange()[0] == [x0, x1]
    # a curve that leaves the range moves it; the step axis doubled when the steps passed 100
    feed(curves, range(101, 151), 1000, np.linspace(200, 100, 50))
    y0_new, _ = y_range(curves.total_plot)
    assert y0_new <= 100 < y0
    assert 200 <= curves.total_plot.vb.viewRange()[0][1] < 210
    feed(curves, range(151, 991), 1000, np.full(840, 150.0))
    assert 1000 <= curves.total_plot.vb.viewRange()[0][1] < 1011  # never beyond the run's length
    for plot in (curves.recon_plot, curves.kl_plot):  # VAE terms are fitted too
        low, high = y_range(plot)
        assert low < high


def test_the_loss_axis_follows_a_curve_that_shrank_to_a_sliver_of_it(curves, feed):
    curves.reset("ae")
    feed(curves, range(1, 11), 500, np.full(10, 0.6))
    feed(curves, range(11, 400), 500, np.full(389, 0.25))
    # a large drop early: the range keeps covering the early values but is refitted when the data moves
    low, high = y_range(curves.total_plot)
    assert low <= 0.25 and high >= 0.6


def test_a_zoom_by_the_user_is_left_alone(curves, feed):
    curves.reset("ae")
    feed(curves, range(1, 21), 500, np.linspace(0.5, 0.3, 20))
    curves.total_plot.vb.setYRange(0.31, 0.32, padding=0)
    curves.total_plot.vb.sigRangeChangedManually.emit([False, True])  # as a wheel or a drag does
    feed(curves, range(21, 41), 500, np.linspace(0.3, 0.1, 20))
    assert y_range(curves.total_plot) == pytest.approx([0.31, 0.32])


def test_a_saved_history_is_shown_with_automatic_ranges(curves, feed):
    curves.reset("ae")
    feed(curves, range(1, 21), 500, np.linspace(0.5, 0.3, 20))
    curves.reset("ae")  # e.g. a checkpoint's history follows
    assert all(curves.total_plot.vb.autoRangeEnabled())


def test_ema_is_bias_corrected_and_incremental():
    values = np.array([1.0, 1.0, 1.0, 3.0])
    np.testing.assert_allclose(ema(values, 0.5)[:3], 1.0)  # starts at the data, not at zero
    whole = ema(values, 0.9)
    part = ema(values[:2], 0.9)
    np.testing.assert_allclose(ema(values, 0.9, start=2, out=part.copy()), whole)


def test_the_key_is_beside_the_plots_not_over_the_curves(curves):
    """Issue 12.8: pyqtgraph legends sat on the curves (the KL plot's most)."""
    curves.reset("vae")
    assert all(plot.legend is None for plot in (curves.total_plot, curves.recon_plot, curves.kl_plot))
    assert "KL" in curves.key.text() and "test per epoch" in curves.key.text()
    curves.reset("ae")
    assert "KL" not in curves.key.text()


def test_a_checkpoints_history_is_captioned_with_its_name_and_a_run_clears_it(qtbot, tmp_path):
    """Issue 12.10: curves shown before any training belong to the loaded checkpoint."""
    from gaerchen_gui.core.checkpoints import load_checkpoint
    from gaerchen_gui.gui.training_panel import TrainingPanel

    panel = TrainingPanel()
    qtbot.addWidget(panel)
    shipped = load_checkpoint(Path(__file__).resolve().parents[2] / "models" / "vae.pt")
    panel.show_model_history(shipped)
    assert panel.curves.caption.text() == "history of vae.pt" and panel.curves.n_steps > 0
    panel.curves.reset("ae")  # what starting a run does
    assert panel.curves.caption.text() == ""
