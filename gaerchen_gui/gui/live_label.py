"""A one-line readout that changes at pointer speed without re-laying out the window.

``QLabel.setText`` calls ``updateGeometry``, and unless a widget has a fixed size
that walks up every layout to the main window: on each mouse move over the map
Qt re-laid out the docks, the toolbar and the splitter (QMainWindow even starts
and deletes a QPropertyAnimation for it) and, for rich text, rebuilt a
QTextDocument: ~1-2 ms of GUI-thread time per move, between the move and the
decoded image it asked for. A :class:`LiveLabel` keeps one size hint (a line of
its font), so a new text only repaints the label itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QStyle, QWidget

# A text, or parts of it (text, bold) as in "nearest: **#123** Bag".
LiveText = str | Sequence[tuple[str, bool]]
MARGIN = 2  # pixels around the text


class LiveLabel(QWidget):
    """Text on one line, parts of it optionally bold, elided with "…" when it does not fit.

    ``width_hint`` is the text whose width the size hint asks for (the longest typical content);
    the label is wider when its layout gives it more room and elides when it gets less. It paints
    its own background (the palette's window colour), so Qt need not repaint what lies under it.
    """

    def __init__(
        self,
        text: LiveText = "",
        parent: QWidget | None = None,
        alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        width_hint: str = "",
    ) -> None:
        super().__init__(parent)
        self._parts: tuple[tuple[str, bool], ...] = ()
        self._alignment = alignment
        self._width_hint = width_hint
        self._fonts: dict[bool, tuple[QFont, QFontMetrics]] = {}
        self._runs: list[tuple[int, str, bool]] | None = None  # (x, text, bold) laid out for the current width
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: LiveText) -> None:  # QLabel's name, for drop-in use
        parts = ((text, False),) if isinstance(text, str) else tuple((str(t), bool(b)) for t, b in text)
        if parts != self._parts:
            self._parts = parts
            self._runs = None
            self.setAccessibleName(self.text())  # what a screen reader reads, as for a QLabel
            self.update()  # never updateGeometry(): that is the point of this class

    def text(self) -> str:
        """The plain text shown, without the bold marks."""
        return "".join(part for part, _ in self._parts)

    def sizeHint(self) -> QSize:  # Qt override
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._width_hint) + 2 * MARGIN, metrics.height() + 2 * MARGIN)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(0, self.fontMetrics().height() + 2 * MARGIN)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        if event.type() == QEvent.Type.FontChange:
            self._fonts.clear()
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange):
            self._runs = None
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        self._runs = None
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(self.backgroundRole()))
        painter.setPen(self.palette().color(self.foregroundRole()))
        baseline = (self.height() + self._font(False)[1].ascent() - self._font(False)[1].descent()) // 2
        for x, text, bold in self._layout():
            painter.setFont(self._font(bold)[0])
            painter.drawText(x, baseline, text)
        painter.end()

    def _font(self, bold: bool) -> tuple[QFont, QFontMetrics]:
        if bold not in self._fonts:
            font = QFont(self.font())
            font.setBold(bold)
            self._fonts[bold] = (font, QFontMetrics(font))
        return self._fonts[bold]

    def _layout(self) -> list[tuple[int, str, bool]]:
        """Where each part starts, worked out once per text and width (not per paint)."""
        if self._runs is not None:
            return self._runs
        widths = [self._font(bold)[1].horizontalAdvance(text) for text, bold in self._parts]
        room = self.width() - 2 * MARGIN
        slack = room - sum(widths)
        x = MARGIN
        if slack >= 0:
            # Qt.AlignLeft means "leading": the right edge in a right-to-left layout, as for a QLabel
            alignment = QStyle.visualAlignment(self.layoutDirection(), self._alignment)
            if alignment & Qt.AlignmentFlag.AlignHCenter:
                x += slack // 2
            elif alignment & Qt.AlignmentFlag.AlignRight:
                x += slack
        runs = []
        for (text, bold), width in zip(self._parts, widths, strict=True):
            left = MARGIN + room - x
            if left <= 0:
                break
            if width > left:  # the last part that shows: cut it short
                text, width = self._font(bold)[1].elidedText(text, Qt.TextElideMode.ElideRight, left), left
            runs.append((x, text, bold))
            x += width
        self._runs = runs
        return runs
