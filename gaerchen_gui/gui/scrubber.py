"""The time-lapse scrubber under a pane's map: slider, play/pause, speed, "Live", the step, the probes.

It draws one :class:`~gaerchen_gui.components.timelapse.Timelapse` and sends requests back; the
truth (frames, position, playing, speed) stays in the state. The slider has one position per
frame and one more at the right end, "Live": the normal map. Playback is this widget's timer
calling :meth:`Timelapse.advance`; the state stops it at the end.

A model without frames (a file saved before Gaerchen recorded them) gets one line in the
scrubber's place saying so; with no model at all there is nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QVBoxLayout, QWidget

from gaerchen_gui.components.timelapse import SPEEDS, Timelapse
from gaerchen_gui.gui.probe_strip import ProbeStrip

NO_FRAMES = "No time-lapse: this model's file has no recorded frames."
PLAY, PAUSE = "▶", "⏸"
KEYS_HINT = "Step with , and . (map focused), K plays or pauses"


class Scrubber(QWidget):
    def __init__(self, timelapse: Timelapse, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scrubber")
        self.timelapse = timelapse
        self.has_model = False  # whether the pane shows a model (the note is about one)

        self.play_button = QToolButton()
        self.play_button.setText(PLAY)
        self.play_button.setToolTip(f"Play the time-lapse from here (K)\n{KEYS_HINT}")
        self.play_button.clicked.connect(timelapse.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(f"The recorded frames of training; the right end is the live map\n{KEYS_HINT}")
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self._on_slider)
        self.live_button = QToolButton()
        self.live_button.setText("Live")
        self.live_button.setToolTip("Back to the model's own map")
        self.live_button.clicked.connect(lambda: timelapse.seek(None))
        self.speed = QComboBox()
        for fps in SPEEDS:
            self.speed.addItem(f"{fps} fps", fps)
        self.speed.setToolTip("Playback speed, in frames a second")
        self.speed.setCurrentIndex(SPEEDS.index(timelapse.speed))
        self.speed.activated.connect(lambda i: timelapse.set_speed(self.speed.itemData(i)))
        self.label = QLabel()
        self.label.setObjectName("scrubberLabel")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.probe_strip = ProbeStrip()
        self.probe_strip.setToolTip("The decoder's images of 16 fixed points drawn from N(0, I), at this frame")
        self.note = QLabel(NO_FRAMES)
        self.note.setObjectName("scrubberNote")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)  # greyed: a remark, not a control

        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.live_button)
        controls.addWidget(self.speed)
        self.body = QWidget()
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(controls)
        column.addWidget(self.label)
        column.addWidget(self.probe_strip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.body)
        layout.addWidget(self.note)

        self.timer = QTimer(self)
        self.timer.timeout.connect(timelapse.advance)
        timelapse.frames_changed.connect(self._on_frames)
        timelapse.position_changed.connect(self._on_position)
        timelapse.playing_changed.connect(self._on_playing)
        timelapse.speed_changed.connect(self._on_speed)
        self._on_speed(timelapse.speed)
        self._on_frames(len(timelapse))

    # -- requests ------------------------------------------------------------------------------
    def _on_slider(self, value: int) -> None:
        self.timelapse.seek(None if value >= len(self.timelapse) else value)

    # -- from the state --------------------------------------------------------------------------
    def set_has_model(self, has_model: bool) -> None:
        self.has_model = has_model
        self._on_frames(len(self.timelapse))

    def _on_frames(self, count: int) -> None:
        self.body.setVisible(count > 0)
        self.note.setVisible(count == 0 and self.has_model and not self.timelapse.recording)
        self.slider.blockSignals(True)
        self.slider.setRange(0, count)  # the last position is "Live"
        self.slider.blockSignals(False)
        self._on_position(self.timelapse.position)

    def _on_position(self, index: int | None) -> None:
        count = len(self.timelapse)
        self.slider.blockSignals(True)
        self.slider.setValue(count if index is None else index)
        self.slider.blockSignals(False)
        self.live_button.setEnabled(index is not None)
        if not count:
            self.label.setText("")
            self.probe_strip.set_images(None)
            return
        shown = count - 1 if index is None else index  # live: the decoder as last recorded
        if index is None:
            what = "recording" if self.timelapse.recording else "recorded"
            # Short enough for a compare pane; how to use it is in the tooltip.
            self.label.setText(f"Live map · {count} frames {what}")
            self.label.setToolTip("Drag the slider to replay the training; the probes below are the last frame's")
        else:
            self.label.setText(self.timelapse.label(index))
            self.label.setToolTip("")
        self.probe_strip.set_images(self.timelapse.probes(shown))

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setText(PAUSE if playing else PLAY)
        if playing:
            self.timer.start()
        else:
            self.timer.stop()

    def _on_speed(self, fps: int) -> None:
        self.timer.setInterval(round(1000 / fps))
        self.speed.setCurrentIndex(SPEEDS.index(fps))
