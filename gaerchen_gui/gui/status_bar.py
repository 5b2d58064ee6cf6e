"""The status bar: what the mouse points at, work under way, and which model is active."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar

from gaerchen_gui.components.model_state import Busy, ModelState
from gaerchen_gui.core.checkpoints import Checkpoint
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.model_loading import describe
from gaerchen_gui.core.neighbours import Nearest
from gaerchen_gui.gui.live_label import LiveLabel
from gaerchen_gui.gui.readouts import PendingReadouts

# Short enough for a 900-pixel window beside the model readout (the arrow keys are in README and the tooltips).
HINT = "Drag or click the map to decode; hover a dot for its image."


class ExplorerStatusBar:
    """Fills ``window.statusBar()``; shows the active model's state (see :meth:`show_state`)."""

    def __init__(self, window: QMainWindow, readouts: PendingReadouts) -> None:
        self.window = window
        self.readouts = readouts
        self.state: ModelState | None = None
        self._checkpoint: Checkpoint | None = None  # the model the readouts speak of
        self.mouse_label = LiveLabel(HINT, width_hint=HINT)  # changes per mouse move: see live_label.py
        self.mouse_label.setObjectName("mouseReadout")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.model_label = QLabel("no model")
        self.model_label.setObjectName("modelReadout")
        bar = window.statusBar()
        bar.addWidget(self.mouse_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.model_label)

    def show_state(self, state: ModelState) -> None:
        if state is not self.state:
            if self.state is not None:
                self.state.busy_changed.disconnect(self._on_busy)
            state.busy_changed.connect(self._on_busy)
            self.state = state
        checkpoint = state.checkpoint
        if checkpoint is not self._checkpoint:
            # The readout spoke of another model's points ("nearest #2009 … OFF THE DATA"): start again.
            self._checkpoint = checkpoint
            self.readouts.show_now("mouse", partial(self.mouse_label.setText, HINT))
        self._on_busy(state.busy)
        self.model_label.setText("no model" if checkpoint is None else describe(checkpoint))
        self.model_label.setToolTip(str(checkpoint.path) if checkpoint is not None and checkpoint.path else "")

    def _on_busy(self, busy: Busy | None) -> None:
        if busy is None:
            self.progress.hide()
            return
        self.progress.setFormat(f"{busy.label} %p%")
        if busy.fraction is None:
            self.progress.setRange(0, 0)  # busy, no percentage yet
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * busy.fraction))
        self.progress.show()

    # -- the mouse over a map ------------------------------------------------------------------------
    def mouse_moved(self, state: ModelState, x: float, y: float, nearest: Nearest | None) -> None:
        show = partial(self.show_mouse_readout, state, x, y, nearest, state.encoded)
        if any(
            pane.latent_map.cursor.moving for pane in self.window.panes.panes
        ):  # a drag: after the decoded image, as the cursor's readouts
            self.readouts.defer("mouse", show)
        else:
            self.readouts.show_now("mouse", show)

    def mouse_left(self) -> None:
        """The readout spoke of a point under the mouse: back to the hint once the mouse has left the map."""
        self.readouts.show_now("mouse", partial(self.mouse_label.setText, HINT))

    def show_mouse_readout(
        self, state: ModelState, x: float, y: float, nearest: Nearest | None, encoded: EncodedSet | None
    ) -> None:
        """``nearest`` indexes ``encoded``, the points on the map when the mouse moved (None: look it up)."""
        text = f"mouse  z = ({x:+.3f}, {y:+.3f})"
        if encoded is not None and encoded is state.encoded and len(encoded):  # else the map has changed since
            nearest = nearest if nearest is not None else encoded.index.query((x, y))
            name = encoded.class_names[int(encoded.labels[nearest.index])]
            number = encoded.test_id(nearest.index)
            text += f"  ·  nearest #{number} {name}, {nearest.distance:.3f} away"  # as the decoded image's line says it
            if nearest.off_data:
                text += "  ·  OFF THE DATA"
        if len(self.window.explorer.models) > 1:
            text = f"{state.display_name}:  {text}"
        self.mouse_label.setText(text)

    @property
    def mouse_text(self) -> str:
        return self.mouse_label.text()
