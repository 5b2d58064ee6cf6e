"""The small card that follows the mouse over the latent map: which test image is here.

It shows the original image beside its reconstruction (the decoder's image at
that point), the class and the index. The reconstruction arrives later, from
the decode worker; until then its square says "decoding…".
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.gui.images import to_pixmap
from gaerchen_gui.gui.theme import class_color

IMAGE_PX = 84
CURSOR_OFFSET = QPoint(18, 18)  # keep the card clear of the mouse pointer


class HoverCard(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("hoverCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # never steal the map's mouse
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.index: int | None = None

        self._swatch = QLabel()
        self._swatch.setFixedSize(10, 10)
        self._title = QLabel()
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)
        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        title_row.addWidget(self._swatch)
        title_row.addWidget(self._title, 1)

        self._original = self._image_label()
        self._reconstruction = self._image_label()
        images = QGridLayout()
        images.setHorizontalSpacing(6)
        images.setVerticalSpacing(2)
        images.addWidget(self._original, 0, 0)
        images.addWidget(self._reconstruction, 0, 1)
        images.addWidget(self._caption("original"), 1, 0)
        images.addWidget(self._caption("reconstruction"), 1, 1)

        self._detail = QLabel()
        self._detail.setForegroundRole(QPalette.ColorRole.ToolTipText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(title_row)
        layout.addLayout(images)
        layout.addWidget(self._detail)
        self.hide()

    @staticmethod
    def _image_label() -> QLabel:
        label = QLabel()
        label.setFixedSize(IMAGE_PX, IMAGE_PX)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("background: black; color: #aaa;")
        return label

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = label.font()
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 6.5))
        label.setFont(font)
        return label

    def show_image(
        self,
        index: int,
        label: int,
        original: np.ndarray,
        z: np.ndarray,
        test_id: int | None = None,
        class_names: tuple[str, ...] = CLASS_NAMES,
    ) -> None:
        """Describe the map's point ``index`` (test image ``test_id``, by default the same number);
        the reconstruction follows with :meth:`set_reconstruction`."""
        if index != self.index:
            self.index = index
            color: QColor = class_color(label)
            self._swatch.setStyleSheet(f"background: {color.name()}; border-radius: 5px;")
            self._title.setText(f"{class_names[label]}  ·  test image #{index if test_id is None else test_id}")
            self._original.setPixmap(to_pixmap(original, IMAGE_PX))
            self._reconstruction.clear()
            self._reconstruction.setText("decoding…")
            coords = ", ".join(f"{c:.3f}" for c in z[:2])
            self._detail.setText(f"z = ({coords})")
            # The labels' new size hints reach the layout only with a queued LayoutRequest; resizing
            # before it arrives clipped "#8747" to "#8". Activate the layout now, then fit.
            self.layout().invalidate()
            self.layout().activate()
            self.adjustSize()
        self.show()
        self.raise_()

    @property
    def title_text(self) -> str:
        """The card's title: the class and the test image's number."""
        return self._title.text()

    @property
    def has_reconstruction(self) -> bool:
        """Whether the decoded image for the shown point has arrived (until then its square says "decoding…")."""
        pixmap = self._reconstruction.pixmap()
        return pixmap is not None and not pixmap.isNull()

    def set_reconstruction(self, index: int, image: np.ndarray) -> None:
        if index == self.index:
            self._reconstruction.setPixmap(to_pixmap(image, IMAGE_PX))

    def place_near(self, pos: QPoint) -> None:
        """Beside ``pos`` (parent coordinates), flipped to stay inside the parent."""
        parent = self.parentWidget()
        x, y = pos.x() + CURSOR_OFFSET.x(), pos.y() + CURSOR_OFFSET.y()
        if parent is not None:
            if x + self.width() > parent.width():
                x = pos.x() - CURSOR_OFFSET.x() - self.width()
            if y + self.height() > parent.height():
                y = pos.y() - CURSOR_OFFSET.y() - self.height()
            x, y = max(0, x), max(0, y)
        self.move(x, y)

    def dismiss(self) -> None:
        self.index = None
        self.hide()
