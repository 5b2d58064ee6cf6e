"""A 900 x 600 window stays 900 x 600 whatever is open in it."""

from __future__ import annotations

from pathlib import Path

from gui_support import wait_for_map

from gaerchen_gui.gui.actions import ActionKey

SHIPPED_AE = Path(__file__).resolve().parents[2] / "models" / "ae.pt"  # carries a time-lapse: the scrubber shows


def test_a_model_with_a_time_lapse_and_the_training_dock_fit_in_900_by_600(qtbot, make_window):
    window = make_window(None)
    window.resize(900, 600)
    assert window.open_checkpoint(SHIPPED_AE, quiet=True) is None
    wait_for_map(qtbot, window)
    scrubber = window.panes.panes[0].timelapse.scrubber
    window.actions[ActionKey.SHOW_TRAINING].trigger()
    qtbot.waitUntil(lambda: window.training_dock.isVisible() and scrubber.isVisible())
    qtbot.wait(200)  # the layout settles
    assert window.minimumSizeHint().height() <= 600
    assert (window.width(), window.height()) == (900, 600)
