"""The "Your Images" dock: a drawing pad with its reconstruction, and the list of pinned image files.

Draw on the pad and the drawing is encoded as you draw (off the GUI thread) and pinned on every
map on screen, with its reconstruction beside the pad; open or drop image files and each is
prepared like Fashion-MNIST's images (before / after preview, invert toggle) and pinned on the
maps as a thumbnail. :class:`OwnImagesFeature` ties the state, its jobs, the dock and a
:class:`PinLayer` per pane together; the window only creates it and hands it dropped files.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.components.own_images import ImagePin, OwnImages
from gaerchen_gui.core.placement import pad_drawing
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.drawing_pad import BRUSH_SIZES, DEFAULT_BRUSH, DrawingPad
from gaerchen_gui.gui.images import to_pixmap
from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE
from gaerchen_gui.gui.own_images_jobs import OwnImagesJobs
from gaerchen_gui.gui.pin_layer import THUMB_PX, PinLayer, framed
from gaerchen_gui.gui.scroll_area import scrolled
from gaerchen_gui.gui.window_files import CHECKPOINT_SUFFIXES

PREVIEW_PX = 80  # the reconstruction and the before / after previews
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"


def image_files_in(mime: QMimeData) -> list[str]:
    """The dropped local files that are not checkpoints (whether they are images is found out by reading them)."""
    if not mime.hasUrls():
        return []
    files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
    return [f for f in files if not f.lower().endswith(CHECKPOINT_SUFFIXES)]


class OwnImagesPanel(QWidget):
    def __init__(self, own: OwnImages, jobs: OwnImagesJobs, window) -> None:  # the ExplorerWindow
        super().__init__()
        self.own, self.jobs, self.window = own, jobs, window
        self.pad = DrawingPad()
        self.pad.drawingChanged.connect(lambda drawing: own.set_drawing(pad_drawing(drawing)))
        self.reconstruction = QLabel("Draw on the pad")
        self.reconstruction.setObjectName("drawingReconstruction")
        self.reconstruction.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.reconstruction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reconstruction.setWordWrap(True)
        self.reconstruction.setToolTip("The active model's reconstruction of the drawing: decoded from where it lands")
        self.brush = QSpinBox()
        self.brush.setRange(BRUSH_SIZES[0], BRUSH_SIZES[-1])
        self.brush.setValue(DEFAULT_BRUSH)
        self.brush.setPrefix("brush ")
        self.brush.valueChanged.connect(lambda size: setattr(self.pad, "brush", size))
        self.eraser = QToolButton()
        self.eraser.setText("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.toggled.connect(lambda on: setattr(self.pad, "erasing", on))
        clear, invert = QPushButton("Clear"), QPushButton("Invert")
        clear.clicked.connect(self.pad.clear)
        invert.clicked.connect(self.pad.invert)
        tools = QGridLayout()
        tools.addWidget(QLabel("reconstruction"), 0, 0)
        tools.addWidget(self.reconstruction, 1, 0)
        for row, widget in enumerate((self.brush, self.eraser, clear, invert), start=2):
            tools.addWidget(widget, row, 0)
        tools.setRowStretch(6, 1)
        draw_row = QHBoxLayout()
        draw_row.addWidget(self.pad, 1)
        draw_row.addLayout(tools)
        draw_box = QGroupBox("Draw")
        draw_box.setLayout(draw_row)

        self.pins = QListWidget()
        self.pins.setObjectName("pinnedImages")
        self.pins.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.pins.currentRowChanged.connect(lambda _: self._show_selected())
        self.before, self.after = QLabel(), QLabel()
        for label in (self.before, self.after):
            label.setFixedSize(PREVIEW_PX, PREVIEW_PX)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.invert_pin = QCheckBox("Inverted")
        self.invert_pin.setToolTip("Negate this image before encoding (chosen by its background unless you set it)")
        self.invert_pin.clicked.connect(self._on_invert_clicked)
        open_button, self.remove, self.remove_all = (
            QPushButton("Open Images…"),
            QPushButton("Remove"),
            QPushButton("Remove All"),
        )
        open_button.clicked.connect(self.open_with_dialog)
        self.remove.clicked.connect(self._remove_selected)
        self.remove_all.clicked.connect(own.clear_pins)
        previews = QGridLayout()
        previews.addWidget(QLabel("before"), 0, 0)
        previews.addWidget(QLabel("after: as the model sees it"), 0, 1)
        previews.addWidget(self.before, 1, 0)
        previews.addWidget(self.after, 1, 1)
        buttons = QGridLayout()  # two by two: the dock stays narrow enough for a 900 px window
        for i, widget in enumerate((open_button, self.invert_pin, self.remove, self.remove_all)):
            buttons.addWidget(widget, i // 2, i % 2)
        hint = QLabel("Drop image files on the window, or open them: each is pinned on the map.")
        hint.setWordWrap(True)
        images = QVBoxLayout()
        images.addWidget(hint)
        images.addLayout(buttons)
        images.addWidget(self.pins, 1)
        images.addLayout(previews)
        images_box = QGroupBox("Images")
        images_box.setLayout(images)
        column = QVBoxLayout(self)
        column.addWidget(draw_box)
        column.addWidget(images_box, 1)

        own.placed.connect(self._on_placed)
        own.drawing_changed.connect(lambda _: self.show_reconstruction())
        own.pins_changed.connect(self._list_pins)
        window.explorer.active_changed.connect(lambda _: self.show_reconstruction())
        self._list_pins(own.pins)

    # -- the drawing --------------------------------------------------------------------------
    def _on_placed(self, state) -> None:  # a ModelState
        if state is self.window.explorer.active:
            self.show_reconstruction()

    def show_reconstruction(self) -> None:
        placement = self.own.drawing_placement(self.window.explorer.active)
        if placement is None or self.own.drawing is None:
            self.reconstruction.setPixmap(QIcon().pixmap(1))
            self.reconstruction.setText("Draw on the pad" if self.own.drawing is None else "encoding…")
            return
        self.reconstruction.setPixmap(to_pixmap(placement.reconstruction, PREVIEW_PX))

    # -- pinned files --------------------------------------------------------------------------
    def open_with_dialog(self) -> None:
        settings = self.window.settings
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Open images", settings.last_directory or str(Path.home()), IMAGE_FILTER
        )
        if paths:
            settings.last_directory = str(Path(paths[0]).parent)
            self.jobs.open_files(paths)

    def _list_pins(self, pins: tuple[ImagePin, ...]) -> None:
        row = self.pins.currentRow()
        self.pins.clear()
        for pin in pins:
            item = QListWidgetItem(QIcon(framed(pin.pixels)), pin.name)
            item.setToolTip(pin.path)
            self.pins.addItem(item)
        if pins:
            self.pins.setCurrentRow(min(max(row, 0), len(pins) - 1))
        self.remove_all.setEnabled(bool(pins))
        self._show_selected()

    def selected_pin(self) -> ImagePin | None:
        row = self.pins.currentRow()
        return self.own.pins[row] if 0 <= row < len(self.own.pins) else None

    def _show_selected(self) -> None:
        pin = self.selected_pin()
        for widget in (self.remove, self.invert_pin):
            widget.setEnabled(pin is not None)
        if pin is None:
            self.before.clear()
            self.after.clear()
            return
        self.before.setPixmap(to_pixmap(pin.before, PREVIEW_PX, smooth=True))
        self.after.setPixmap(to_pixmap(pin.pixels, PREVIEW_PX))
        self.invert_pin.setChecked(pin.inverted)

    def _on_invert_clicked(self, checked: bool) -> None:
        pin = self.selected_pin()
        if pin is not None:
            self.jobs.set_invert(pin, checked)

    def _remove_selected(self) -> None:
        pin = self.selected_pin()
        if pin is not None:
            self.own.remove_pin(pin)


class OwnImagesFeature:
    """One's own images in the window: the state, its jobs, the dock and a pin layer on every pane."""

    def __init__(self, window) -> None:  # the ExplorerWindow, once its panes exist
        self.window = window
        self.own = OwnImages()
        self.jobs = OwnImagesJobs(self.own, window.explorer, window.settings, parent=window)
        self.jobs.message.connect(lambda text: window.statusBar().showMessage(text, 20_000))
        self.panel = OwnImagesPanel(self.own, self.jobs, window)
        self.dock = QDockWidget("Your Images", window)
        self.dock.setObjectName("ownImagesDock")  # saveState() keys docks by name
        # In a scroll area: the pad, the list and the preview are taller than a small window's map
        # column, and a dock's minimum height would otherwise make the whole window grow past the screen.
        scroller = scrolled(self.panel)
        scroller.setMinimumWidth(self.panel.minimumSizeHint().width())
        self.dock.setWidget(scroller)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._placed = False
        action = window.actions[ActionKey.SHOW_OWN_IMAGES]
        self.dock.visibilityChanged.connect(lambda shown: shown == self.dock.isVisible() and action.setChecked(shown))
        self.layers: dict[object, PinLayer] = {}  # ModelState -> its pane's layer
        window.panes.paneAdded.connect(self.add_pane)
        window.explorer.models_changed.connect(self._drop_gone_panes)
        for pane in window.panes.panes:
            self.add_pane(pane)

    def add_pane(self, pane) -> None:  # a ModelPane
        self.layers[pane.state] = PinLayer(pane.latent_map.getPlotItem(), pane.state, self.own)

    def _drop_gone_panes(self) -> None:
        for state in [s for s in self.layers if s not in self.window.explorer.models]:
            self.layers.pop(state).detach()

    def layer_of(self, state) -> PinLayer:  # a ModelState
        return self.layers[state]

    def show(self, visible: bool) -> None:
        if visible and not self._placed:
            self._placed = True
            self._float_if_no_room()
        self.dock.setVisible(visible)
        if visible:
            self.dock.raise_()

    def _float_if_no_room(self) -> None:
        """On a small screen (900 x 600) the dock beside the map and the side panel would make the window
        wider than the screen (1,065 px, measured): there it opens as a window of its own over the
        explorer's right edge, which the user may dock again."""
        window = self.window
        beside = MIN_MAP_SIZE.width() + window.side.minimumWidth() + self.dock.widget().minimumWidth()
        if window.width() >= beside or self.dock.isFloating():
            return
        self.dock.setFloating(True)
        width = self.dock.widget().minimumWidth() + 40
        height = min(window.height(), 640)
        corner = window.geometry().topRight()
        self.dock.setGeometry(corner.x() - width, corner.y(), width, height)

    def drop(self, mime: QMimeData) -> bool:
        """Pin the image files among dropped files; False if there were none."""
        files = image_files_in(mime)
        if files:
            self.jobs.open_files(files)
        return bool(files)

    def shutdown(self) -> None:
        self.jobs.shutdown()
