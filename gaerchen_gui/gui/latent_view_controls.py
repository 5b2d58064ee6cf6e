"""The side panel's "Latent view" section: which plane of a D > 2 latent space the map shows.

Shown only for a model with more than two latent dimensions. The axes are the
principal components of the test set's codes, or two dimensions picked from two
lists; one slider per hidden component (the first ``MAX_SLIDERS`` of them; the
rest stay at the data's mean) sets where the decoded plane sits along it, in
standard deviations of the codes, with Reset. The widgets send requests (the
axes to the model's jobs, which plan the view in a worker; the sliders to
``components/latent_view.py``) and show what the state says; they hold no truth.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider
from superqt.utils import signals_blocked

from gaerchen_gui.components import latent_view
from gaerchen_gui.components.latent_view import HIDDEN_RANGE_SD
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.projection import LatentProjection, dimension_name

MAX_SLIDERS = 8  # more would not fit beside the map; principal components come largest first anyway
PRINCIPAL, PICKED = 0, 1  # rows of the axes list


class LatentViewControls(QGroupBox):
    """A side-panel section of its own (a group box), hidden for a 2-D model. Choosing axes is a request
    (``axesChosen``) that the model's jobs plan in a worker; the sliders act on the state at once."""

    axesChosen = Signal(object)  # (i, j) 0-based dimensions, or None: the principal components

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Latent view", parent)
        self.setObjectName("latentView")
        self.state: ModelState | None = None
        self._layout_of: tuple | None = None  # what the widgets were built for: (D, dims)
        self.axes_box = QComboBox()
        self.axes_box.setObjectName("latentViewAxes")
        self.axes_box.addItems(["PC 1 and PC 2", "Two dimensions"])
        self.axes_box.setToolTip(
            "The plane the map shows: the codes' two largest principal components, or two dimensions"
        )
        self.x_box, self.y_box = QComboBox(), QComboBox()
        self.x_box.setObjectName("latentViewX")
        self.y_box.setObjectName("latentViewY")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Put every hidden component back at the data's mean")
        self.sliders: list[QLabeledDoubleSlider] = []
        self._slider_grid = QGridLayout()
        self._slider_grid.setContentsMargins(0, 0, 0, 0)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("Axes"))
        pick.addWidget(self.axes_box, 1)
        pick.addWidget(QLabel("x"))
        pick.addWidget(self.x_box)
        pick.addWidget(QLabel("y"))
        pick.addWidget(self.y_box)
        hidden_title = QHBoxLayout()
        self.hidden_label = QLabel()
        hidden_title.addWidget(self.hidden_label, 1)
        hidden_title.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)  # as the panel's other sections
        layout.addLayout(pick)
        layout.addWidget(self.note)
        layout.addLayout(hidden_title)
        layout.addLayout(self._slider_grid)

        self.axes_box.currentIndexChanged.connect(self._on_axes_chosen)
        self.x_box.currentIndexChanged.connect(self._on_axes_chosen)
        self.y_box.currentIndexChanged.connect(self._on_axes_chosen)
        self.reset_button.clicked.connect(lambda: self.state and latent_view.set_hidden(self.state, None))

    # -- the state shown ------------------------------------------------------------------------
    def show_state(self, state: ModelState) -> None:
        if self.state is not None:
            self.state.encoded_changed.disconnect(self._refresh)
            self.state.projection_changed.disconnect(self._refresh)
        self.state = state
        state.encoded_changed.connect(self._refresh)
        state.projection_changed.connect(self._refresh)
        self._refresh()

    def _refresh(self, *_: object) -> None:
        state = self.state
        projection = None if state is None else state.projection
        self.setVisible(projection is not None)
        if projection is None:
            self._layout_of = None
            return
        layout = (projection.dim, projection.dims, projection.names)
        if layout != self._layout_of:
            self._layout_of = layout
            self._build(projection)
        self._show_values(projection)
        live = state.live is not None  # each training snapshot is shown through its own principal components
        for widget in (self.axes_box, self.x_box, self.y_box, self.reset_button, *self.sliders):
            widget.setEnabled(not live)
        self.x_box.setEnabled(not live and projection.dims is not None)
        self.y_box.setEnabled(not live and projection.dims is not None)
        note = self._note(projection, live)
        if note != self.note.text():  # each live snapshot refreshes this: no relayout for the same text
            self.note.setText(note)

    def _build(self, projection: LatentProjection) -> None:
        with signals_blocked(self.axes_box), signals_blocked(self.x_box), signals_blocked(self.y_box):
            self.axes_box.setCurrentIndex(PRINCIPAL if projection.dims is None else PICKED)
            for box in (self.x_box, self.y_box):
                box.clear()
                box.addItems([dimension_name(i) for i in range(projection.dim)])
            x, y = projection.dims if projection.dims is not None else (0, 1)
            self.x_box.setCurrentIndex(x)
            self.y_box.setCurrentIndex(y)
        while self._slider_grid.count():
            item = self._slider_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.sliders = []
        shown = projection.hidden_names[:MAX_SLIDERS]
        for row, name in enumerate(shown):
            slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"latentViewHidden{row}")
            slider.setRange(-HIDDEN_RANGE_SD, HIDDEN_RANGE_SD)
            slider.setSingleStep(0.1)
            slider.setDecimals(1)
            slider.setToolTip(f"Where the decoded plane sits along {name}, in standard deviations of the codes")
            slider.valueChanged.connect(self._on_slider)
            self._slider_grid.addWidget(QLabel(name), row, 0)
            self._slider_grid.addWidget(slider, row, 1)
            self.sliders.append(slider)
        rest = len(projection.hidden_names) - len(shown)
        more = f" ({rest} more at the data's mean)" if rest else ""
        self.hidden_label.setText(f"Hidden components, in sd from the data's mean{more}")

    def _show_values(self, projection: LatentProjection) -> None:
        values = latent_view.hidden_values_sd(projection)
        for slider, value in zip(self.sliders, values, strict=False):
            if abs(slider.value() - value) > 1e-9:
                with signals_blocked(slider):
                    slider.setValue(float(value))

    @staticmethod
    def _note(projection: LatentProjection, live: bool) -> str:
        if live:
            return (
                f"A projection of the {projection.dim}-D codes: while training, each snapshot is shown on the "
                "plane of its own two principal components, the other components at the data's mean."
            )
        share = 100 * float(projection.variance_share[:2].sum())
        return (
            f"The map is a projection of the {projection.dim}-D codes onto two axes ({share:.0f}% of their "
            "variance). The cursor, the samples and the manifold decode points of that plane, the hidden "
            "components set below; moving those changes the images, not the points (the points are where "
            "the codes project). Hovering a point shows its image's own reconstruction."
        )

    # -- requests -------------------------------------------------------------------------------
    def _on_axes_chosen(self, *_: object) -> None:
        if self.state is None or self.state.projection is None:
            return
        picked = self.axes_box.currentIndex() == PICKED
        x, y = self.x_box.currentIndex(), self.y_box.currentIndex()
        if picked and x == y:  # mid-way through picking two: wait for the second
            self.note.setText("Pick two different dimensions.")
            return
        self.axesChosen.emit((x, y) if picked else None)

    def _on_slider(self, _value: float) -> None:
        if self.state is None or self.state.projection is None:
            return
        values = np.zeros(self.state.projection.dim - 2)
        values[: len(self.sliders)] = [slider.value() for slider in self.sliders]
        latent_view.set_hidden(self.state, values)
