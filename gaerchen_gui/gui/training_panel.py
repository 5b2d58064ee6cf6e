"""The training dock: the settings (training_form.py), start/pause/stop, progress, live
curves, and what to do with the result (use it in the explorer, save it).

It drives :class:`TrainingRunner` and never touches torch on the GUI thread
beyond reading finished results.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.core.checkpoints import Checkpoint, SavedCheckpoint, save_with_fallback
from gaerchen_gui.core.config import DEFAULT_BETA, ConfigError, TrainConfig
from gaerchen_gui.core.dataset_info import DatasetInfo
from gaerchen_gui.core.folder_training import FolderChanged, FolderRead
from gaerchen_gui.core.live_training import LiveSet
from gaerchen_gui.core.own_images import skipped_message
from gaerchen_gui.core.run_result import KEEP_RULE, kept_message, result_metadata
from gaerchen_gui.core.save_target import user_models_dir
from gaerchen_gui.core.training import EpochEvent, StepEvent, StopEvent, Trainer, TrainingHistory
from gaerchen_gui.gui.live_map_status import LiveMapStatus
from gaerchen_gui.gui.loss_curves import LossCurves
from gaerchen_gui.gui.save_dialog import save_with_dialog, sentence
from gaerchen_gui.gui.training_form import TRAIN_IMAGES, TrainingForm
from gaerchen_gui.gui.training_runner import TrainingRunner


def _format_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else (f"{seconds // 60}:{seconds % 60:02d}")
    )


class TrainingPanel(QWidget):
    snapshotReady = Signal(object)  # LiveMapUpdate (a LiveSnapshot and its nearest-image index)
    runningChanged = Signal(bool)
    modelAdopted = Signal(object)  # Checkpoint of the finished model, for the explorer
    modelSaved = Signal(object)  # the same Checkpoint, now with the path it was saved to

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TrainingRunner(self)
        self.curves = LossCurves()
        self.map_status = LiveMapStatus(self)  # the live map's title (the window shows it)
        self.live_set: LiveSet | None = None  # Fashion-MNIST's live subset, from the window's first map of it
        self.val_limit: int | None = None  # tests use a smaller test set; the app uses all 10,000
        self.result: Checkpoint | None = None
        self._last_global_step = 0
        self._config: TrainConfig | None = None
        self._folder: str | None = None  # the folder the run was started on; None: Fashion-MNIST
        self._dataset: DatasetInfo | None = None  # that folder as read, once it is
        self._data_note = ""  # files of the folder left out: said under every message of the run

        self.form = TrainingForm(is_running=lambda: self.runner.is_running)
        self.form.kindChanged.connect(self._on_kind_changed)

        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Train on a worker thread (Ctrl+T)")
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip(f"Stop after the current step: {KEEP_RULE}")
        self.stop_button.clicked.connect(self.runner.stop)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.status = QLabel("Ready.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.adopt_button = QPushButton("Use in explorer")
        self.adopt_button.setToolTip("Make the trained model the explorer's current model")
        self.adopt_button.clicked.connect(self.adopt)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip(f"Save the trained model (default folder: {user_models_dir()})")
        self.save_button.clicked.connect(lambda: save_with_dialog(self))

        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        result_buttons = QHBoxLayout()
        result_buttons.addWidget(self.adopt_button)
        result_buttons.addWidget(self.save_button)

        # Controls on the left, curves on the right: the panel lives in a wide, short dock.
        controls = QWidget()
        controls.setMaximumWidth(460)
        column = QVBoxLayout(controls)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.form)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        # The result's buttons right under the progress: below the messages (several lines after a run) they
        # scrolled out of a 1400 x 900 window's dock just when the message said to use them.
        column.addLayout(result_buttons)
        column.addWidget(self.status)
        column.addWidget(self.message)
        column.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(controls)
        layout.addWidget(self.curves, 1)

        self.runner.started.connect(self._on_started)
        self.runner.step.connect(self._on_step)
        self.runner.epoch.connect(self._on_epoch)
        self.runner.paused.connect(self._on_paused)
        self.runner.snapshot.connect(self.snapshotReady)
        self.runner.stopped.connect(self._on_stopped)
        self.runner.failed.connect(self._on_failed)
        self.runner.folder_event.connect(self._on_folder_event)
        self.runner.live_map_failed.connect(
            lambda error: self._say(f"The live map stopped following this run (training goes on): {error}", error=True)
        )
        self.apply_config(TrainConfig.book("vae"))
        self._set_running(False)

    # -- settings --------------------------------------------------------------------
    def apply_config(self, config: TrainConfig) -> None:
        self.form.apply_config(config)

    def config(self) -> TrainConfig:
        """The form as a TrainConfig; raises ConfigError with a reason if a value is invalid."""
        return self.form.config()

    def _on_kind_changed(self, kind: str) -> None:
        if not self.runner.is_running and self.result is None and self.curves.n_steps == 0:
            self.curves.reset(kind)  # empty curves titled for the chosen model

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)
        self.adopt_button.setEnabled(not running and self.result is not None)
        self.save_button.setEnabled(not running and self.result is not None)
        self.form.update_enabled()
        self.runningChanged.emit(running)

    # -- running -----------------------------------------------------------------------
    def start(self) -> bool:
        """Start a run from the form; False (with the reason shown) if it cannot start."""
        if self.runner.is_running:
            self._say("A training run is already in progress.", error=True)
            return False
        try:
            config = self.config()
        except ConfigError as err:
            self._say(f"Not started: {err}.", error=True)
            return False
        folder = self.form.data.folder
        if folder is None and self.live_set is None:
            self._say("Not started: the test images are not loaded yet (the map says why if they fail).", error=True)
            return False
        self._config = config
        self._folder, self._dataset, self._data_note = folder, None, ""
        self.result = None
        self._last_global_step = 0
        if folder is None:  # a folder's run resets them once the folder is read: a refused one leaves them
            self.curves.reset(config.model, config.beta)
        self.progress.setRange(0, 0)  # busy until the first step says how many there are
        self.status.setText("Loading data and building the model…" if folder is None else "Reading the folder…")
        self._say("")
        self.map_status.start()
        self.runner.start(config, self.live_set, val_limit=self.val_limit, folder=folder)
        self._set_running(True)
        return True

    def _toggle_pause(self, paused: bool) -> None:
        # images/s and the ETA describe a running loop: they leave the screen until it runs again
        if paused:
            self.runner.pause()
            self.pause_button.setText("Resume")
            self.status.setText("Pausing after this step…")
        else:
            self.runner.resume()
            self.pause_button.setText("Pause")
            if self.runner.is_running:
                self.status.setText("Resuming…")

    def _on_folder_event(self, event: FolderRead | FolderChanged) -> None:
        if isinstance(event, FolderChanged):  # said with the run's last message, which follows
            self._data_note = "\n".join(note for note in (self._data_note, f"Note: {event.note}.") if note)
            return
        self._dataset = event.info
        self.curves.reset(self._config.model, self._config.beta)
        if event.skipped:
            self._data_note = f"{sentence(skipped_message(event.skipped))}; training goes on without them."
            self._say("")
        self.status.setText("Building the model…")

    def _on_started(self, trainer: Trainer) -> None:
        info = self._dataset
        source = "" if info is None else f" of {info.name} ({len(info.class_names)} classes)"
        self.status.setText(f"Training on {len(trainer.train_set):,} images{source}, device {trainer.device}…")

    def _on_step(self, event: StepEvent) -> None:
        self._last_global_step = event.global_step
        self.map_status.step_arrived(event.global_step)
        self.curves.add_step(event)
        if self.progress.maximum() != event.total_steps:
            self.progress.setRange(0, event.total_steps)
        self.progress.setValue(event.global_step)
        self.progress.setFormat(
            f"epoch {event.epoch}/{self._config.epochs} · step {event.step}/{event.steps_per_epoch}"
        )
        if self.pause_button.isChecked():  # a step that was under way when Pause was pressed
            return
        # The ETA counts training time only (the core leaves pauses out), so it does not jump on resume.
        self.status.setText(
            f"loss {event.loss:.4f} · {event.images_per_s:,.0f} images/s · ETA {_format_eta(event.eta_s)}"
        )

    def _on_epoch(self, event: EpochEvent) -> None:
        self.curves.add_epoch(event, self._last_global_step)
        if self._config.model == "vae":
            text = f"test loss {event.val['total']:.2f} (recon {event.val['recon']:.2f}, KL {event.val['kl']:.2f})"
        else:
            text = f"test BCE {event.val['bce']:.4f}"
        self._say(f"Epoch {event.epoch}/{event.epochs}: {text}.")

    def _on_paused(self, paused: bool) -> None:
        self.map_status.set_paused(paused)
        if paused:
            self.status.setText(f"Paused at step {self._last_global_step:,}.")

    def _on_stopped(self, stop: StopEvent, trainer: Trainer) -> None:
        self.map_status.stop()
        kept = kept_message(stop, trainer)  # the same rule and words as the command line
        self.result = self._checkpoint_from(trainer) if trainer.history.steps else None
        if stop.reason == "finished":
            self._say(stop.message + " Use the model in the explorer or save it.")
        elif stop.reason == "cancelled":
            self._say(f"{stop.message} {kept}")
        else:
            self._say(f"{stop.message} {kept}", error=True)
        # the status line stays short: the message below says what the run keeps
        self.status.setText(
            "Finished." if stop.reason == "finished" else f"Stopped at step {self._last_global_step:,}."
        )
        self.progress.setRange(0, max(self.progress.maximum(), 1))
        self._set_running(False)

    def _on_failed(self, error: str) -> None:
        self.map_status.stop()
        self.progress.setRange(0, 1)
        self._set_running(False)
        if self._folder is not None and self._dataset is None:  # the folder could not be read or used
            self.status.setText("Not started.")
            self._say(f"Cannot train on this folder: {error}", error=True)
            QMessageBox.warning(self, "Cannot train on this folder", f"{sentence(error)}.\n\n"
                                "Nothing was trained: the explorer's model is unchanged.")  # fmt: skip
            return
        self.status.setText("Failed.")
        self._say(f"Training failed: {error}", error=True)
        QMessageBox.critical(self, "Training failed", f"Training stopped with an error:\n\n{error}\n\n"
                             "The explorer's model is unchanged.")  # fmt: skip

    def _checkpoint_from(self, trainer: Trainer) -> Checkpoint:
        # The run is over: the worker no longer touches the trainer, so copying is safe.
        model = copy.deepcopy(trainer.model).to("cpu", memory_format=torch.contiguous_format).eval()
        metadata = result_metadata(trainer, self._dataset)
        history = TrainingHistory.from_dict(metadata["history"])
        return Checkpoint(model, metadata, None, history, frames=trainer.recorder.frames())

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c0392b;" if error else "")
        self.message.setText("\n".join(line for line in (text, self._data_note) if line))

    # -- results -------------------------------------------------------------------------
    def adopt(self) -> None:
        if self.result is not None:
            self.modelAdopted.emit(self.result)

    @property
    def has_unsaved_result(self) -> bool:
        """A trained model that was never saved (closing would lose it, shown in the explorer or not)."""
        return self.result is not None and self.result.path is None

    def save_result(self, path: str | Path) -> SavedCheckpoint:
        """Save the trained model to ``path``, or where core/checkpoints.py falls back to if that
        fails (``problem`` then says why). OSError if it could be saved nowhere: the model stays here."""
        assert self.result is not None
        saved = save_with_fallback(path, self.result.model, self.result.metadata)
        self.result.path = saved.path
        if self.curves.caption.text():  # the curves shown are this model's: name its file now
            self.curves.set_caption(f"history of {saved.path.name}")
        self.modelSaved.emit(self.result)
        if saved.problem:
            self._say(f"{sentence(saved.problem)}; saved to {saved.path} instead.", error=True)
        else:
            self._say(f"Saved {saved.path}.")
        return saved

    def show_model_history(self, checkpoint: Checkpoint) -> None:
        """Show the curves ``checkpoint`` was trained with (unless a run is feeding them),
        captioned with its name: they belong to that model, not to the settings beside them."""
        if self.runner.is_running:
            return
        name = checkpoint.path.name if checkpoint.path else "the unsaved model"
        config = checkpoint.metadata.get("config") or {}
        steps_per_epoch = None  # for older checkpoints whose epoch rows do not record their step
        if config.get("batch_size"):
            steps_per_epoch = math.ceil((config.get("limit") or TRAIN_IMAGES) / config["batch_size"])
        beta = checkpoint.metadata.get("beta") or DEFAULT_BETA
        self.curves.show_history(checkpoint.history, checkpoint.kind, beta, steps_per_epoch=steps_per_epoch)
        self.curves.set_caption(f"history of {name}")

    def shutdown(self, timeout_ms: int = 2000, patience_ms: int = 30_000) -> bool:
        """Stop a run and wait for its thread: ``timeout_ms`` quietly, then up to ``patience_ms``
        more with "Stopping…" on screen. False only if it did not end by then."""
        if self.runner.shutdown(timeout_ms):
            return True
        self.status.setText("Stopping training…")
        self.status.repaint()  # the event loop is not running while the window closes
        return self.runner.shutdown(patience_ms)
