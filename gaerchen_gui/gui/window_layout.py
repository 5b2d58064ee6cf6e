"""The explorer's menus and toolbar: which actions go where (what they do is in ``actions.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QToolBar

from gaerchen_gui.gui.actions import ActionKey

EXPORT_ACTIONS = (
    ActionKey.EXPORT_MAP_PNG,
    ActionKey.EXPORT_DECODED_PNG,
    ActionKey.EXPORT_SAMPLES_PNG,
    ActionKey.EXPORT_EMBEDDINGS_CSV,
    ActionKey.EXPORT_ANIMATION,
)


def build_toolbar(window) -> QToolBar:  # the ExplorerWindow
    a = window.actions
    toolbar = QToolBar("Model")
    toolbar.setObjectName("modelToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for key in (ActionKey.SHOW_AE, ActionKey.SHOW_VAE):
        toolbar.addAction(a[key])
        toolbar.widgetForAction(a[key]).setMinimumWidth(52)
    toolbar.addSeparator()
    toolbar.addAction(a[ActionKey.OPEN])
    toolbar.addSeparator()
    toolbar.addAction(a[ActionKey.RESAMPLE])
    toolbar.addAction(a[ActionKey.RESET_VIEW])
    toolbar.addSeparator()
    toolbar.addAction(a[ActionKey.COMPARE])
    toolbar.addAction(a[ActionKey.WALK])
    toolbar.addAction(a[ActionKey.SHOW_TRAINING])
    window.addToolBar(toolbar)
    return toolbar


def build_menus(window) -> QMenu:  # the ExplorerWindow
    """Fill the menu bar; returns the recent-files menu (filled each time it opens)."""
    a = window.actions
    menu_bar = window.menuBar()
    file_menu = menu_bar.addMenu("&File")
    file_menu.addAction(a[ActionKey.OPEN])
    file_menu.addAction(a[ActionKey.OPEN_IMAGES])
    recent_menu = file_menu.addMenu("Open &Recent")
    recent_menu.aboutToShow.connect(lambda: window.files.fill_recent_menu(recent_menu))
    file_menu.addSeparator()
    export_menu = file_menu.addMenu("&Export")
    for key in EXPORT_ACTIONS:
        export_menu.addAction(a[key])
    file_menu.addSeparator()
    file_menu.addAction(a[ActionKey.QUIT])

    view_menu = menu_bar.addMenu("&View")
    for key in (ActionKey.SHOW_AE, ActionKey.SHOW_VAE, None, ActionKey.RESAMPLE, ActionKey.RESET_VIEW, None):
        view_menu.addAction(a[key]) if key is not None else view_menu.addSeparator()
    for key in (
        ActionKey.LOCK_ASPECT,
        ActionKey.SHOW_LEGEND,
        ActionKey.SHOW_SAMPLES,
        ActionKey.SHOW_TRAIN_POINTS,
        ActionKey.SMOOTH_PREVIEW,
    ):
        view_menu.addAction(a[key])
    view_menu.addSeparator()
    view_menu.addAction(a[ActionKey.SHOW_MANIFOLD])
    view_menu.addAction(a[ActionKey.SHOW_COVERAGE])
    view_menu.addAction(a[ActionKey.WALK])
    view_menu.addSeparator()
    compare_menu = view_menu.addMenu("&Compare")
    for key in (ActionKey.COMPARE, ActionKey.COMPARE_AE_VAE, ActionKey.ADD_PANE, ActionKey.LINK_VIEWS):
        compare_menu.addAction(a[key])
    view_menu.addSeparator()
    view_menu.addAction(a[ActionKey.SHOW_TRAINING])
    view_menu.addAction(a[ActionKey.BETA_SWEEP])
    view_menu.addAction(a[ActionKey.SWEEP_RESULTS])
    view_menu.addAction(a[ActionKey.SHOW_DIAGNOSTICS])
    view_menu.addAction(a[ActionKey.SHOW_OWN_IMAGES])

    help_menu = menu_bar.addMenu("&Help")
    help_menu.addAction(a[ActionKey.ABOUT])
    return recent_menu
