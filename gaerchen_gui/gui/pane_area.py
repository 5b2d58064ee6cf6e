"""The map area: one pane per model on screen, side by side in compare mode, with a strip of decodes.

Each pane shows one :class:`ModelState` and owns that model's :class:`ModelJobs`
(its decode threads). In compare mode each pane gets a header (which model,
close) and, under the panes, the :class:`CompareStrip` shows every model's
image at the shared cursor: same z, different decoders. Pan and zoom are linked
through pyqtgraph's own view links when the "link" option is on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from gaerchen_gui.components.explorer_state import MAX_MODELS, ExplorerState
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.components.timelapse import TimelapseSync
from gaerchen_gui.core.encoding import EmbeddingCache
from gaerchen_gui.gui.compare_strip import CompareStrip
from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE
from gaerchen_gui.gui.model_jobs import ModelJobs
from gaerchen_gui.gui.model_pane import ModelPane

# What a pane header offers; "open" asks for a file.
PANE_SPACING_PX = 12  # splitter handle and margins beside each pane
PANE_CHOICES = (("Shipped AE", "ae"), ("Shipped VAE", "vae"), ("Open checkpoint…", "open"))


class PaneHeader(QWidget):
    """Above a pane in compare mode: the model's name, a chooser, a close button."""

    def __init__(self, pane: ModelPane, window, area: PaneArea) -> None:  # the ExplorerWindow
        super().__init__()
        self.setObjectName("paneHeader")
        self.pane = pane
        self.name = QLabel()
        self.name.setObjectName("paneModelName")
        self.chooser = QComboBox()
        self.chooser.addItem("Show…", None)
        for text, value in PANE_CHOICES:
            self.chooser.addItem(text, value)
        self.chooser.setToolTip("Which model this pane shows")
        self.chooser.activated.connect(lambda i: self._choose(window, self.chooser.itemData(i)))
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Remove this pane")
        self.close_button.clicked.connect(lambda: area.remove_pane(pane))
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.name, 1)
        row.addWidget(self.chooser)
        row.addWidget(self.close_button)
        pane.state.checkpoint_changed.connect(lambda _: self.refresh())
        pane.state.live_changed.connect(lambda _: self.refresh())
        pane.state.message_changed.connect(lambda _: self.refresh())
        self._explorer = area.explorer
        self._explorer_events = Subscriptions()
        self._explorer_events.connect(area.explorer.active_changed, lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        state = self.pane.state
        active = self._explorer.active is state and len(self._explorer.models) > 1
        font = self.name.font()
        font.setBold(active)  # the pane the side panel, the status bar and the exports are about
        self.name.setFont(font)
        self.name.setToolTip(
            "The side panel shows this model"
            if active
            else "Click or hover this map to make it the one the side panel shows"
        )
        if state.live is not None:
            self.name.setText(f"training {state.live.kind.upper()}")
        elif state.checkpoint is None and state.error:
            self.name.setText("could not load")
        else:
            self.name.setText(state.display_name)
        self.chooser.setCurrentIndex(0)

    def detach(self) -> None:
        self._explorer_events.disconnect_all()

    def _choose(self, window, value: str | None) -> None:  # the ExplorerWindow
        if value in ("ae", "vae"):
            window.show_shipped(value, state=self.pane.state)
        elif value == "open":
            window.files.open_with_dialog(state=self.pane.state)
        self.chooser.setCurrentIndex(0)


class PaneArea(QWidget):
    paneAdded = Signal(object)  # ModelPane

    def __init__(
        self,
        explorer: ExplorerState,
        image_set=None,  # an ImageSet for tests; None: the real test split
        cache: EmbeddingCache | None = None,
        seed: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.explorer = explorer
        self._image_set = image_set
        self._cache = cache
        self._seed_sequence = np.random.SeedSequence(seed)
        self.panes: list[ModelPane] = []
        self._headers: dict[ModelPane, PaneHeader] = {}
        self.compare = False
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("paneSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.strip = CompareStrip()
        self.strip.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.strip)
        for state in explorer.models:
            self._make_pane(state)
        explorer.options.events.link_views.connect(self._link_views)
        # compare: the panes' scrubbers move together (by step, or by the fraction of each run)
        self.timelapse_sync = TimelapseSync(s.timelapse for s in explorer.models)
        explorer.models_changed.connect(lambda: self.timelapse_sync.set_members(s.timelapse for s in explorer.models))

    def _make_pane(self, state: ModelState) -> ModelPane:
        rng = np.random.default_rng(self._seed_sequence.spawn(1)[0])
        jobs = ModelJobs(state, self.explorer, image_set=self._image_set, cache=self._cache, rng=rng, parent=self)
        pane = ModelPane(state, jobs, self.explorer)
        pane.activated.connect(self.explorer.set_active)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(pane, 1)
        self.splitter.addWidget(holder)
        self.panes.append(pane)
        self.strip.add_model(state)
        self._link_views(self.explorer.options.link_views)
        self.paneAdded.emit(pane)
        return pane

    @staticmethod
    def fits(count: int, width: int) -> bool:
        """Whether ``count`` panes fit side by side in a window ``width`` pixels wide (side panel folded)."""
        return count * (MIN_MAP_SIZE.width() + PANE_SPACING_PX) <= width

    def pane_of(self, state: ModelState) -> ModelPane:
        return next(pane for pane in self.panes if pane.state is state)

    def jobs_of(self, state: ModelState) -> ModelJobs:
        return self.pane_of(state).jobs

    # -- compare mode ------------------------------------------------------------------------------
    def set_compare(self, on: bool, window) -> None:  # the ExplorerWindow
        """Compare: at least two panes, with headers and the strip; off: back to the first pane alone."""
        self.compare = on
        if on:
            self.ensure_panes(2, window)
        else:
            for pane in self.panes[1:]:
                self.remove_pane(pane)
        for pane in self.panes:
            self._show_header(pane, window, on)
        self.strip.setVisible(on)

    def ensure_panes(self, count: int, window) -> None:  # the ExplorerWindow
        while len(self.panes) < count and self.add_pane(window) is not None:
            pass

    def add_pane(self, window, source: str | None = None) -> ModelPane | None:  # the ExplorerWindow
        """Another pane, showing ``source`` ("ae", "vae" or a path); by default the shipped model not on screen."""
        if len(self.panes) >= MAX_MODELS:
            window.statusBar().showMessage(f"At most {MAX_MODELS} models side by side", 4000)
            return None
        if not self.fits(len(self.panes) + 1, window.width()):
            # a pane never gets narrower than its map's minimum: the window would grow past the screen
            window.statusBar().showMessage("No room for another pane: widen the window first", 6000)
            return None
        state = self.explorer.add_model()
        pane = self._make_pane(state)
        self._show_header(pane, window, True)
        if source is None:
            shown = {p.state.source for p in self.panes}
            source = "vae" if "vae" not in shown else "ae"
        if source in ("ae", "vae"):
            window.show_shipped(source, quiet=True, state=state)
        else:
            window.open_checkpoint(source, quiet=True, state=state)
        return pane

    def remove_pane(self, pane: ModelPane) -> None:
        if len(self.panes) == 1:
            return
        self.panes.remove(pane)
        self.strip.remove_model(pane.state)
        header = self._headers.pop(pane, None)
        if header is not None:
            header.detach()
        self.explorer.remove_model(pane.state)
        pane.detach()
        pane.jobs.shutdown()
        holder = pane.parentWidget()
        holder.hide()
        holder.setParent(None)
        holder.deleteLater()
        self._link_views(self.explorer.options.link_views)

    def _show_header(self, pane: ModelPane, window, on: bool) -> None:  # the ExplorerWindow
        header = self._headers.get(pane)
        if header is None and on:
            header = PaneHeader(pane, window, self)
            pane.parentWidget().layout().insertWidget(0, header)
            self._headers[pane] = header
        if header is not None:
            header.setVisible(on)

    def _link_views(self, on: bool) -> None:
        first = self.panes[0].latent_map.view_box
        for pane in self.panes[1:]:
            box = pane.latent_map.view_box
            box.setXLink(first if on else None)
            box.setYLink(first if on else None)

    # -- persistence and shutdown ---------------------------------------------------------------------
    def remember(self, settings) -> None:  # Settings
        """The panes beyond the first and their models, for the next launch (unsaved models are not kept)."""
        settings.compare_sources = [p.state.source for p in self.panes[1:] if p.state.source] if self.compare else []

    def shutdown(self) -> None:
        for pane in self.panes:
            pane.jobs.shutdown()
