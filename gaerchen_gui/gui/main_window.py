"""The latent explorer: the map on the left; decoder preview, coordinates and samples on the right.

Threads: the GUI thread never runs the model. Encoding the test set runs in a
``superqt`` thread worker (one at a time; a newer model's job makes older
results stale), decoding in the single :class:`DecodeWorker`. Both hand results
back through queued signals.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph.exporters
import torch
from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import create_worker

from gaerchen_gui.core.checkpoints import Checkpoint, CheckpointError
from gaerchen_gui.core.data import CLASS_NAMES, ImageSet
from gaerchen_gui.core.export import write_embeddings_csv
from gaerchen_gui.core.manifold import manifold_grid, render_manifold
from gaerchen_gui.core.neighbours import Nearest
from gaerchen_gui.core.sampling import sample_latent_points, sampling_rule
from gaerchen_gui.gui.about_dialog import AboutDialog
from gaerchen_gui.gui.actions import ACTIONS, ActionKey, create_actions
from gaerchen_gui.gui.coordinate_entry import CoordinateEntry
from gaerchen_gui.gui.decode_worker import DecodeResult, DecodeWorker
from gaerchen_gui.gui.decoder_preview import DecoderPreview
from gaerchen_gui.gui.encoding import (
    EmbeddingCache,
    EncodedSet,
    embeddings_cache_name,
    encode_progressively,
    encode_training_points,
    shared_test_set,
)
from gaerchen_gui.gui.latent_map import LatentMap
from gaerchen_gui.gui.live_label import LiveLabel
from gaerchen_gui.gui.manifold_layer import SPACING_LABELS, ManifoldControls, ManifoldLayer, ManifoldOptions
from gaerchen_gui.gui.model_loading import describe, load_for_explorer, load_shipped, shipped_kind_of
from gaerchen_gui.gui.readouts import PendingReadouts
from gaerchen_gui.gui.sample_panel import SamplePanel
from gaerchen_gui.gui.settings import Settings
from gaerchen_gui.gui.training_panel import TrainingPanel
from gaerchen_gui.gui.training_runner import LiveMapUpdate

DEFAULT_SIZE = QSize(1400, 900)
CHECKPOINT_SUFFIXES = (".pt", ".pth")
SHARED_CACHE = EmbeddingCache()  # one per process: every window reuses encodings of unchanged files
WORKER_STOP_TIMEOUT_S = 30.0  # loading the test set (~2 s) cannot be interrupted; encoding can
HINT = "Drag the cross, click the map or use the arrow keys to decode a point; hover a dot to see its image."
TRAINING_STOP_TIMEOUT_MS = 2000
TRAINING_DOCK_HEIGHT = 330
# The fixed test images re-encoded while a model trains: 2,000 of the 10,000, the same every run.
LIVE_INDICES = np.sort(np.random.default_rng(0).choice(10_000, 2_000, replace=False))
TOGGLES = (
    ActionKey.SHOW_LEGEND,
    ActionKey.SHOW_SAMPLES,
    ActionKey.SHOW_TRAIN_POINTS,
    ActionKey.SMOOTH_PREVIEW,
    ActionKey.SHOW_MANIFOLD,
)
# The 60,000 training images' embeddings, by checkpoint contents (or object, if never saved): (z, labels).
TRAIN_POINTS: dict[object, tuple[np.ndarray, np.ndarray]] = {}


@dataclass
class LiveView:
    """The map while a model trains: the live subset's labels and images; positions come per snapshot."""

    labels: np.ndarray
    images: np.ndarray
    snapshots: int = 0


