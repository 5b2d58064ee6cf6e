"""Colours: one per Fashion-MNIST class, and plot colours taken from the system palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Matplotlib's "tab10": ten hues told apart at a glance, also by most colour-blind
# viewers. The book used a rainbow map with a colour bar, which suits a continuous
# value, not ten unordered classes.
CLASS_COLORS = (
    "#1f77b4",  # T-shirt/top
    "#ff7f0e",  # Trouser
    "#2ca02c",  # Pullover
    "#d62728",  # Dress
    "#9467bd",  # Coat
    "#8c564b",  # Sandal
    "#e377c2",  # Shirt
    "#7f7f7f",  # Sneaker
    "#bcbd22",  # Bag
    "#17becf",  # Ankle boot
)
POINT_ALPHA = 170  # of 255: dense clusters stay readable where 10,000 points overlap
ON_DATA_COLOR = "#2e9e4f"
OFF_DATA_COLOR = "#d9480f"


def class_color(label: int, alpha: int = 255) -> QColor:
    color = QColor(CLASS_COLORS[label % len(CLASS_COLORS)])
    color.setAlpha(alpha)
    return color


def palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def plot_background() -> QColor:
    return palette().color(QPalette.ColorRole.Base)


def plot_foreground() -> QColor:
    return palette().color(QPalette.ColorRole.Text)


def is_dark() -> bool:
    return plot_background().lightness() < 128


def tooltip_palette(base: QPalette) -> QPalette:
    """Tooltips in the application's own colours: the text colours on the view background, with a
    border of the mid tone, instead of Qt's default pale yellow boxes (which follow no theme)."""
    tips = QPalette(base)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        tips.setColor(group, QPalette.ColorRole.ToolTipBase, base.color(QPalette.ColorRole.Base))
        tips.setColor(group, QPalette.ColorRole.ToolTipText, base.color(QPalette.ColorRole.Text))
        # the two the tip label's own drawing uses: background and text
        tips.setColor(group, QPalette.ColorRole.Window, base.color(QPalette.ColorRole.Base))
        tips.setColor(group, QPalette.ColorRole.WindowText, base.color(QPalette.ColorRole.Text))
    return tips


def muted(color: QColor, alpha: int) -> QColor:
    out = QColor(color)
    out.setAlpha(alpha)
    return out


def css(color: QColor) -> str:
    """A colour for a Qt style sheet, alpha included."""
    return f"rgba({color.red()}, {color.green()}, {color.blue()}, {color.alpha()})"
