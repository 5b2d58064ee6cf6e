"""A pane that shows one :class:`ModelState` on a latent map: points, samples, training points, manifold.

The pane only draws what the state says and sends requests back: a moved
cursor goes to the shared :class:`ExplorerState` (every pane then follows), a
hovered dot asks the model's jobs for its reconstruction. It holds no truth of
its own, so two panes side by side are two of these on two states.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.map_images import is_stand_in
from gaerchen_gui.components.model_state import ManifoldPicture, ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.projection import dimension_name
from gaerchen_gui.gui.coverage_layer import CoverageLayer
from gaerchen_gui.gui.latent_map import LatentMap
from gaerchen_gui.gui.manifold_layer import ManifoldLayer
from gaerchen_gui.gui.map_items import Z_HOVER, replace_points
from gaerchen_gui.gui.model_jobs import ModelJobs
from gaerchen_gui.gui.pane_timelapse import PaneTimelapse


class ModelPane(QWidget):
    """The latent map of one model. ``activated`` fires when the user works in this pane."""

    activated = Signal(object)  # the ModelState shown

    def __init__(self, state: ModelState, jobs: ModelJobs, explorer: ExplorerState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self.explorer = explorer
        self.latent_map = LatentMap()
        self.manifold_layer = ManifoldLayer()
        self.manifold_layer.setVisible(False)
        # ignoreBounds: auto-range follows the data (live training), not the tiles behind it
        self.latent_map.getPlotItem().addItem(self.manifold_layer, ignoreBounds=True)
        self.coverage_layer = CoverageLayer(self.latent_map.getPlotItem())
        # The image hovered in another pane, ringed here too: where does it land in this space?
        self.echo_ring = pg.ScatterPlotItem(size=17, symbol="o", brush=None, antialias=True)
        self.echo_ring.setZValue(Z_HOVER)
        self.echo_ring.setPen(pg.mkPen("#d62728", width=2))
        self.latent_map.getPlotItem().addItem(self.echo_ring)
        self._live_snapshots = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.latent_map, 1)
        self.timelapse = PaneTimelapse(state, self.latent_map)  # the scrubber under the map
        layout.addWidget(self.timelapse.scrubber)

        state.encoded_changed.connect(self._on_encoded)
        state.train_points_changed.connect(self._on_train_points)
        state.samples_changed.connect(lambda points: self.latent_map.set_samples(points))
        state.manifold_changed.connect(self._on_manifold)
        state.coverage_changed.connect(self._on_coverage)
        state.message_changed.connect(self._on_message)
        state.checkpoint_changed.connect(self._on_checkpoint)
        self._explorer_events = Subscriptions()  # the explorer outlives a pane removed from compare mode
        on = self._explorer_events.connect
        on(explorer.cursor_moved, self._follow_cursor)
        on(explorer.hovered_changed, self._on_hovered_elsewhere)
        options = explorer.options.events
        on(options.show_manifold, self._show_manifold)
        on(options.manifold, lambda manifold: self.manifold_layer.setOpacity(manifold.opacity))
        on(options.show_train_points, lambda shown: self.latent_map.set_train_points_visible(shown))
        on(options.show_coverage, self.coverage_layer.set_visible)
        on(options.coverage_opacity, self.coverage_layer.set_opacity)
        self.coverage_layer.set_visible(explorer.options.show_coverage)
        self.coverage_layer.set_opacity(explorer.options.coverage_opacity)
        self.manifold_layer.setOpacity(explorer.options.manifold.opacity)
        self.latent_map.set_train_points_visible(explorer.options.show_train_points)

        self.latent_map.cursorMoved.connect(self._on_map_cursor_moved)
        self.latent_map.hoveredChanged.connect(self._on_hovered)
        jobs.hover_decoded.connect(self.latent_map.hover_card.set_reconstruction)
        # A press (click, drag, the start of a pan) makes this the pane the side panel shows; hovering does not.
        self.latent_map.viewport().installEventFilter(self)
        if state.checkpoint is None:
            self.latent_map.set_message("No model loaded.\nOpen a checkpoint (Ctrl+O) or drop a .pt file here.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.MouseButtonPress:
            self.activated.emit(self.state)
        return False

    def detach(self) -> None:
        """Stop following the explorer (this pane is being removed)."""
        self._explorer_events.disconnect_all()

    # -- from the state -----------------------------------------------------------------------
    def _on_checkpoint(self, checkpoint) -> None:  # a Checkpoint or None
        self._live_snapshots = 0
        self.manifold_layer.clear_picture()
        self.manifold_layer.setVisible(False)

    def _on_encoded(self, encoded: EncodedSet | None) -> None:
        if encoded is None:
            self.latent_map.clear_map(self.state.message)
            self.latent_map.set_title("")
            return
        live = self.state.live is not None
        self.latent_map.set_data(encoded, keep_view=live)
        self._show_axes()
        if live:
            if self._live_snapshots == 0:
                # Follow the points as they spread out, until the user pans or zooms (pyqtgraph then
                # switches auto-range off by itself).
                self.latent_map.getPlotItem().enableAutoRange()
            self._live_snapshots += 1
        else:
            self._live_snapshots = 0
        if not live:  # a live map's title comes from the training panel (LiveMapStatus): it knows the lag
            self.latent_map.set_title(self.title())
        x, y = self.explorer.cursor
        self.latent_map.set_cursor_position(x, y)

    def title(self) -> str:
        """Short: pyqtgraph will not let the plot get narrower than its title."""
        encoded, projection = self.state.encoded, self.state.projection
        if encoded is None:
            return ""
        view = "" if projection is None else f"  ·  2-D view of {projection.dim}-D"
        missing = "  ·  folder missing" if is_stand_in(encoded) else ""
        return f"{self.state.kind.upper()}  ·  {len(encoded):,} test images{view}{missing}"

    def _show_axes(self) -> None:
        """The axes' names: z₀ and z₁, or what the projection shows ("PC 1 (38% of variance)", "z₃ (…)")."""
        projection = self.state.projection
        plot = self.latent_map.getPlotItem()
        for axis, side in enumerate(("bottom", "left")):
            plot.setLabel(side, dimension_name(axis) if projection is None else projection.axis_label(axis))
        if projection is not None and self.state.train_points is not None:
            self._on_train_points(self.state.train_points)  # the axes may be new: project them again

    def _on_train_points(self, points: tuple[np.ndarray, np.ndarray] | None) -> None:
        if points is None:
            self.latent_map.set_train_points(None, None)
            return
        projection = self.state.projection
        z = points[0][:, :2] if projection is None else projection.to_view(points[0])
        self.latent_map.set_train_points(z, points[1])

    def _on_manifold(self, picture: ManifoldPicture | None) -> None:
        if picture is None:
            self.manifold_layer.clear_picture()
            self.manifold_layer.setVisible(False)
            return
        self.manifold_layer.show_picture(picture.image, picture.extent)
        self.manifold_layer.setVisible(self.explorer.options.show_manifold)

    def _on_coverage(self, picture) -> None:  # a CoveragePicture or None
        if picture is None:
            self.coverage_layer.clear()
        else:
            self.coverage_layer.show_picture(picture)

    def _show_manifold(self, on: bool) -> None:
        self.manifold_layer.setVisible(on and self.manifold_layer.has_picture)

    def _on_message(self, message: str | None) -> None:
        if self.state.encoded is None:
            self.latent_map.set_message(message)

    # -- the shared cursor and hover ----------------------------------------------------------
    def _on_map_cursor_moved(self, x: float, y: float) -> None:
        self.explorer.set_cursor(x, y)

    def _follow_cursor(self, x: float, y: float) -> None:
        if self.latent_map.cursor_position() != (x, y):
            self.latent_map.set_cursor_position(x, y)

    def _on_hovered(self, row: int | None) -> None:
        encoded = self.state.encoded
        if row is None or encoded is None:
            self.explorer.set_hovered(None)
            return
        self.jobs.decode_hover(row)
        self.explorer.set_hovered(encoded.test_id(row))

    def _on_hovered_elsewhere(self, test_id: int | None) -> None:
        encoded = self.state.encoded
        row = None if test_id is None or encoded is None else row_of(encoded, test_id)
        if row is None or self.latent_map.hovered_index is not None:
            replace_points(self.echo_ring, None)
            return
        replace_points(self.echo_ring, [encoded.z[row, :2]])


def row_of(encoded: EncodedSet, test_id: int) -> int | None:
    """The row of test image ``test_id`` in ``encoded`` (a live subset may not hold it)."""
    if encoded.test_ids is None:
        return test_id if 0 <= test_id < len(encoded) else None
    rows = np.flatnonzero(encoded.test_ids == test_id)
    return int(rows[0]) if len(rows) else None
