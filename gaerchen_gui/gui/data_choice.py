"""What the training dock trains on: Fashion-MNIST, or a folder of one's own images with one
subfolder per class (core/image_folder.py). The folder is only named here; it is read when a run
starts, on the training thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

FASHION_MNIST = "Fashion-MNIST"
CHOOSE = "Folder…"
TOOLTIP = Qt.ItemDataRole.ToolTipRole
HELP = "Train on Fashion-MNIST, or on a folder of your own images with one subfolder per class"


class DataChoice(QComboBox):
    """A list of Fashion-MNIST, the chosen folder (its path elided; in full in the tooltip) and Folder…."""

    folderChanged = Signal(object)  # the folder (str) or None for Fashion-MNIST

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The path is elided to the width the form gives, so a long one never widens the dock.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(len(FASHION_MNIST))
        self._folder: str | None = None  # the folder chosen last: it stays in the list beside Fashion-MNIST
        self._use_folder = False
        self._fill()
        self.activated.connect(self._on_activated)

    @property
    def folder(self) -> str | None:
        """The folder to train on; None: Fashion-MNIST."""
        return self._folder if self._use_folder else None

    def set_folder(self, folder: str | Path | None) -> None:
        """Train on ``folder`` from now on (None: on Fashion-MNIST; a folder chosen before stays listed)."""
        before = self.folder
        if folder is not None:
            self._folder = str(Path(folder).absolute())
        self._use_folder = folder is not None
        self._fill()
        if self.folder != before:
            self.folderChanged.emit(self.folder)

    def choose_folder(self) -> None:
        """Ask for a folder; cancelling keeps the current choice."""
        start = self._folder or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Train on the images in a folder", start)
        if folder:
            self.set_folder(folder)
        else:
            self._fill()  # back to the item chosen before "Folder…"

    def _fill(self) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem(FASHION_MNIST, None)
        if self._folder is not None:
            self.addItem(self._elided(), self._folder)
            self.setItemData(1, self._folder, TOOLTIP)
        self.addItem(CHOOSE, CHOOSE)
        self.setItemData(self.count() - 1, "Choose a folder with one subfolder of images per class", TOOLTIP)
        self.setCurrentIndex(1 if self._use_folder else 0)
        self.setToolTip(self.folder or HELP)
        self.blockSignals(False)

    def _elided(self) -> str:
        # The end of the path is the part that tells folders apart: elide its start.
        width = max(self.width() - 36, 60)  # minus the arrow and the frame
        return self.fontMetrics().elidedText(self._folder, Qt.TextElideMode.ElideLeft, width)

    def _on_activated(self, index: int) -> None:
        if self.itemData(index) == CHOOSE:
            self.choose_folder()
        else:
            self.set_folder(self.itemData(index))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._folder is not None:
            self.setItemText(1, self._elided())