class ExplorerWindow(QMainWindow):
    mapReady = Signal()  # the map shows the current model's encoded test set

    def __init__(
        self,
        settings: Settings | None = None,
        image_set: ImageSet | None = None,
        embedding_cache: EmbeddingCache | None = None,
        seed: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("explorerWindow")
        self.settings = settings if settings is not None else Settings()
        self.checkpoint: Checkpoint | None = None
        self.source: str | None = None  # "ae", "vae" or a checkpoint path
        self.encoded: EncodedSet | None = None
        self.samples: np.ndarray | None = None
        self.last_error: str | None = None
        self._image_set = image_set
        self._cache = embedding_cache if embedding_cache is not None else SHARED_CACHE
        self._rng = np.random.default_rng(seed)
        self._job = 0  # increments per encoding job; results of older jobs are dropped
        self._workers: list = []  # encoding workers started by this window; only the last one matters
        self._train_job = 0  # the same for encoding the training images
        self._train_worker = None  # the worker encoding them, while it runs
        self._shut_down = False

        self.actions = create_actions(self)
        self.decoder = DecodeWorker(self)
        self._readouts = PendingReadouts(self)
        self.decoder.decoded.connect(self._on_decoded)
        self.decoder.failed.connect(self.statusBar().showMessage)
        # The manifold grid (up to 1,600 points) decodes on a thread of its own: never ahead of the cursor.
        self.manifold_decoder = DecodeWorker(self)
        self.manifold_decoder.decoded.connect(self._on_manifold_decoded)
        self.manifold_decoder.failed.connect(self.statusBar().showMessage)
        self._manifold_model = 0  # increments per explorer model; a live-training snapshot keeps it
        self._manifold_drawn: tuple | None = None  # (model, resolution, spacing, bounds) of the picture shown

        self._build_ui()
        self._build_menus()
        self._connect()
        self._restore_settings()
        self.setAcceptDrops(True)
        self.decoder.start()  # last: a constructor that raised must not leave a thread running
        self.manifold_decoder.start()
        self.latent_map.set_message("No model loaded.\nOpen a checkpoint (Ctrl+O) or drop a .pt file here.")

    # -- construction ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.latent_map = LatentMap()
        self.preview = DecoderPreview()
        self.coordinates = CoordinateEntry()
        self.sample_panel = SamplePanel(self.actions[ActionKey.RESAMPLE])
        self.sample_grid = self.sample_panel.grid
        self.manifold_controls = ManifoldControls()
        self.manifold_layer = ManifoldLayer()
        self.manifold_layer.setVisible(False)
        # ignoreBounds: auto-range follows the data (live training), not the tiles behind it
        self.latent_map.getPlotItem().addItem(self.manifold_layer, ignoreBounds=True)

        right = QWidget()
        right.setObjectName("sidePanel")
        right.setMinimumWidth(400)
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 4, 8, 8)
        column.setSpacing(10)
        column.addWidget(self._section("Decoded at the cursor", self.preview), 3)
        column.addWidget(self._section("Cursor position", self.coordinates))
        column.addWidget(self._section("Samples", self.sample_panel), 2)
        column.addWidget(self._section("Decoded manifold", self.manifold_controls))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.latent_map)
        scroller = QScrollArea()  # on a small screen the panel scrolls instead of squeezing its parts
        scroller.setObjectName("sidePanelScroller")
        scroller.setWidget(right)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setMinimumWidth(right.minimumWidth() + 12)
        self.splitter.addWidget(scroller)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([DEFAULT_SIZE.width() - 430, 430])
        self.setCentralWidget(self.splitter)

        # Training: a bottom dock, hidden until asked for (View > Train, Ctrl+T); Qt saves its state.
        self.training_panel = TrainingPanel()
        self.training_dock = QDockWidget("Training", self)
        self.training_dock.setObjectName("trainingDock")
        self.training_dock.setWidget(self.training_panel)
        self.training_dock.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.training_dock)
        self.training_dock.hide()
        self._training_dock_sized = False
        self._live: LiveView | None = None

        toolbar = QToolBar("Model")
        toolbar.setObjectName("modelToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.actions[ActionKey.SHOW_AE])
        toolbar.addAction(self.actions[ActionKey.SHOW_VAE])
        for key in (ActionKey.SHOW_AE, ActionKey.SHOW_VAE):
            toolbar.widgetForAction(self.actions[key]).setMinimumWidth(52)
        toolbar.addSeparator()
        toolbar.addAction(self.actions[ActionKey.OPEN])
        toolbar.addSeparator()
        toolbar.addAction(self.actions[ActionKey.RESAMPLE])
        toolbar.addAction(self.actions[ActionKey.RESET_VIEW])
        toolbar.addSeparator()
        toolbar.addAction(self.actions[ActionKey.SHOW_TRAINING])
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        self._mouse_label = LiveLabel(HINT, width_hint=HINT)  # changes per mouse move: see live_label.py
        self._mouse_label.setObjectName("mouseReadout")
        self._progress = QProgressBar()
        self._progress.setRange(0, 100)
        self._progress.setFixedWidth(160)
        self._progress.setTextVisible(True)
        self._progress.setFormat("encoding %p%")
        self._progress.hide()
        self._model_label = QLabel("no model")
        self._model_label.setObjectName("modelReadout")
        status = self.statusBar()
        status.addWidget(self._mouse_label, 1)
        status.addPermanentWidget(self._progress)
        status.addPermanentWidget(self._model_label)

    @staticmethod
    def _section(title: str, content: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addWidget(content)
        return box

    def _build_menus(self) -> None:
        a = self.actions
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction(a[ActionKey.OPEN])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        export_menu = file_menu.addMenu("&Export")
        for key in (
            ActionKey.EXPORT_MAP_PNG,
            ActionKey.EXPORT_DECODED_PNG,
            ActionKey.EXPORT_SAMPLES_PNG,
            ActionKey.EXPORT_EMBEDDINGS_CSV,
        ):
            export_menu.addAction(a[key])
        file_menu.addSeparator()
        file_menu.addAction(a[ActionKey.QUIT])

        view_menu = menu_bar.addMenu("&View")
        view_menu.addAction(a[ActionKey.SHOW_AE])
        view_menu.addAction(a[ActionKey.SHOW_VAE])
        view_menu.addSeparator()
        view_menu.addAction(a[ActionKey.RESAMPLE])
        view_menu.addAction(a[ActionKey.RESET_VIEW])
        view_menu.addSeparator()
        for key in TOGGLES:
            view_menu.addAction(a[key])
            if key == ActionKey.SMOOTH_PREVIEW:
                view_menu.addSeparator()
        view_menu.addSeparator()
        view_menu.addAction(a[ActionKey.SHOW_TRAINING])

        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction(a[ActionKey.ABOUT])

    def _connect(self) -> None:
        a = self.actions
        a[ActionKey.SHOW_AE].triggered.connect(lambda: self.show_shipped("ae"))
        a[ActionKey.SHOW_VAE].triggered.connect(lambda: self.show_shipped("vae"))
        a[ActionKey.OPEN].triggered.connect(self._open_with_dialog)
        a[ActionKey.EXPORT_MAP_PNG].triggered.connect(
            lambda: self._export_with_dialog("map", "PNG image (*.png)", self.export_map_png)
        )
        a[ActionKey.EXPORT_DECODED_PNG].triggered.connect(
            lambda: self._export_with_dialog("decoded", "PNG image (*.png)", self.export_decoded_png)
        )
        a[ActionKey.EXPORT_SAMPLES_PNG].triggered.connect(
            lambda: self._export_with_dialog("samples", "PNG image (*.png)", self.export_samples_png)
        )
        a[ActionKey.EXPORT_EMBEDDINGS_CSV].triggered.connect(
            lambda: self._export_with_dialog("embeddings", "CSV file (*.csv)", self.export_embeddings_csv)
        )
        a[ActionKey.CLEAR_RECENT].triggered.connect(self.settings.clear_recent_files)
        a[ActionKey.QUIT].triggered.connect(self.close)
        a[ActionKey.RESAMPLE].triggered.connect(self.resample)
        a[ActionKey.RESET_VIEW].triggered.connect(self.latent_map.reset_view)
        a[ActionKey.SHOW_LEGEND].toggled.connect(self.latent_map.set_legend_visible)
        a[ActionKey.SHOW_SAMPLES].toggled.connect(self.latent_map.set_samples_visible)
        a[ActionKey.SMOOTH_PREVIEW].toggled.connect(self.preview.set_smooth)
        a[ActionKey.SHOW_MANIFOLD].toggled.connect(self._on_manifold_toggled)
        a[ActionKey.SHOW_TRAIN_POINTS].toggled.connect(self._on_train_points_toggled)
        self.manifold_controls.show_box.toggled.connect(a[ActionKey.SHOW_MANIFOLD].setChecked)
        self.manifold_controls.changed.connect(self._on_manifold_options_changed)
        for key in TOGGLES:
            a[key].toggled.connect(lambda on, name=key.value: self.settings.set_flag(name, on))
        a[ActionKey.ABOUT].triggered.connect(self.show_about)
        a[ActionKey.SHOW_TRAINING].toggled.connect(self._show_training)
        self.training_dock.visibilityChanged.connect(
            lambda visible: a[ActionKey.SHOW_TRAINING].setChecked(self.training_dock.isVisible())
        )
        self.training_panel.snapshotReady.connect(self._on_live_snapshot)
        self.training_panel.runningChanged.connect(self._on_training_running)
        self.training_panel.map_status.titleChanged.connect(self.latent_map.set_title)
        self.training_panel.modelAdopted.connect(self.show_checkpoint)

        self.latent_map.cursorMoved.connect(self._on_cursor_moved)
        self.latent_map.mouseMoved.connect(self._on_mouse_moved)
        self.latent_map.hoveredChanged.connect(self._on_hovered)
        self.coordinates.positionEntered.connect(self.latent_map.set_cursor_position)
        self.sample_panel.countChanged.connect(self._on_sample_count_changed)
        self.sample_grid.tileClicked.connect(self._on_tile_clicked)

    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state
        if splitter is not None:
            self.splitter.restoreState(splitter)
        for key in TOGGLES:
            self.actions[key].setChecked(self.settings.flag(key.value, ACTIONS[key].checked))
        # toggled() fires only on a change: apply the restored state once explicitly
        self.latent_map.set_legend_visible(self.actions[ActionKey.SHOW_LEGEND].isChecked())
        self.latent_map.set_samples_visible(self.actions[ActionKey.SHOW_SAMPLES].isChecked())
        self.preview.set_smooth(self.actions[ActionKey.SMOOTH_PREVIEW].isChecked())
        saved = self.settings.manifold_values()
        defaults = self.manifold_controls.options()
        try:
            self.manifold_controls.set_options(replace(defaults, **saved))
        except (TypeError, ValueError):
            pass  # settings from another version: keep the defaults
        self._on_manifold_toggled(self.actions[ActionKey.SHOW_MANIFOLD].isChecked())
        self.latent_map.set_train_points_visible(self.actions[ActionKey.SHOW_TRAIN_POINTS].isChecked())
        count = self.settings.sample_count
        if count is not None:
            self.sample_panel.count_box.setValue(count)

    def _save_settings(self) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.sync()

    # -- choosing a model ----------------------------------------------------------------------
    def start(self, checkpoint: str | Path | None = None) -> None:
        """Show ``checkpoint`` if given, else the model shown last time, else the shipped AE."""
        if checkpoint is not None and self.open_checkpoint(checkpoint) is None:
            return
        last = self.settings.last_model
        if last in ("ae", "vae"):
            if self.show_shipped(last, quiet=True) is None:
                return
        elif last and Path(last).is_file() and self.open_checkpoint(last, quiet=True) is None:
            return
        if self.checkpoint is None:
            self.show_shipped("ae", quiet=True)

    def show_shipped(self, kind: str, quiet: bool = False) -> str | None:
        """Switch to the shipped AE or VAE; returns None, or the error message shown."""
        if self.source == kind and self.checkpoint is not None:
            self._sync_model_actions()
            return None
        try:
            checkpoint = load_shipped(kind)
        except CheckpointError as err:
            return self._refuse(str(err), quiet)
        self._set_checkpoint(checkpoint, kind)
        return None

    def open_checkpoint(self, path: str | Path, quiet: bool = False) -> str | None:
        """Switch to the checkpoint at ``path``; on failure keep the current model and return the message."""
        try:
            checkpoint = load_for_explorer(path)
        except CheckpointError as err:
            return self._refuse(str(err), quiet)
        shipped = shipped_kind_of(path)
        if shipped is None:
            self.settings.add_recent_file(path)
        self._set_checkpoint(checkpoint, shipped or str(Path(path).resolve()))
        return None

    def show_checkpoint(self, checkpoint: Checkpoint) -> str | None:
        """Show an already loaded checkpoint, e.g. one just trained (the training panel's ``modelAdopted``).

        Unsaved models (``checkpoint.path is None``) are not remembered as the last model.
        """
        if checkpoint.model.latent_dim != 2:
            return self._refuse(
                f"This model has a {checkpoint.model.latent_dim}-D latent space; the explorer draws 2-D ones.", False
            )
        checkpoint.model.eval()
        source = str(checkpoint.path.resolve()) if checkpoint.path is not None else None
        self._set_checkpoint(checkpoint, shipped_kind_of(checkpoint.path) or source)
        return None

    def _refuse(self, message: str, quiet: bool) -> str:
        self._sync_model_actions()  # a failed switch leaves the previous model's button checked
        if quiet and self.checkpoint is None:
            self.latent_map.set_message(message + "\n\nOpen a checkpoint (Ctrl+O) or drop a .pt file here.")
        elif not quiet:
            self.show_error("Cannot open this checkpoint", message + "\n\nThe current model stays loaded.")
        self.last_error = message
        return message

    def show_error(self, title: str, message: str) -> None:
        """A warning dialog (tests replace ``QMessageBox.warning`` to keep it from blocking)."""
        self.last_error = message
        QMessageBox.warning(self, title, message)

    def _set_checkpoint(self, checkpoint: Checkpoint, source: str | None) -> None:
        self._live = None
        self.checkpoint = checkpoint
        self.source = source
        if source is not None:
            self.settings.last_model = source
        self._sync_model_actions()
        self.decoder.set_model(checkpoint.model)  # atomically; pending decodes for the old model are dropped
        self.manifold_decoder.set_model(checkpoint.model)
        self._manifold_model += 1
        self.manifold_controls.set_model_kind(checkpoint.kind)
        self._cancel_train_points()  # the previous model's are stale
        self.preview.clear()
        self.sample_grid.clear()
        self.samples = None
        self._model_label.setText(describe(checkpoint))
        self._model_label.setToolTip(str(checkpoint.path) if checkpoint.path else "")
        name = checkpoint.path.name if checkpoint.path else "unsaved"
        self.setWindowTitle(f"Gaerchen — {checkpoint.kind.upper()} ({name})")
        self.sample_panel.set_rule(f"{checkpoint.kind.upper()}: {sampling_rule(checkpoint.kind)}.")
        self.training_panel.show_model_history(checkpoint)  # the curves this model was trained with
        self._encode(checkpoint)

    def _sync_model_actions(self) -> None:
        self.actions[ActionKey.SHOW_AE].setChecked(self.source == "ae")
        self.actions[ActionKey.SHOW_VAE].setChecked(self.source == "vae")

    @property
    def model_kind(self) -> str | None:
        return None if self.checkpoint is None else self.checkpoint.kind

    # -- encoding the test set (worker thread) --------------------------------------------------
    def _load_images(self) -> ImageSet:  # runs in the worker thread
        return self._image_set if self._image_set is not None else shared_test_set()

    def _encode(self, checkpoint: Checkpoint) -> None:
        self._job += 1
        job = self._job
        for old in self._workers:
            old.quit()  # its result would be stale; it stops at its next slice
        self._workers = [w for w in self._workers if w.is_running]
        self.encoded = None
        kind = checkpoint.kind.upper()
        cached = self._cache.get(checkpoint.path)
        if cached is not None:
            self._on_encoded(job, checkpoint.path, cached)
            return
        self.latent_map.clear_map(f"Loading the Fashion-MNIST test images for the {kind}…")
        self.latent_map.set_title("")
        self._show_busy("encoding %p%")  # until the images are loaded and encoding reports progress
        worker = create_worker(
            encode_progressively,
            checkpoint.model,
            self._load_images,
            # an image set handed in (tests) is not the cached test split
            cache_name=embeddings_cache_name(checkpoint.digest, "test") if self._image_set is None else None,
            _start_thread=False,
            _ignore_errors=True,
        )
        worker.yielded.connect(lambda fraction, job=job: self._on_encode_progress(job, fraction))
        worker.returned.connect(lambda encoded, job=job, path=checkpoint.path: self._on_encoded(job, path, encoded))
        worker.errored.connect(lambda err, job=job: self._on_encode_failed(job, err))
        self._workers.append(worker)
        worker.start()

    def _on_encode_progress(self, job: int, fraction: float) -> None:
        if self._shut_down or job != self._job or self.checkpoint is None:
            return
        percent = round(100 * fraction)
        self._progress.setRange(0, 100)
        self._progress.setValue(percent)
        kind = self.checkpoint.kind.upper()
        self.latent_map.set_message(f"Encoding the 10,000 test images with the {kind}…  {percent}%")

    def _on_encode_failed(self, job: int, err: Exception) -> None:
        if self._shut_down or job != self._job:
            return
        self._progress.hide()
        self.latent_map.clear_map(f"The test images could not be encoded:\n{err}")
        self.last_error = str(err)

    def _on_encoded(self, job: int, path: Path | None, encoded: EncodedSet) -> None:
        if self._shut_down or job != self._job:
            return
        self._cache.put(path, encoded)
        self.encoded = encoded
        self._live = None
        if self.training_panel.live_images is None:
            self.training_panel.live_images = torch.from_numpy(encoded.images[LIVE_INDICES][:, None].copy())
        self._progress.hide()
        self.latent_map.set_data(encoded)
        # Short: pyqtgraph will not let the plot get narrower than its title.
        self.latent_map.set_title(f"{self.checkpoint.kind.upper()}  ·  {len(encoded):,} test images")
        z = encoded.z[:, :2]
        extent = float(np.max(z.max(axis=0) - z.min(axis=0)))
        self.coordinates.set_step(float(f"{extent / 100:.1g}") if extent > 0 else 0.05)
        start = np.median(z, axis=0)  # inside the data, whatever the model's scale
        self.latent_map.set_cursor_position(float(start[0]), float(start[1]))
        self._on_cursor_moved(*self.latent_map.cursor_position())  # also when it did not move
        self.resample()
        self.request_manifold()
        self.request_train_points()
        self.latent_map.reset_view()  # now including the samples
        self.latent_map.setFocus(Qt.FocusReason.OtherFocusReason)
        self.mapReady.emit()

    @property
    def map_ready(self) -> bool:
        return self.encoded is not None

    def _show_busy(self, text_format: str) -> None:
        """The status bar's progress bar, busy (no percentage yet), saying what is under way."""
        self._progress.setFormat(text_format)
        self._progress.setRange(0, 0)
        self._progress.show()

    # -- cursor, hover and decoding -------------------------------------------------------------
    def _on_cursor_moved(self, x: float, y: float) -> None:
        if self.checkpoint is None:
            self._readouts.show_now("cursor", partial(self._show_cursor_readouts, x, y))
            return
        self.decoder.request("cursor", np.array([[x, y]], dtype=np.float32))
        # The text follows once the decoded image is on screen: see readouts.py.
        self._readouts.defer("cursor", partial(self._show_cursor_readouts, x, y))

    def _show_cursor_readouts(self, x: float, y: float) -> None:
        self.coordinates.set_position(x, y)
        if self.encoded is not None:
            nearest = self.encoded.index.query((x, y))
            label = int(self.encoded.labels[nearest.index])
            self.preview.set_nearest(
                nearest, label, self.encoded.index.off_data_threshold, self.encoded.test_id(nearest.index)
            )

    def _on_mouse_moved(self, x: float, y: float, nearest: Nearest | None) -> None:
        show = partial(self._show_mouse_readout, x, y, nearest, self.encoded)
        if self.latent_map.cursor.moving:  # a drag: after the decoded image, as the cursor's readouts
            self._readouts.defer("mouse", show)
        else:
            self._readouts.show_now("mouse", show)

    def _show_mouse_readout(self, x: float, y: float, nearest: Nearest | None, encoded: EncodedSet | None) -> None:
        """``nearest`` indexes ``encoded``, the points on the map when the mouse moved (None: look it up)."""
        text = f"mouse  z = ({x:+.3f}, {y:+.3f})"
        if encoded is not None and encoded is self.encoded:  # else the map has changed since
            nearest = nearest if nearest is not None else encoded.index.query((x, y))
            name = CLASS_NAMES[int(encoded.labels[nearest.index])]
            number = encoded.test_id(nearest.index)
            text += f"   ·   nearest test image #{number} ({name}) {nearest.distance:.3f} away"
            if nearest.off_data:
                text += "   ·   OFF THE DATA"
        self._mouse_label.setText(text)

    def _on_hovered(self, index: int | None) -> None:
        if index is not None and self.encoded is not None:
            self.decoder.request("hover", self.encoded.z[index : index + 1], tag=index)

    def _on_decoded(self, result: DecodeResult) -> None:
        if self._shut_down or result.generation != self.decoder.generation:
            return  # decoded by a model that has since been replaced
        if result.channel == "cursor":
            self.preview.show_result(result.request_id, result.z[0], result.images[0])
            self._readouts.flush()
        elif result.channel == "hover":
            self.latent_map.hover_card.set_reconstruction(result.tag, result.images[0])
        elif result.channel == "samples":
            self.sample_grid.set_images(result.z, result.images)

    # -- sampling ------------------------------------------------------------------------------
    def resample(self) -> None:
        """Draw new points (N(0, I) for a VAE, the bounding box for an AE) and decode them."""
        if self.encoded is None or self.checkpoint is None:
            return
        points = sample_latent_points(self.checkpoint.kind, self.sample_panel.count(), self.encoded.z, self._rng)
        self.samples = points
        self.latent_map.set_samples(points)
        self.sample_grid.set_points(points)
        self.decoder.request("samples", points)

    def _on_sample_count_changed(self, count: int) -> None:
        self.settings.sample_count = count
        self.resample()

    def _on_tile_clicked(self, index: int) -> None:
        if self.samples is not None and 0 <= index < len(self.samples):
            x, y = self.samples[index][:2]
            self.latent_map.set_cursor_position(float(x), float(y))

    # -- export ---------------------------------------------------------------------------------
    def export_map_png(self, path: str | Path) -> Path:
        if self.encoded is None:
            raise ValueError("the map is not ready yet")
        path = Path(path)
        exporter = pyqtgraph.exporters.ImageExporter(self.latent_map.getPlotItem())
        width = max(1600, self.latent_map.width())  # a print-friendly size, independent of the window
        exporter.parameters()["width"] = width
        exporter.export(str(path))
        if not path.is_file():
            raise OSError(f"could not write {path}")
        return path

    def export_decoded_png(self, path: str | Path) -> Path:
        return self.preview.save_png(path)

    def export_samples_png(self, path: str | Path) -> Path:
        return self.sample_grid.save_png(path)

    def export_embeddings_csv(self, path: str | Path) -> Path:
        if self.encoded is None:
            raise ValueError("the map is not ready yet")
        return write_embeddings_csv(path, torch.from_numpy(self.encoded.z), torch.from_numpy(self.encoded.labels))

    def _export_with_dialog(self, what: str, file_filter: str, export) -> None:  # noqa: ANN001 - a bound method
        kind = self.model_kind or "model"
        suffix = ".csv" if "csv" in file_filter.lower() else ".png"
        default = Path(self.settings.last_directory or Path.home()) / f"gaerchen-{kind}-{what}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}", str(default), file_filter)
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            written = export(path)
        except (OSError, ValueError) as err:
            self.show_error("Export failed", f"Could not export the {what}: {err}")
            return
        self.settings.last_directory = str(Path(written).parent)
        self.statusBar().showMessage(f"Saved {written}", 5000)

    # -- opening files --------------------------------------------------------------------------
    def _open_with_dialog(self) -> None:
        start = self.settings.last_directory or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Open checkpoint", start, "Gaerchen checkpoints (*.pt *.pth);;All files (*)"
        )
        if path:
            self.settings.last_directory = str(Path(path).parent)
            self.open_checkpoint(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files
        for number, file in enumerate(files, start=1):
            path = Path(file)
            action = self.recent_menu.addAction(f"&{number}  {path.name}   —   {path.parent}")
            action.setToolTip(file)
            action.setEnabled(path.is_file())
            action.triggered.connect(lambda _=False, f=file: self.open_checkpoint(f))
        if not files:
            self.recent_menu.addAction("No recent checkpoints").setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.actions[ActionKey.CLEAR_RECENT])
        self.actions[ActionKey.CLEAR_RECENT].setEnabled(bool(files))

    @staticmethod
    def checkpoint_in(mime: QMimeData) -> Path | None:
        """The first local .pt/.pth file among dropped URLs, if any."""
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(CHECKPOINT_SUFFIXES):
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.checkpoint_in(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.checkpoint_in(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_checkpoint(path)

    def show_about(self) -> None:
        AboutDialog(self).exec()

    # -- closing --------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._shut_down and self.training_panel.runner.is_running and not self.confirm_stop_training():
            event.ignore()
            return
        if not self._shut_down:
            self._save_settings()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop both worker threads and wait for them (idempotent). Called on close."""
        if self._shut_down:
            return
        self._shut_down = True
        self._readouts.stop()
        if not self.training_panel.shutdown(TRAINING_STOP_TIMEOUT_MS):
            print("gaerchen: the training thread did not stop in time", file=sys.stderr)
        for worker in self._workers:
            worker.quit()  # checked between slices of 500 images, so this takes well under a second
        self.decoder.stop()
        self.manifold_decoder.stop()
        # Wait for our own workers only: others (a training run) share the global thread pool.
        deadline = time.monotonic() + WORKER_STOP_TIMEOUT_S
        while any(w.is_running for w in self._workers) and time.monotonic() < deadline:
            time.sleep(0.01)
        self._workers = []

    def confirm_stop_training(self) -> bool:
        """Ask before closing mid-training (tests replace ``QMessageBox.question``)."""
        answer = QMessageBox.question(
            self,
            "Training is running",
            "A model is being trained. Stop training and close Gaerchen?\n\n"
            "The model being trained is lost unless you save it first.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- training: the live map ----------------------------------------------------------------
    def _show_training(self, visible: bool) -> None:
        first_time = visible and not self._training_dock_sized
        self.training_dock.setVisible(visible)
        if first_time:  # short enough to leave the map most of the height; the user may resize it
            self._training_dock_sized = True
            self.resizeDocks([self.training_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)

    def _on_training_running(self, running: bool) -> None:
        if running:
            self._show_training(True)

    def _on_live_snapshot(self, update: LiveMapUpdate) -> None:
        """Show the model being trained: its embeddings of the live subset, and decode with it."""
        snapshot = update.snapshot
        if self._shut_down or snapshot.embeddings.shape[1] != 2:
            return
        if self._live is None:
            if self.encoded is None:
                return  # the test set is not loaded yet; the next snapshot will do
            self._live = LiveView(labels=self.encoded.labels[LIVE_INDICES], images=self.encoded.images[LIVE_INDICES])
            # The samples and training points belong to the explorer's model, not to the one being trained.
            self._cancel_train_points()
            self.samples = None
            self.latent_map.set_samples(None)
            self.sample_grid.clear()
        self.decoder.set_model(snapshot.model)  # a frozen copy: the worker never sees weights mid-update
        self.manifold_decoder.set_model(snapshot.model)
        z = snapshot.embeddings.numpy()
        self.encoded = EncodedSet(
            z=z, labels=self._live.labels, images=self._live.images, index=update.index, test_ids=LIVE_INDICES
        )
        self.latent_map.set_data(self.encoded, keep_view=True)
        if self._live.snapshots == 0:
            # Follow the points as they spread out, until the user pans or zooms (pyqtgraph then
            # switches auto-range off by itself).
            self.latent_map.getPlotItem().enableAutoRange()
        self._live.snapshots += 1
        # the title: this step, or "map updating…" once it is over a second behind training
        self.training_panel.map_status.shown(snapshot.model.kind.upper(), snapshot.global_step, len(z))
        self._on_cursor_moved(*self.latent_map.cursor_position())
        self.request_manifold()  # latest wins: while one grid decodes, newer snapshots replace the next

    # -- the 60,000 training images on the map ---------------------------------------------------
    def request_train_points(self) -> None:
        """Show the training images' embeddings, encoding them in a worker the first time (if asked for)."""
        checkpoint = self.checkpoint
        if not self.actions[ActionKey.SHOW_TRAIN_POINTS].isChecked() or checkpoint is None or self._live is not None:
            return
        key = checkpoint.digest or id(checkpoint)
        if key in TRAIN_POINTS:
            self._on_train_points(self._train_job, key, TRAIN_POINTS[key])
            return
        self._train_job += 1
        job = self._train_job
        worker = create_worker(
            encode_training_points,
            checkpoint.model,
            cache_name=embeddings_cache_name(checkpoint.digest, "train"),
            _start_thread=False,
            _ignore_errors=True,
        )
        worker.yielded.connect(lambda fraction, job=job: self._on_train_progress(job, fraction))
        worker.returned.connect(lambda result, job=job, key=key: self._on_train_points(job, key, result))
        worker.errored.connect(lambda err, job=job: self._on_train_points_failed(job, err))
        self._workers.append(worker)
        self._train_worker = worker
        self._show_busy("training images %p%")
        worker.start()

    def _on_train_progress(self, job: int, fraction: float) -> None:
        if self._shut_down or job != self._train_job:
            return
        self._progress.setRange(0, 100)
        self._progress.setValue(round(100 * fraction))

    def _on_train_points(self, job: int, key: object, result: tuple[np.ndarray, np.ndarray]) -> None:
        if self._shut_down or job != self._train_job:
            return
        TRAIN_POINTS[key] = result
        self._progress.hide()
        z, labels = result
        self.latent_map.set_train_points(z[:, :2], labels)
        self.statusBar().showMessage(f"{len(z):,} training images on the map", 4000)

    def _on_train_points_failed(self, job: int, err: Exception) -> None:
        if self._shut_down or job != self._train_job:
            return
        self._progress.hide()
        self.show_error("Training images unavailable", f"The training images could not be encoded:\n{err}")
        self.actions[ActionKey.SHOW_TRAIN_POINTS].setChecked(False)

    def _on_train_points_toggled(self, on: bool) -> None:
        self.latent_map.set_train_points_visible(on)
        if on:
            self.request_train_points()
        else:
            self._stop_encoding_train_points()  # an encoding under way is not wanted any more

    def _cancel_train_points(self) -> None:
        """Take the training points off the map and stop encoding them (the model they belong to is going)."""
        self._stop_encoding_train_points()
        self.latent_map.set_train_points(None, None)

    def _stop_encoding_train_points(self) -> None:
        self._train_job += 1  # a result still on its way is dropped
        if self._train_worker is not None and self._train_worker.is_running:
            self._train_worker.quit()  # stops at its next slice
            self._progress.hide()
        self._train_worker = None

    # -- the decoded manifold ---------------------------------------------------------------------
    def request_manifold(self) -> None:
        """Decode the grid for the current model and options (in the manifold thread), if it is shown."""
        if not self.actions[ActionKey.SHOW_MANIFOLD].isChecked() or self.encoded is None or self.checkpoint is None:
            return
        options = self.manifold_controls.options()
        spacing = self.manifold_controls.effective_spacing()
        z = self.encoded.z[:, :2].astype(np.float64)
        bounds = (*z.min(axis=0).tolist(), *z.max(axis=0).tolist())
        key = (self._manifold_model, options.resolution, spacing, bounds)
        if key == self._manifold_drawn:
            return
        try:
            grid = manifold_grid(options.resolution, spacing, box=bounds)
        except ValueError as err:
            self.manifold_controls.set_status(f"Cannot draw the manifold: {err}")
            return
        self.manifold_controls.set_status(f"Decoding {options.resolution**2:,} grid points…")
        tag = (key, grid, time.perf_counter())
        self.manifold_decoder.request("manifold", grid.points, tag=tag, finish=partial(render_manifold, grid))

    def _on_manifold_decoded(self, result: DecodeResult) -> None:
        key, grid, requested_at = result.tag  # grid: the ManifoldGrid that was decoded
        # A result for an earlier snapshot of the model being trained is still worth showing; one for
        # another explorer model is not.
        if self._shut_down or key[0] != self._manifold_model:
            return
        if not self.actions[ActionKey.SHOW_MANIFOLD].isChecked():
            return
        self.manifold_layer.show_picture(result.images, grid.extent)
        self.manifold_layer.setVisible(True)
        self._manifold_drawn = key
        seconds = time.perf_counter() - requested_at
        spacing = SPACING_LABELS[grid.spacing].lower()
        self.manifold_controls.set_status(
            f"{grid.resolution} x {grid.resolution} decoded images, {spacing}  ·  {seconds:.2f} s"
        )

    def _on_manifold_toggled(self, on: bool) -> None:
        self.manifold_controls.show_box.setChecked(on)
        self.manifold_layer.setVisible(on and self.manifold_layer.has_picture)
        if on:
            self.request_manifold()
        else:
            self.manifold_controls.set_status("")

    def _on_manifold_options_changed(self) -> None:
        options: ManifoldOptions = self.manifold_controls.options()
        self.manifold_layer.setOpacity(options.opacity)
        self.settings.set_manifold_values(options.opacity, options.resolution, options.spacing)
        self.request_manifold()  # nothing to do when only the opacity changed

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.manifold_layer.apply_palette()
        super().changeEvent(event)

    # for the recent-files menu test: the menu object is built lazily by Qt
    def recent_menu_actions(self) -> list:
        self._fill_recent_menu()
        return [a for a in self.recent_menu.actions() if not a.isSeparator()]
