"""File > Export Animation…: the current latent path (GIF, MP4, PNG strip) or the active model's
training time-lapse (GIF, MP4), at a chosen size and frame rate, written on a thread of its own with
a progress bar and Cancel. What is drawn comes from the core (walk_drawing.py, frame_drawing.py), as
``gaerchen walk`` and ``gaerchen timelapse`` draw it; the file is written atomically, so a cancel, a
full disk or an unwritable place leaves no partial file, and the dialog says what happened in a line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.components.latent_path import LatentPath
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.animation_file import ExportError, check_export, mp4_support_problem
from gaerchen_gui.core.encoding import shared_test_set
from gaerchen_gui.core.export_limits import (
    MAX_FPS,
    MAX_SIDE,
    MIN_FPS,
    MIN_SIDE,
    MP4_BLOCK,
    TIMELAPSE_FPS,
    TIMELAPSE_SIDE,
    WALK_FPS,
    WALK_SIDE,
)
from gaerchen_gui.core.frame_drawing import timelapse_frames, walk_strip
from gaerchen_gui.core.latent_paths import decode_path
from gaerchen_gui.core.save_target import SaveTargetError
from gaerchen_gui.core.walk_drawing import walk_movie_frames
from gaerchen_gui.gui.export_job import ExportJob

FORMATS = {"gif": "GIF animation", "mp4": "MP4 video", "png": "PNG strip"}
ALLOWED = {"path": ("gif", "mp4", "png"), "timelapse": ("gif", "mp4")}
DEFAULTS = {"path": (WALK_SIDE, WALK_FPS), "timelapse": (TIMELAPSE_SIDE, TIMELAPSE_FPS)}
STOP_TIMEOUT_MS = 10_000


def timelapse_problem(state: ModelState) -> str | None:
    """Why the active model has no time-lapse to export, or None."""
    if state.live is not None:
        return "the model is training: its time-lapse is saved with it when the run ends"
    if state.checkpoint is None:
        return "no model is loaded"
    if state.checkpoint.frames is None:
        return f"{state.display_name} has no recorded frames (it was saved before Gaerchen recorded training runs)"
    return None


class AnimationExportDialog(QDialog):
    def __init__(self, state: ModelState, path: LatentPath, folder: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("animationExportDialog")
        self.setWindowTitle("Export Animation")
        self.state, self.latent_path, self.folder = state, path, Path(folder)
        self.job: ExportJob | None = None
        self.written: Path | None = None  # the last file this dialog wrote
        self._suggested = ""  # the file name the dialog proposed last

        self.what = QComboBox()
        count = 0 if path.points is None else len(path.points)
        self.what.addItem(f"The latent path ({count} points)" if count else "The latent path (none yet)", "path")
        frames = state.checkpoint.frames if state.checkpoint is not None else None
        self.what.addItem(
            f"The training time-lapse ({len(frames)} frames)" if frames else "The training time-lapse", "timelapse"
        )
        self._disable(
            self.what, "path", None if count else "there is no path: pick two points in walk mode, or record one"
        )
        self._disable(self.what, "timelapse", timelapse_problem(state))
        self.format = QComboBox()
        for kind, name in FORMATS.items():
            self.format.addItem(name, kind)
        self._disable(self.format, "mp4", mp4_support_problem())
        self.size = QSpinBox()
        self.size.setRange(MIN_SIDE, MAX_SIDE)
        self.size.setSingleStep(MP4_BLOCK)
        self.size.setSuffix(" px")
        self.fps = QSpinBox()
        self.fps.setRange(MIN_FPS, MAX_FPS)
        self.fps.setSuffix(" frames/s")
        self.file = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self._close_or_cancel)

        form = QFormLayout()
        form.addRow("Export", self.what)
        form.addRow("As", self.format)
        form.addRow("Size", self.size)
        form.addRow("Frame rate", self.fps)
        form.addRow("File", file_row)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.note)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.what.currentIndexChanged.connect(lambda _: self._on_what())
        self.format.currentIndexChanged.connect(lambda _: self._on_format())
        self._choose_first_enabled(self.what)
        self._on_what()

    # -- the choices ------------------------------------------------------------------------
    @staticmethod
    def _disable(combo: QComboBox, value: str, problem: str | None) -> None:
        item = combo.model().item(combo.findData(value))
        item.setEnabled(problem is None)
        item.setToolTip(problem or "")

    @staticmethod
    def _enabled(combo: QComboBox, index: int) -> bool:
        return combo.model().item(index).isEnabled()

    def _choose_first_enabled(self, combo: QComboBox) -> None:
        if not self._enabled(combo, combo.currentIndex()):
            for i in range(combo.count()):
                if self._enabled(combo, i):
                    combo.setCurrentIndex(i)
                    return

    def _on_what(self) -> None:
        what = self.what.currentData()
        side, fps = DEFAULTS[what]
        self.size.setValue(side)
        self.fps.setValue(fps)
        self._disable(self.format, "png", None if what == "path" else "a time-lapse is an animation: GIF or MP4")
        self._disable(self.format, "mp4", mp4_support_problem())
        self._choose_first_enabled(self.format)
        self._on_format()

    def _on_format(self) -> None:
        what, kind = self.what.currentData(), self.format.currentData()
        self.fps.setEnabled(kind != "png")
        default = self.folder / f"gaerchen-{self.state.kind or 'model'}-{'walk' if what == 'path' else 'timelapse'}"
        text = self.file.text().strip()
        # the suggested name follows the choices until the user types one of their own
        chosen = Path(text) if text and text != self._suggested else default
        self._suggested = str(chosen.with_suffix(f".{kind}"))
        self.file.setText(self._suggested)
        notes = [self._reason(self.what, i) for i in range(self.what.count()) if not self._enabled(self.what, i)]
        mp4 = mp4_support_problem()
        if mp4:
            notes.append(f"MP4: {mp4}")
        if what == "path":
            notes.append(
                "A GIF or MP4 frame is the map with the path and the moving point beside the image decoded "
                "there (size x twice the size); a PNG strip is the path's images side by side."
            )
        self.note.setText("\n".join(notes))
        self.export_button.setEnabled(self._enabled(self.what, self.what.currentIndex()))

    @staticmethod
    def _reason(combo: QComboBox, index: int) -> str:
        text = combo.model().item(index).toolTip()
        return text[:1].upper() + text[1:] + "."

    def _browse(self) -> None:
        kind = self.format.currentData()
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export animation", self.file.text(), f"{FORMATS[kind]} (*.{kind})"
        )
        if chosen:
            self.file.setText(chosen if chosen.lower().endswith(f".{kind}") else f"{chosen}.{kind}")

    # -- exporting ------------------------------------------------------------------------
    def _drawing(self, what: str, kind: str, side: int):
        """What the job's thread draws: a function of nothing, holding copies of what it needs."""
        state = self.state
        if what == "timelapse":
            frames = state.checkpoint.frames

            def draw_timelapse() -> np.ndarray:
                labels = shared_test_set().labels.numpy()[frames.live_indices.numpy()]
                return timelapse_frames(frames, labels, side)

            return draw_timelapse
        points = self.latent_path.points.copy()
        model, encoded = state.decoding_model, state.encoded

        def draw_path() -> np.ndarray:
            images = decode_path(model, torch.from_numpy(points)).numpy()
            if kind == "png":
                return walk_strip(images, side)
            return walk_movie_frames(encoded.z[:, :2], encoded.labels, points, images, side)

        return draw_path

    def start_export(self) -> bool:
        """Check the choices and start the job; False (and the reason in the status line) if it cannot start."""
        if self.job is not None:
            return False
        what, kind, side = self.what.currentData(), self.format.currentData(), self.size.value()
        out = Path(self.file.text().strip()).expanduser()
        try:
            if not self.file.text().strip():
                raise ExportError("give the file to write")
            if not self._enabled(self.what, self.what.currentIndex()):
                raise ExportError(self._reason(self.what, self.what.currentIndex()))
            if out.suffix.lower() != f".{kind}":
                raise ExportError(f"{out.name}: a {FORMATS[kind]} file name ends in .{kind}")
            if what == "path" and (self.state.encoded is None or self.state.decoding_model is None):
                raise ExportError("the map is not ready yet")
            check_export(out, kind, side)
        except (ExportError, SaveTargetError) as err:
            self._say(f"Cannot export: {err}")
            return False
        self.job = ExportJob(out, kind, self.fps.value(), self._drawing(what, kind, side), self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_succeeded)
        self.job.failed.connect(lambda message: self._finish(message))
        self.job.cancelled.connect(lambda: self._finish("Cancelled: no file was written."))
        self._set_running(True)
        self._say("Drawing the frames…")
        self.job.start()
        return True

    def cancel_export(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._say("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        if total == 0:
            self.progress.setRange(0, 0)  # busy: drawing has no count
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self._say(f"Writing frame {min(done + 1, total)} of {total}…" if done < total else "Finishing the file…")

    def _on_succeeded(self, written: str) -> None:
        self.written = Path(written)
        self._finish(f"Saved {written}")

    def _finish(self, message: str) -> None:
        if self.job is not None:
            self.job.wait(STOP_TIMEOUT_MS)
            self.job = None
        self._set_running(False)
        self._say(message)

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.close_button.setText("Cancel" if running else "Close")
        for widget in (self.what, self.format, self.size, self.fps, self.file):
            widget.setEnabled(not running)
        if running:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if self.written is not None and self.status.text().startswith("Saved") else 0)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _close_or_cancel(self) -> None:
        if self.job is not None:
            self.cancel_export()
        else:
            self.reject()

    def done(self, result: int) -> None:  # Qt: closing the dialog (Escape, the title bar) cancels an export
        if self.job is not None:
            self.job.cancel()
            self.job.wait(STOP_TIMEOUT_MS)
            self.job = None
        super().done(result)
