"""A note centred over the map while it has nothing to show ("Encoding…", "No model loaded")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QWidget

from gaerchen_gui.gui.theme import css, muted


class MapMessage(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("mapMessage")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() + 1)
        self.setFont(font)
        self.hide()

    def show_text(self, text: str | None) -> None:
        """Show ``text`` centred over the parent, as wide as its longest line allows; None or "" hides it."""
        if not text:
            self.hide()
            return
        self.setText(text)
        longest = max(self.fontMetrics().horizontalAdvance(line) for line in text.splitlines())
        margins = self.contentsMargins()
        width = longest + margins.left() + margins.right() + 48  # the style sheet's padding and border
        self.setFixedWidth(max(200, min(width, self.parentWidget().width() - 80)))
        self.adjustSize()
        self.centre()
        self.show()
        self.raise_()

    def centre(self) -> None:
        parent = self.parentWidget()
        self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 2)

    def set_colours(self, foreground: QColor, background: QColor) -> None:
        self.setStyleSheet(
            f"QLabel#mapMessage {{ background: {css(muted(background, 235))}; color: {css(foreground)};"
            f" border: 1px solid {css(muted(foreground, 70))}; border-radius: 6px; padding: 14px 22px; }}"
        )
