"""The training dock: hyperparameters, start/pause/stop, progress, live curves, and
what to do with the result (use it in the explorer, save it).

It drives :class:`TrainingRunner` and never touches torch on the GUI thread
beyond reading finished results.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import torch
from platformdirs import user_data_path
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.core.checkpoints import Checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.precision import PRECISION_HELP, PRECISIONS
from gaerchen_gui.core.training import EpochEvent, StepEvent, StopEvent, Trainer, TrainingHistory
from gaerchen_gui.gui.loss_curves import LossCurves
from gaerchen_gui.gui.training_runner import TrainingRunner


def default_save_dir() -> Path:
    return user_data_path("gaerchen", appauthor=False) / "models"


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TrainingRunner(self)
        self.curves = LossCurves()
        self.live_images: torch.Tensor | None = None
        self.val_limit: int | None = None  # tests use a smaller test set; the app uses all 10,000
        self.result: Checkpoint | None = None
        self._last_global_step = 0
        self._config: TrainConfig | None = None

        self.model_kind = QComboBox()
        self.model_kind.addItem("Autoencoder (AE)", "ae")
        self.model_kind.addItem("Variational autoencoder (VAE)", "vae")
        self.model_kind.currentIndexChanged.connect(self._on_kind_changed)
        self.epochs = QSpinBox(minimum=1, maximum=10_000)
        self.batch_size = QSpinBox(minimum=1, maximum=60_000)
        self.learning_rate = QLineEdit()
        self.learning_rate.setToolTip("Adam learning rate, e.g. 0.001 or 3e-4")
        self.beta = QDoubleSpinBox(minimum=0.0, maximum=1e6, decimals=1)
        self.beta.setToolTip("VAE loss = BETA x mean per-pixel BCE + KL; larger BETA = sharper, less regular")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.train_size = QSpinBox(minimum=1, maximum=60_000, singleStep=1000)
        self.train_size.setToolTip("Use the first N of the 60,000 training images")
        self.precision = QComboBox()
        for name in PRECISIONS:
            self.precision.addItem(name, name)
            self.precision.setItemData(self.precision.count() - 1, PRECISION_HELP[name], Qt.ItemDataRole.ToolTipRole)
        self.precision.setToolTip(f"Maths of the forward pass (auto: {PRECISION_HELP['auto']})")
        book_ae = QPushButton("Book AE")
        book_ae.setToolTip("SEED settings: Adam 1e-3, batch 64, 3 epochs")
        book_ae.clicked.connect(lambda: self.apply_config(TrainConfig.book("ae")))
        book_vae = QPushButton("Book VAE")
        book_vae.setToolTip("SEED settings: Adam 3e-4, batch 100, 5 epochs, BETA 500")
        book_vae.clicked.connect(lambda: self.apply_config(TrainConfig.book("vae")))

        # Two label/field pairs a row: the dock is wide and short.
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.addWidget(QLabel("Model"), 0, 0)
        form.addWidget(self.model_kind, 0, 1, 1, 3)
        for row, pairs in enumerate(
            [
                (("Epochs", self.epochs), ("Batch size", self.batch_size)),
                (("Learning rate", self.learning_rate), ("BETA", self.beta)),
                (("Seed", self.seed), ("Train images", self.train_size)),
                (("Precision", self.precision),),
            ],
            start=1,
        ):
            for col, (label, field) in enumerate(pairs):
                form.addWidget(QLabel(label), row, 2 * col)
                form.addWidget(field, row, 2 * col + 1)
        presets = QHBoxLayout()
        presets.addWidget(QLabel("Presets:"))
        presets.addWidget(book_ae)
        presets.addWidget(book_vae)
        presets.addStretch(1)
        form.addLayout(presets, 5, 0, 1, 4)
        settings_box = QGroupBox("Settings")
        settings_box.setLayout(form)

        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Train on a worker thread (Ctrl+T)")
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current step; the weights so far are kept")
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
        self.save_button.setToolTip(f"Save the trained model (default folder: {default_save_dir()})")
        self.save_button.clicked.connect(self._save_with_dialog)

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
        column.addWidget(settings_box)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.message)
        column.addStretch(1)
        column.addLayout(result_buttons)
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
        self.apply_config(TrainConfig.book("vae"))
        self._set_running(False)

    # -- settings --------------------------------------------------------------------
    def apply_config(self, config: TrainConfig) -> None:
        self.model_kind.setCurrentIndex(self.model_kind.findData(config.model))
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.learning_rate.setText(f"{config.lr:g}")
        self.beta.setValue(config.beta)
        self.seed.setValue(config.seed)
        self.train_size.setValue(config.limit or 60_000)
        self.precision.setCurrentIndex(self.precision.findData(config.precision))
        self._update_enabled()

    def config(self) -> TrainConfig:
        """The form as a TrainConfig; raises ConfigError with a reason if a value is invalid."""
        try:
            lr = float(self.learning_rate.text())
        except ValueError:
            raise ConfigError(f"learning rate must be a number, not {self.learning_rate.text()!r}") from None
        limit = self.train_size.value()
        return TrainConfig(
            model=self.model_kind.currentData(),
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            lr=lr,
            beta=self.beta.value(),
            seed=self.seed.value(),
            limit=None if limit >= 60_000 else limit,
            compile="off",  # a run started from the window should start at once
            precision=self.precision.currentData(),
        ).validated()

    def _on_kind_changed(self) -> None:
        self._update_enabled()
        if not self.runner.is_running and self.result is None and self.curves.n_steps == 0:
            self.curves.reset(self.model_kind.currentData())  # empty curves titled for the chosen model

    def _update_enabled(self) -> None:
        running = self.runner.is_running
        for widget in (self.model_kind, self.epochs, self.batch_size, self.learning_rate, self.seed,
                       self.train_size):  # fmt: skip
            widget.setEnabled(not running)
        self.beta.setEnabled(not running and self.model_kind.currentData() == "vae")

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)
        self.adopt_button.setEnabled(not running and self.result is not None)
        self.save_button.setEnabled(not running and self.result is not None)
        self._update_enabled()
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
        if self.live_images is None:
            self._say("Not started: the test images are still loading.", error=True)
            return False
        self._config = config
        self.result = None
        self._last_global_step = 0
        self.curves.reset(config.model, config.beta)
        self.progress.setRange(0, 0)  # busy until the first step says how many there are
        self.status.setText("Loading data and building the model…")
        self._say("")
        self._started_at = time.monotonic()
        self.runner.start(config, self.live_images, val_limit=self.val_limit)
        self._set_running(True)
        return True

    def _toggle_pause(self, paused: bool) -> None:
        if paused:
            self.runner.pause()
            self.pause_button.setText("Resume")
        else:
            self.runner.resume()
            self.pause_button.setText("Pause")

    def _on_started(self, trainer: Trainer) -> None:
        self.status.setText(f"Training on {len(trainer.train_set):,} images, device {trainer.device}…")

    def _on_step(self, event: StepEvent) -> None:
        self._last_global_step = event.global_step
        self.curves.add_step(event)
        if self.progress.maximum() != event.total_steps:
            self.progress.setRange(0, event.total_steps)
        self.progress.setValue(event.global_step)
        self.progress.setFormat(
            f"epoch {event.epoch}/{self._config.epochs} · step {event.step}/{event.steps_per_epoch}"
        )
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
        if paused:
            self.status.setText("Paused.")

    def _on_stopped(self, stop: StopEvent, trainer: Trainer) -> None:
        self.result = self._checkpoint_from(trainer)
        if stop.reason == "finished":
            self._say(stop.message + " Use the model in the explorer or save it.")
        elif stop.reason == "cancelled":
            self._say(f"{stop.message} The weights at that step are kept.")
        else:
            self._say(stop.message, error=True)
        self.status.setText("Finished." if stop.reason == "finished" else "Stopped.")
        self.progress.setRange(0, max(self.progress.maximum(), 1))
        self._set_running(False)

    def _on_failed(self, error: str) -> None:
        self.progress.setRange(0, 1)
        self.status.setText("Failed.")
        self._say(f"Training failed: {error}", error=True)
        self._set_running(False)
        QMessageBox.critical(self, "Training failed", f"Training stopped with an error:\n\n{error}\n\n"
                             "The explorer's model is unchanged.")  # fmt: skip

    def _checkpoint_from(self, trainer: Trainer) -> Checkpoint:
        # The run is over: the worker no longer touches the trainer, so copying is safe.
        model = copy.deepcopy(trainer.model).to("cpu", memory_format=torch.contiguous_format).eval()
        history = TrainingHistory(steps=list(trainer.history.steps), epochs=list(trainer.history.epochs))
        metadata = make_metadata(model, config=trainer.config.to_dict(), epochs_trained=trainer.epochs_completed,
                                 test_metrics=trainer.last_val, history=history,
                                 precision=trainer.precision)  # fmt: skip
        return Checkpoint(model, metadata, None, history)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c0392b;" if error else "")
        self.message.setText(text)

    # -- results -------------------------------------------------------------------------
    def adopt(self) -> None:
        if self.result is not None:
            self.modelAdopted.emit(self.result)

    def save_result(self, path: str | Path) -> Path:
        assert self.result is not None
        saved = save_checkpoint(path, self.result.model, self.result.metadata)
        self.result.path = saved
        self._say(f"Saved {saved}.")
        return saved

    def _save_with_dialog(self) -> None:
        if self.result is None:
            return
        folder = default_save_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.result.kind}-{time.strftime('%Y%m%d-%H%M%S')}.pt"
        path, _ = QFileDialog.getSaveFileName(self, "Save trained model", str(folder / name), "Checkpoints (*.pt)")
        if path:
            try:
                self.save_result(path)
            except OSError as err:
                QMessageBox.warning(self, "Could not save", f"Could not save {path}:\n{err.strerror or err}")

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.runner.shutdown(timeout_ms)
