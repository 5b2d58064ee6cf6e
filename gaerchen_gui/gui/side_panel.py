"""The column beside the map: the image decoded at the cursor, its coordinates, the samples, the manifold.

It shows the *active* model's state (the one pane the user last worked in) and
the shared cursor; it switches what it listens to when another model becomes
active. Text readouts that change per mouse move wait for the decoded image
(see ``readouts.py``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QVBoxLayout, QWidget
from superqt.utils import signals_blocked

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.model_state import CursorImage, ModelState
from gaerchen_gui.core.checkpoints import Checkpoint
from gaerchen_gui.core.projection import dimension_name
from gaerchen_gui.core.sampling import sampling_rule
from gaerchen_gui.gui.coordinate_entry import CoordinateEntry
from gaerchen_gui.gui.coverage_layer import CoverageControls
from gaerchen_gui.gui.decoder_preview import DecoderPreview
from gaerchen_gui.gui.latent_view_controls import LatentViewControls
from gaerchen_gui.gui.manifold_layer import ManifoldControls
from gaerchen_gui.gui.readouts import PendingReadouts
from gaerchen_gui.gui.sample_panel import SamplePanel

PANEL_MIN_WIDTH = 400


class SidePanel(QScrollArea):
    """Scrolls instead of squeezing its parts on a small screen."""

    def __init__(self, explorer: ExplorerState, resample: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanelScroller")
        self.explorer = explorer
        self.state: ModelState | None = None
        self.readouts = PendingReadouts(self)
        self.preview = DecoderPreview()
        self.coordinates = CoordinateEntry()
        self.sample_panel = SamplePanel(resample)
        self.sample_grid = self.sample_panel.grid
        self.manifold_controls = ManifoldControls()
        self.coverage_controls = CoverageControls()
        self.latent_view = LatentViewControls()  # a section of its own, shown for D > 2 only

        column_widget = QWidget()
        column_widget.setObjectName("sidePanel")
        column_widget.setMinimumWidth(PANEL_MIN_WIDTH)
        column = QVBoxLayout(column_widget)
        column.setContentsMargins(8, 4, 8, 8)
        column.setSpacing(10)
        column.addWidget(section("Decoded at the cursor", self.preview), 3)
        column.addWidget(section("Cursor position", self.coordinates))
        column.addWidget(self.latent_view)
        column.addWidget(section("Samples", self.sample_panel), 2)
        column.addWidget(section("Decoded manifold", self.manifold_controls))
        column.addWidget(section("Holes and coverage", self.coverage_controls))
        self.setWidget(column_widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(PANEL_MIN_WIDTH + 12)

        options = explorer.options
        self.manifold_controls.set_options(options.manifold)
        self.manifold_controls.show_box.setChecked(options.show_manifold)
        self.manifold_controls.show_box.toggled.connect(lambda on: setattr(options, "show_manifold", on))
        self.manifold_controls.changed.connect(self._on_manifold_controls_changed)
        # and the other way: options changed elsewhere (settings, a script, the self-test) show in the controls
        options.events.manifold.connect(self._show_manifold_options)
        options.events.show_manifold.connect(lambda on: self.manifold_controls.show_box.setChecked(on))
        coverage = self.coverage_controls
        coverage.show_box.setChecked(options.show_coverage)
        coverage.show_box.toggled.connect(lambda on: setattr(options, "show_coverage", on))
        coverage.opacity_slider.valueChanged.connect(lambda _: setattr(options, "coverage_opacity", coverage.opacity))
        options.events.show_coverage.connect(lambda on: coverage.show_box.setChecked(on))
        self.sample_panel.count_box.setValue(options.sample_count)
        self.sample_panel.countChanged.connect(lambda count: setattr(options, "sample_count", count))
        self.sample_grid.tileClicked.connect(self._on_tile_clicked)
        explorer.cursor_moved.connect(self._on_cursor_moved)
        explorer.active_changed.connect(self.show_state)
        self.show_state(explorer.active)

    def restore(self, settings) -> None:  # Settings
        """Take the manifold options and sample count from ``settings``, and keep them there when they change."""
        options = self.explorer.options
        try:
            options.manifold = replace(options.manifold, **settings.manifold_values())
        except (TypeError, ValueError):
            pass  # settings from another version: keep the defaults
        self.manifold_controls.set_options(options.manifold)
        if settings.sample_count is not None:
            self.sample_panel.count_box.setValue(settings.sample_count)
        options.events.manifold.connect(lambda m: settings.set_manifold_values(m.opacity, m.resolution, m.spacing))
        options.events.sample_count.connect(lambda count: setattr(settings, "sample_count", count))

    def _show_manifold_options(self, manifold) -> None:  # a ManifoldOptions
        with signals_blocked(self.manifold_controls):  # showing the options is not a change of them
            self.manifold_controls.set_options(manifold)

    def _on_manifold_controls_changed(self) -> None:
        chosen = self.manifold_controls.options()
        self.explorer.options.manifold = chosen

    # -- the state shown ------------------------------------------------------------------------
    _EVENTS = (
        ("checkpoint_changed", "_on_checkpoint"),
        ("cursor_decoded", "_on_cursor_decoded"),
        ("samples_changed", "_on_samples"),
        ("sample_images_changed", "_on_sample_images"),
        ("manifold_status_changed", "_on_manifold_status"),
        ("encoded_changed", "_on_encoded"),
    )

    def show_state(self, state: ModelState) -> None:
        if self.state is not None:
            for event, slot in self._EVENTS:
                getattr(self.state, event).disconnect(getattr(self, slot))
        self.state = state
        for event, slot in self._EVENTS:
            getattr(state, event).connect(getattr(self, slot))
        self.latent_view.show_state(state)
        self._on_checkpoint(state.checkpoint)
        if state.cursor_image is not None:
            self._on_cursor_decoded(state.cursor_image)
        self._on_samples(state.samples)
        if state.sample_images is not None:
            self._on_sample_images(state.sample_images)
        self._on_manifold_status(state.manifold_status)

    def _on_checkpoint(self, checkpoint: Checkpoint | None) -> None:
        self.preview.clear()
        self.preview.reset_requests()
        self.sample_grid.clear()
        kind = None if checkpoint is None else checkpoint.kind
        self.manifold_controls.set_model_kind(kind)
        self.sample_panel.set_rule("" if kind is None else f"{kind.upper()}: {sampling_rule(kind)}.")

    def _on_encoded(self, encoded) -> None:  # an EncodedSet or None
        if encoded is None:
            return
        projection = None if self.state is None else self.state.projection
        names = projection.names[:2] if projection else tuple(map(dimension_name, (0, 1)))
        self.coordinates.set_axis_names(*names)
        self.preview.set_coordinate_names(*names, projected=projection is not None)
        z = encoded.z[:, :2]
        extent = float(np.max(z.max(axis=0) - z.min(axis=0))) if len(z) else 0.0
        self.coordinates.set_step(float(f"{extent / 100:.1g}") if extent > 0 else 0.05)
        self._show_cursor_readouts(*self.explorer.cursor)

    def _on_samples(self, points: np.ndarray | None) -> None:
        if points is None:
            self.sample_grid.clear()
        else:
            self.sample_grid.set_points(points)

    def _on_sample_images(self, images: np.ndarray | None) -> None:
        if images is not None and self.state is not None and self.state.samples is not None:
            self.sample_grid.set_images(self.state.samples, images)

    def _on_manifold_status(self, text: str) -> None:
        self.manifold_controls.set_status(text)

    # -- the cursor ------------------------------------------------------------------------------
    def _on_cursor_moved(self, x: float, y: float) -> None:
        if self.state is None or self.state.decoding_model is None:
            self.readouts.show_now("cursor", partial(self._show_cursor_readouts, x, y))
        else:  # the text follows once the decoded image is on screen: see readouts.py
            self.readouts.defer("cursor", partial(self._show_cursor_readouts, x, y))

    def _on_cursor_decoded(self, image: CursorImage) -> None:
        self.preview.show_result(image.request_id, image.z, image.image)
        self.readouts.flush()

    def _show_cursor_readouts(self, x: float, y: float) -> None:
        self.coordinates.set_position(x, y)
        encoded = None if self.state is None else self.state.encoded
        if encoded is not None and len(encoded):
            nearest = encoded.index.query((x, y))
            label = int(encoded.labels[nearest.index])
            threshold, test_id = encoded.index.off_data_threshold, encoded.test_id(nearest.index)
            self.preview.set_nearest(nearest, label, threshold, test_id, encoded.class_names)
        else:
            self.preview.set_nearest(None)

    def _on_tile_clicked(self, index: int) -> None:
        samples = None if self.state is None else self.state.samples
        if samples is not None and 0 <= index < len(samples):
            x, y = samples[index][:2]
            self.explorer.set_cursor(float(x), float(y))


def section(title: str, content: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(10, 8, 10, 10)
    layout.addWidget(content)
    return box
