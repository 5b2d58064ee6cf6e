"""Every menu item, toolbar button and shortcut of the explorer, declared in one place.

Each :class:`ActionInfo` carries its text, shortcut, tip and icon *and* what it
does (pymmcore-gui's pattern): ``on_triggered(window)`` or, for a toggle,
``on_toggled(window, checked)``. :func:`create_actions` makes the QActions and
connects them, so the window declares no connections of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QStyle


class ActionKey(str, Enum):
    SHOW_AE = "show_ae"
    SHOW_VAE = "show_vae"
    OPEN = "open"
    EXPORT_MAP_PNG = "export_map_png"
    EXPORT_DECODED_PNG = "export_decoded_png"
    EXPORT_SAMPLES_PNG = "export_samples_png"
    EXPORT_EMBEDDINGS_CSV = "export_embeddings_csv"
    EXPORT_ANIMATION = "export_animation"
    WALK = "walk"
    CLEAR_RECENT = "clear_recent"
    QUIT = "quit"
    RESAMPLE = "resample"
    RESET_VIEW = "reset_view"
    LOCK_ASPECT = "lock_aspect"
    SHOW_LEGEND = "show_legend"
    SHOW_SAMPLES = "show_samples"
    SMOOTH_PREVIEW = "smooth_preview"
    SHOW_TRAINING = "show_training"
    SHOW_DIAGNOSTICS = "show_diagnostics"
    SHOW_COVERAGE = "show_coverage"
    BETA_SWEEP = "beta_sweep"
    SWEEP_RESULTS = "sweep_results"
    SHOW_MANIFOLD = "show_manifold"
    SHOW_TRAIN_POINTS = "show_train_points"
    COMPARE = "compare"
    COMPARE_AE_VAE = "compare_ae_vae"
    ADD_PANE = "add_pane"
    LINK_VIEWS = "link_views"
    ABOUT = "about"
    SHOW_OWN_IMAGES = "show_own_images"
    OPEN_IMAGES = "open_images"


@dataclass(frozen=True)
class ActionInfo:
    text: str
    tip: str = ""
    shortcut: QKeySequence.StandardKey | str | None = None
    checkable: bool = False
    checked: bool = False  # the default for checkable toggles; settings may override it
    icon: QStyle.StandardPixmap | None = None
    on_triggered: Callable[[Any], object] | None = None  # called with the window
    on_toggled: Callable[[Any, bool], object] | None = None  # called with the window and the new state


ACTIONS: dict[ActionKey, ActionInfo] = {
    ActionKey.SHOW_TRAINING: ActionInfo(
        "Train",
        "Show the training panel: train an AE or a VAE and watch the map form",
        "Ctrl+T",
        checkable=True,
        icon=QStyle.StandardPixmap.SP_MediaPlay,
        on_toggled=lambda w, on: w.show_training(on),
    ),
    ActionKey.BETA_SWEEP: ActionInfo(
        "BETA Sweep…",
        "Train one VAE per BETA, one after another, with the training panel's settings",
        on_triggered=lambda w: w.training.show_sweep(),
    ),
    ActionKey.SWEEP_RESULTS: ActionInfo(
        "Sweep Results…",
        "Compare a BETA sweep's VAEs: their maps and samples side by side, and the rate-distortion plot",
        on_triggered=lambda w: w.sweep_results.show(),
    ),
    ActionKey.SHOW_COVERAGE: ActionInfo(
        "Holes and Coverage",
        "Shade the map's holes (far from every encoded image); for a VAE, the prior's and the aggregate "
        "posterior's contours",
        "Ctrl+H",
        checkable=True,
        on_toggled=lambda w, on: setattr(w.explorer.options, "show_coverage", on),
    ),
    ActionKey.SHOW_DIAGNOSTICS: ActionInfo(
        "VAE Diagnostics",
        "Show what the KL term does to the VAE: KL and sigma per latent dimension, active units, collapse",
        "Ctrl+D",
        checkable=True,
        on_toggled=lambda w, on: w.diagnostics.show(on),
    ),
    # Every toolbar action has an icon (the toolbar shows icon and text): a text-only button among
    # icon buttons read as a different kind of control. The two shipped models share one, their text tells
    # them apart. Qt's standard icons: no icon set to ship, and they follow the platform's theme.
    ActionKey.SHOW_AE: ActionInfo(
        "AE",
        "Show the shipped autoencoder (the book's AE, trained on Fashion-MNIST)",
        "Ctrl+1",
        checkable=True,
        icon=QStyle.StandardPixmap.SP_DriveHDIcon,
        on_triggered=lambda w: w.show_shipped("ae"),
    ),
    ActionKey.SHOW_VAE: ActionInfo(
        "VAE",
        "Show the shipped variational autoencoder (the book's VAE, BETA = 500)",
        "Ctrl+2",
        checkable=True,
        icon=QStyle.StandardPixmap.SP_DriveHDIcon,
        on_triggered=lambda w: w.show_shipped("vae"),
    ),
    ActionKey.COMPARE: ActionInfo(
        "Compare",
        "Show two to four models side by side under one cursor",
        "Ctrl+K",
        checkable=True,
        icon=QStyle.StandardPixmap.SP_FileDialogDetailedView,  # columns: panes side by side
        on_toggled=lambda w, on: w.set_compare(on),
    ),
    ActionKey.COMPARE_AE_VAE: ActionInfo(
        "AE vs VAE",
        "Compare the shipped AE and VAE side by side: the same cursor, two decoders",
        "Ctrl+Shift+K",
        on_triggered=lambda w: w.compare_shipped(),
    ),
    ActionKey.ADD_PANE: ActionInfo(
        "Add Pane", "Add a pane for another model (up to four)", on_triggered=lambda w: w.add_pane()
    ),
    ActionKey.LINK_VIEWS: ActionInfo(
        "Link Pan and Zoom",
        "Panning or zooming one pane moves the others (for models whose maps have similar scales)",
        checkable=True,
        checked=False,
        on_toggled=lambda w, on: setattr(w.explorer.options, "link_views", on),
    ),
    ActionKey.OPEN: ActionInfo(
        "Open Checkpoint…",
        "Open a Gaerchen checkpoint (.pt); you can also drop one onto the window",
        QKeySequence.StandardKey.Open,
        icon=QStyle.StandardPixmap.SP_DialogOpenButton,
        on_triggered=lambda w: w.open_with_dialog(),
    ),
    ActionKey.EXPORT_MAP_PNG: ActionInfo(
        "Latent Map as PNG…", "Save the latent map as a PNG image", on_triggered=lambda w: w.export_with_dialog("map")
    ),
    ActionKey.EXPORT_DECODED_PNG: ActionInfo(
        "Decoded Image as PNG…",
        "Save the image decoded at the cursor (32 x 32, enlarged 8x)",
        on_triggered=lambda w: w.export_with_dialog("decoded"),
    ),
    ActionKey.EXPORT_SAMPLES_PNG: ActionInfo(
        "Sample Grid as PNG…",
        "Save the decoded samples with their coordinates",
        on_triggered=lambda w: w.export_with_dialog("samples"),
    ),
    ActionKey.EXPORT_EMBEDDINGS_CSV: ActionInfo(
        "Embeddings as CSV…",
        "Save the 10,000 test images' latent coordinates with their labels",
        on_triggered=lambda w: w.export_with_dialog("embeddings"),
    ),
    ActionKey.EXPORT_ANIMATION: ActionInfo(
        "Animation (GIF, MP4, PNG Strip)…",
        "Export the latent path or the training time-lapse as a GIF, an MP4 or a PNG strip",
        "Ctrl+E",
        on_triggered=lambda w: w.walk.export_with_dialog(),
    ),
    ActionKey.WALK: ActionInfo(
        "Walk",
        "Walk between two images: click two dots (or samples) on the map; record, play and export paths",
        "Ctrl+L",
        checkable=True,
        icon=QStyle.StandardPixmap.SP_ArrowForward,
        on_toggled=lambda w, on: w.walk.show(on),
    ),
    ActionKey.CLEAR_RECENT: ActionInfo("Clear Recent Files", on_triggered=lambda w: w.settings.clear_recent_files()),
    ActionKey.QUIT: ActionInfo(
        "Quit", "Quit Gaerchen", QKeySequence.StandardKey.Quit, on_triggered=lambda w: w.close()
    ),
    ActionKey.RESAMPLE: ActionInfo(
        "Resample",
        "Draw new latent points and decode them",
        "Ctrl+R",
        icon=QStyle.StandardPixmap.SP_BrowserReload,
        on_triggered=lambda w: w.resample(),
    ),
    ActionKey.RESET_VIEW: ActionInfo(
        "Reset View",
        "Fit the whole map into view, the cursor included",
        "Ctrl+0",
        icon=QStyle.StandardPixmap.SP_TitleBarMaxButton,
        on_triggered=lambda w: w.reset_view(),
    ),
    ActionKey.LOCK_ASPECT: ActionInfo(
        "Equal Axis Scales",
        "One latent unit as long across as up, so that distances on the map are true to scale;"
        " off: the map fits the data, each axis filling the view",
        checkable=True,
        checked=False,
        on_toggled=lambda w, on: w.for_each_map(lambda m: m.set_aspect_locked(on)),
    ),
    ActionKey.SHOW_LEGEND: ActionInfo(
        "Class Legend",
        "Show the legend of clothing classes (click an entry to hide its class)",
        checkable=True,
        checked=True,
        on_toggled=lambda w, on: w.for_each_map(lambda m: m.set_legend_visible(on)),
    ),
    ActionKey.SHOW_SAMPLES: ActionInfo(
        "Samples on Map",
        "Mark the sampled points on the latent map",
        checkable=True,
        checked=True,
        on_toggled=lambda w, on: w.for_each_map(lambda m: m.set_samples_visible(on)),
    ),
    ActionKey.SMOOTH_PREVIEW: ActionInfo(
        "Smooth Decoded Image",
        "Interpolate the 32 x 32 preview instead of showing its pixels",
        checkable=True,
        on_toggled=lambda w, on: w.preview.set_smooth(on),
    ),
    ActionKey.SHOW_MANIFOLD: ActionInfo(
        "Decoded Manifold",
        "Decode a grid of latent points and tile the images behind the map",
        "Ctrl+M",
        checkable=True,
        on_toggled=lambda w, on: setattr(w.explorer.options, "show_manifold", on),
    ),
    ActionKey.SHOW_TRAIN_POINTS: ActionInfo(
        "Training Images on Map",
        "Add the 60,000 training images to the map, fainter, below the test images (encoded in the background)",
        "Ctrl+Shift+T",
        checkable=True,
        on_toggled=lambda w, on: setattr(w.explorer.options, "show_train_points", on),
    ),
    ActionKey.SHOW_OWN_IMAGES: ActionInfo(
        "Your Images",
        "Draw an image or pin image files: see where the model puts them and what it makes of them",
        "Ctrl+Shift+D",
        checkable=True,
        on_toggled=lambda w, on: w.own_images.show(on),
    ),
    ActionKey.OPEN_IMAGES: ActionInfo(
        "Open Images…",
        "Pin image files on the map (PNG, JPEG, ...), prepared like Fashion-MNIST's; or drop them on the window",
        "Ctrl+Shift+O",
        on_triggered=lambda w: (w.own_images.show(True), w.own_images.panel.open_with_dialog()),
    ),
    ActionKey.ABOUT: ActionInfo("About Gaerchen", "Version and licences", on_triggered=lambda w: w.show_about()),
}

# The two shipped models are alternatives: one click switches. "Optional" because
# a checkpoint opened from a file is neither.
MODEL_SWITCH = (ActionKey.SHOW_AE, ActionKey.SHOW_VAE)


def create_actions(window: Any) -> dict[ActionKey, QAction]:
    """The QActions of ``window``, each connected to its declared callback."""
    actions: dict[ActionKey, QAction] = {}
    style = window.style()
    for key, info in ACTIONS.items():
        action = QAction(info.text, window)
        action.setObjectName(f"action_{key.value}")
        if info.tip:
            action.setToolTip(info.tip)
            action.setStatusTip(info.tip)
        if info.shortcut is not None:
            action.setShortcut(QKeySequence(info.shortcut))
        if info.checkable:
            action.setCheckable(True)
            action.setChecked(info.checked)
        if info.icon is not None:
            action.setIcon(style.standardIcon(info.icon))
        if info.on_triggered is not None:
            action.triggered.connect(lambda _=False, f=info.on_triggered: f(window))
        if info.on_toggled is not None:
            action.toggled.connect(lambda on, f=info.on_toggled: f(window, on))
        actions[key] = action
    group = QActionGroup(window)
    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
    for key in MODEL_SWITCH:
        group.addAction(actions[key])
    return actions
