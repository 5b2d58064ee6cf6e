"""Panels that scroll instead of growing the window: every dock's contents sit in one of these."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrolled(widget: QWidget, name: str | None = None) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it to the visible width: on a small screen the
    dock scrolls, rather than its minimum size pushing the window past the screen or squeezing the map."""
    scroller = QScrollArea()
    if name:
        scroller.setObjectName(name)
    scroller.setWidget(widget)
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    return scroller
