"""The BETA sweep window: which BETAs, where to save, progress with the whole sweep's ETA, the results.

The VAEs are trained with the training panel's settings (its VAE settings; the book's if the
panel is set to an AE) and differ only in BETA. Each is an ordinary checkpoint in the chosen
folder as soon as it ends; double-click a result to show it in the explorer.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.save_target import user_models_dir
from gaerchen_gui.core.sweep import BetaSweep, SweepRunDone, SweepStep, SweepStopped, parse_betas
from gaerchen_gui.core.training import StepEvent
from gaerchen_gui.gui.sweep_runner import SweepRunner

DEFAULT_BETAS = "1,10,100,500,2000"  # issue 15's example: collapse at one end, an AE-like space at the other


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class SweepDialog(QDialog):
    open_requested = Signal(object)  # a Path: show this checkpoint in the explorer
    finished_folder = Signal(object)  # the Path a sweep saved into, when it ends having saved a run

    def __init__(self, base_config, parent: QWidget | None = None) -> None:  # () -> TrainConfig
        super().__init__(parent)
        self.setWindowTitle("BETA Sweep")
        self._base_config = base_config
        self.runner = SweepRunner(self)
        self.betas = QLineEdit(DEFAULT_BETAS)
        self.betas.setToolTip("BETAs separated by commas: the weight of the reconstruction term in each VAE's loss")
        self.folder = QLineEdit(str(user_models_dir() / time.strftime("sweep-%Y%m%d-%H%M")))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.settings_note = QLabel()
        self.settings_note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("BETAs", self.betas)
        form.addRow("Save into", folder_row)
        form.addRow("Each VAE", self.settings_note)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Not started.")
        self.status.setWordWrap(True)
        self.results = QListWidget()
        self.results.setToolTip("Double-click a saved run to show it in the explorer")
        self.results.itemDoubleClicked.connect(self._open_item)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop_button = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.runner.cancel)
        self.close_button.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.buttons)
        self.runner.progress.connect(self._on_progress)
        self.runner.run_done.connect(self._on_run_done)
        self.runner.stopped.connect(self._on_stopped)
        self.runner.failed.connect(self._on_failed)
        self.resize(560, 440)
        self._update_enabled()

    # -- what a sweep trains ---------------------------------------------------------------------
    def vae_config(self) -> TrainConfig:
        """The training panel's settings as a VAE's (the book's VAE if the panel is set to an AE)."""
        config = self._base_config()
        if config.model != "vae":
            config = replace(TrainConfig.book("vae"), seed=config.seed, limit=config.limit, precision=config.precision)
        return config.validated()

    def showEvent(self, event) -> None:  # Qt's name
        self._show_settings()
        super().showEvent(event)

    def _show_settings(self) -> None:
        try:
            c = self.vae_config()
        except ConfigError as err:
            self.settings_note.setText(f"The training panel's settings are not valid: {err}")
            return
        images = f"{c.limit:,}" if c.limit else "60,000"
        warmup = f", KL warm-up {c.kl_warmup_steps:,} steps" if c.kl_warmup_steps else ""
        self.settings_note.setText(
            f"{c.epochs} epochs, batch {c.batch_size}, learning rate {c.lr:g}, seed {c.seed}, {images} training "
            f"images{warmup}: the training panel's settings, the same for every BETA."
        )

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start the sweep the fields describe; False (and a message) when they are not valid."""
        if self.runner.is_running:
            return False
        try:
            sweep = BetaSweep(self.vae_config(), parse_betas(self.betas.text()), Path(self.folder.text()).expanduser())
        except ConfigError as err:
            QMessageBox.warning(self, "Cannot start the sweep", str(err))
            return False
        problem = sweep.target_problem()
        if problem:
            QMessageBox.warning(self, "Cannot save there", f"{problem}.\n\nChoose another folder.")
            return False
        self.results.clear()
        self.progress.setValue(0)
        self.status.setText(f"Loading the training images for {len(sweep.betas)} VAEs…")
        self.runner.start(sweep)
        self._update_enabled()
        return True

    def _on_progress(self, event: SweepStep) -> None:
        self.progress.setValue(round(1000 * event.fraction))
        if isinstance(event.step, StepEvent):
            self.status.setText(
                f"Run {event.run + 1} of {event.runs}: BETA {event.beta:g}, epoch {event.step.epoch}, "
                f"step {event.step.global_step:,} of {event.step.total_steps:,}  ·  "
                f"the whole sweep ends in about {_duration(event.eta_s)}"
            )

    def _on_run_done(self, event: SweepRunDone) -> None:
        metrics = event.test_metrics
        result = f"test BCE {metrics['bce']:.4f}, KL {metrics['kl']:.2f}" if metrics else "no test results"
        where = "nothing to save" if event.path is None else event.path.name
        if event.save_problem:
            where = f"{event.save_problem}; saved to {event.path}"
        text = f"BETA {event.beta:g}: {event.stop.reason}, {result}  ·  {where}"
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, str(event.path) if event.path is not None else None)
        self.results.addItem(item)

    def _on_stopped(self, event: SweepStopped) -> None:
        self.progress.setValue(1000 if event.reason == "finished" else self.progress.value())
        self.status.setText(event.message + "  Double-click a result to show it in the explorer.")
        self._update_enabled()
        if self.runner.sweep is not None and self.results.count():
            self.finished_folder.emit(self.runner.sweep.out_dir)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"The sweep stopped: {message}")
        self._update_enabled()

    def _update_enabled(self) -> None:
        running = self.runner.is_running
        for widget in (self.start_button, self.betas, self.folder):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the sweep's VAEs into", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _open_item(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.open_requested.emit(Path(path))

    def closeEvent(self, event) -> None:  # Qt's name
        """Closing the window of a running sweep asks first; the runs already done stay saved."""
        if self.runner.is_running:
            answer = QMessageBox.question(
                self,
                "The sweep is running",
                "Stop the sweep? The VAEs already trained stay saved; the one training now is saved as "
                "it is (the weights of its last step).",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.runner.cancel()
        super().closeEvent(event)
