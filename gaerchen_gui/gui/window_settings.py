"""What the explorer window remembers between launches: its size and place, its docks and toolbar,
the splitter between the panes and the side panel, the compare panes and the view toggles.

Qt saves geometry and dock layout as opaque blobs (``saveGeometry``/``saveState``); toggles
are kept by their action's name. :class:`~gaerchen_gui.gui.settings.Settings` stores them all.
"""

from __future__ import annotations

from PySide6.QtCore import QSize

from gaerchen_gui.gui.actions import ACTIONS, ActionKey

DEFAULT_SIZE = QSize(1400, 900)  # the first launch's size, and when the saved geometry no longer fits
# Toggles remembered between launches, by their action's name.
PERSISTED_TOGGLES = (
    ActionKey.LOCK_ASPECT,
    ActionKey.SHOW_LEGEND,
    ActionKey.SHOW_SAMPLES,
    ActionKey.SHOW_TRAIN_POINTS,
    ActionKey.SMOOTH_PREVIEW,
    ActionKey.SHOW_MANIFOLD,
    ActionKey.LINK_VIEWS,
)


def restore_window(window) -> None:  # the ExplorerWindow, once its widgets and actions exist
    settings = window.settings
    geometry = settings.geometry
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(DEFAULT_SIZE)
    state = settings.window_state
    if state is not None:
        window.restoreState(state)
    splitter = settings.splitter_state
    if splitter is not None:
        window.splitter.restoreState(splitter)
    for key in PERSISTED_TOGGLES:
        action = window.actions[key]
        action.setChecked(settings.flag(key.value, ACTIONS[key].checked))
        ACTIONS[key].on_toggled(window, action.isChecked())  # toggled() fires only on a change
        action.toggled.connect(lambda on, name=key.value: settings.set_flag(name, on))
    window.side.restore(settings)


def save_window(window) -> None:  # the ExplorerWindow, as it closes
    settings = window.settings
    settings.geometry = window.saveGeometry()
    settings.window_state = window.saveState()
    settings.splitter_state = window.splitter.saveState()
    window.panes.remember(settings)
    settings.sync()
