"""The image the decoder paints at the cursor, large, with where it is and how far the data is.

Results arrive from the decode worker out of step with the mouse; only one
newer than the one on screen is shown (:meth:`DecoderPreview.show_result`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PIL import Image
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.core.neighbours import OFF_DATA_FACTOR, Nearest
from gaerchen_gui.gui.images import to_qimage, upscaled
from gaerchen_gui.gui.live_label import LiveLabel
from gaerchen_gui.gui.theme import OFF_DATA_COLOR, ON_DATA_COLOR, css, muted, plot_foreground

SIDE = 32  # decoded images are 32 x 32
SMOOTH_FACTOR = 8  # "smooth" shows a bicubic 256 x 256 upsampling
EXPORT_FACTOR = 8  # PNG export: each pixel as an 8 x 8 block


class PixelView(QWidget):
    """One small greyscale image drawn as large as fits, square, centred, with a thin frame.

    A plain widget rather than a pyqtgraph view: it repaints on every decode while the cursor
    is dragged, and this costs a fraction of a millisecond where a GraphicsView with a ViewBox
    and an ImageItem cost several. It counts its paints, so the self-test and the benchmark can
    tell that a decode reached the screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._smooth = False
        self.paint_count = 0
        self.frame_color = QColor(128, 128, 128)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paints every pixel itself

    def set_image(self, image: QImage | None, smooth: bool) -> None:
        self._image, self._smooth = image, smooth
        # At once, not at the next update pass: this is the image the user is steering, and an update
        # waits behind whatever else is queued (measured: ~0.3 ms sooner on screen while dragging).
        self.repaint()

    def image_rect(self) -> QRectF:
        side = max(min(self.width(), self.height()) - 4, 1)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        self.paint_count += 1
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(self.backgroundRole()))
        rect = self.image_rect()
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._smooth)
            painter.drawImage(rect, self._image)
        painter.setPen(QPen(self.frame_color, 1))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.end()


class DecoderPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        self._built = False
        super().__init__(parent)
        self.image: np.ndarray | None = None  # (32, 32) on screen now
        self.shown_z: np.ndarray | None = None
        self.shown_request_id = 0
        self.nearest: Nearest | None = None
        self._smooth = False

        self.view = PixelView()
        self.view.setObjectName("decoderView")
        self.view.setMinimumSize(200, 200)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._badge_off: bool | None = None  # the badge's style is set only when this changes
        # What the two numbers under the image are: z itself for a 2-D model; for a wider one the map shows
        # a plane through z-space (a projection), and the numbers are that plane's coordinates.
        self._coords_name = "z"

        # Live labels: these change with every decode and every cursor move (see live_label.py).
        self._coords = LiveLabel(
            "z = (–, –)", alignment=Qt.AlignmentFlag.AlignHCenter, width_hint="z = (+00.000, +00.000)"
        )
        self._coords.setObjectName("previewCoordinates")
        font = self._coords.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        font.setPointSizeF(font.pointSizeF() + 1)
        self._coords.setFont(font)

        self._badge = QLabel()
        self._badge.setObjectName("dataBadge")
        self._badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._nearest_text = LiveLabel(width_hint="nearest: #10000 Sneaker, 0.000 away")
        self._nearest_text.setObjectName("nearestReadout")
        self._tooltip_threshold: float | None = None
        readout = QHBoxLayout()
        readout.setSpacing(8)
        readout.addWidget(self._badge)
        readout.addWidget(self._nearest_text, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.view, 1)
        layout.addWidget(self._coords)
        layout.addLayout(readout)
        self._built = True
        self.apply_palette()
        self.clear()

    # -- appearance --------------------------------------------------------------------------
    def apply_palette(self) -> None:
        self.view.frame_color = muted(plot_foreground(), 90)
        self.view.update()
        self._badge_off = None
        self._update_badge()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and self._built:
            self.apply_palette()
        super().changeEvent(event)

    def set_smooth(self, smooth: bool) -> None:
        self._smooth = smooth
        if self.image is not None:
            self._paint(self.image)

    # -- content -----------------------------------------------------------------------------
    def show_result(self, request_id: int, z: np.ndarray, image: np.ndarray) -> bool:
        """Show a decode if it is newer than the one on screen; returns whether it was shown."""
        if request_id <= self.shown_request_id:
            return False
        self.shown_request_id = request_id
        self.shown_z = np.asarray(z, dtype=np.float64)
        self.image = np.asarray(image, dtype=np.float32)
        self._paint(self.image)
        self._coords.setText(f"{self._coords_name} = (" + ", ".join(f"{c:+.3f}" for c in self.shown_z[:2]) + ")")
        return True

    def set_coordinate_names(self, x: str, y: str, projected: bool) -> None:
        """``projected``: the map is a plane through a wider latent space, whose axes are ``x`` and ``y``."""
        self._coords_name = f"{x}, {y}" if projected else "z"
        if self.shown_z is None:
            self._coords.setText(f"{self._coords_name} = (–, –)")

    def _paint(self, image: np.ndarray) -> None:
        if self._smooth:  # bicubic by Pillow, then drawn with bilinear filtering: no 32-pixel blockiness
            big = Image.fromarray(np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)).resize(
                (SIDE * SMOOTH_FACTOR, SIDE * SMOOTH_FACTOR), Image.Resampling.BICUBIC
            )
            self.view.set_image(to_qimage(np.asarray(big, dtype=np.float32) / 255.0), smooth=True)
        else:
            self.view.set_image(to_qimage(image), smooth=False)

    def set_nearest(
        self,
        nearest: Nearest | None,
        label: int | None = None,
        threshold: float | None = None,
        test_id: int | None = None,
        class_names: tuple[str, ...] = CLASS_NAMES,
    ) -> None:
        """The nearest encoded test image to the cursor, and whether the cursor is "on the data"."""
        self.nearest = nearest
        if nearest is None:
            self._nearest_text.setText("")
            self._nearest_text.setToolTip("")
            self._tooltip_threshold = None
        else:
            name = class_names[label] if label is not None else "?"
            number = nearest.index if test_id is None else test_id
            self._nearest_text.setText(
                [("nearest: ", False), (f"#{number}", True), (f" {name}, ", False),
                 (f"{nearest.distance:.3f}", True), (" away", False)]
            )  # fmt: skip
            if threshold is not None and threshold != self._tooltip_threshold:  # not per move: it is constant
                self._tooltip_threshold = threshold
                self._nearest_text.setToolTip(
                    f"Off the data means farther than {threshold:.3f} from every encoded test image "
                    f"({OFF_DATA_FACTOR:g} x the typical gap between neighbouring images): a hole in the map, "
                    "where no image was encoded and a plain AE's decodes are often garbage."
                )
        self._update_badge()

    def _update_badge(self) -> None:
        if self.nearest is None:
            self._badge.hide()
            return
        off = self.nearest.off_data
        if off != self._badge_off:  # a style sheet re-polishes the widget: only when it flips, not per move
            self._badge_off = off
            color = pg.mkColor(OFF_DATA_COLOR if off else ON_DATA_COLOR)
            self._badge.setText("OFF THE DATA" if off else "on the data")
            self._badge.setStyleSheet(
                f"QLabel#dataBadge {{ color: {css(color)}; background: {css(muted(color, 40))};"
                f" border: 1px solid {css(color)}; border-radius: 4px; padding: 2px 8px; font-weight: bold; }}"
            )
        self._badge.show()

    @property
    def nearest_text(self) -> str:
        """The nearest-image readout as shown ("nearest: #123 Shirt, 0.031 away")."""
        return self._nearest_text.text()

    @property
    def off_data(self) -> bool | None:
        return None if self.nearest is None else self.nearest.off_data

    @property
    def coordinates_text(self) -> str:
        """The line under the image: where it was decoded."""
        return self._coords.text()

    @property
    def paint_count(self) -> int:
        return self.view.paint_count

    def clear(self) -> None:
        self.image = None
        self.shown_z = None
        self.view.set_image(None, smooth=False)
        self._coords.setText(f"{self._coords_name} = (–, –)")
        self.set_nearest(None)

    def reset_requests(self) -> None:
        """Accept results from request id 1 again (a new decode worker numbers from scratch)."""
        self.shown_request_id = 0

    def save_png(self, path: str | Path) -> Path:
        if self.image is None:
            raise ValueError("there is no decoded image yet")
        path = Path(path)
        if not upscaled(self.image, EXPORT_FACTOR).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path
