"""Under the panes in compare mode: each model's image at the shared cursor, side by side, labelled.

"Same z, different decoders": one :class:`PixelView` per model on screen,
repainted as soon as that model's decode arrives (each model decodes in its own
thread, so the images do not wait for each other).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gaerchen_gui.components.model_state import CursorImage, ModelState
from gaerchen_gui.gui.decoder_preview import PixelView
from gaerchen_gui.gui.images import to_qimage

STRIP_IMAGE_PX = 96


class _Slot(QWidget):
    def __init__(self, state: ModelState) -> None:
        super().__init__()
        self.state = state
        self.view = PixelView()
        self.view.setFixedSize(STRIP_IMAGE_PX, STRIP_IMAGE_PX)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 2, 4, 2)
        column.setSpacing(2)
        column.addWidget(self.view, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.caption)
        self.shown_request_id = 0
        state.cursor_decoded.connect(self.show_image)
        state.checkpoint_changed.connect(self._on_checkpoint)
        state.live_changed.connect(lambda _: self._name())
        self._on_checkpoint(state.checkpoint)

    def _name(self) -> None:
        state = self.state
        self.caption.setText(f"training {state.live.kind.upper()}" if state.live else state.display_name)

    def _on_checkpoint(self, _checkpoint) -> None:  # a Checkpoint or None
        self.shown_request_id = 0  # the new model's decode worker results are all newer
        self.view.set_image(None, smooth=False)
        self._name()

    def show_image(self, image: CursorImage) -> None:
        if image.request_id > self.shown_request_id:
            self.shown_request_id = image.request_id
            self.view.set_image(to_qimage(image.image), smooth=False)

    def disconnect_state(self) -> None:
        self.state.cursor_decoded.disconnect(self.show_image)
        self.state.checkpoint_changed.disconnect(self._on_checkpoint)


class CompareStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareStrip")
        self.slots: list[_Slot] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(4, 2, 4, 2)
        title = QLabel("At the cursor:\nsame z,\ndifferent decoders")
        title.setObjectName("compareStripTitle")
        self._row.addWidget(title)
        self._row.addStretch(1)

    def add_model(self, state: ModelState) -> None:
        slot = _Slot(state)
        self.slots.append(slot)
        self._row.insertWidget(self._row.count() - 1, slot)

    def remove_model(self, state: ModelState) -> None:
        for slot in [s for s in self.slots if s.state is state]:
            slot.disconnect_state()
            self.slots.remove(slot)
            slot.setParent(None)
            slot.deleteLater()

    def paint_counts(self) -> list[int]:
        """How often each model's image was painted (tests and the benchmark tell arrivals by it)."""
        return [slot.view.paint_count for slot in self.slots]
