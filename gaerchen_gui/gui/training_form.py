"""The training dock's settings: one field per hyperparameter, the book's presets, and the
form read back as a validated :class:`TrainConfig`; beside them, what to train on (data_choice.py).

The ranges come from core/config.py's LIMITS, so the form offers exactly what the
command line accepts. While a run trains, the form shows that run's settings and
cannot be edited.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gaerchen_gui.core.config import EXPLORER_LATENT_DIMS, LIMITS, ConfigError, TrainConfig
from gaerchen_gui.core.precision import PRECISION_HELP, PRECISIONS
from gaerchen_gui.gui.data_choice import DataChoice

TRAIN_IMAGES = 60_000  # Fashion-MNIST's training set, when a config has no limit


def spin_box(name: str, single_step: int = 1) -> QSpinBox:
    """A spin box over the allowed range of hyperparameter ``name`` (core/config.py's LIMITS)."""
    limit = LIMITS[name]
    return QSpinBox(minimum=int(limit.low), maximum=int(limit.high), singleStep=single_step)


class TrainingForm(QGroupBox):
    kindChanged = Signal(str)  # "ae" or "vae", when the model field changes
    sweepRequested = Signal()  # "BETA sweep…": train one VAE per BETA with these settings

    def __init__(self, is_running: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        self._is_running = is_running  # the runner's: the form keeps no copy of it
        self.model_kind = QComboBox()
        self.model_kind.addItem("Autoencoder (AE)", "ae")
        self.model_kind.addItem("Variational autoencoder (VAE)", "vae")
        self.model_kind.currentIndexChanged.connect(self._on_kind_changed)
        self.epochs = spin_box("epochs")
        self.batch_size = spin_box("batch_size")
        self.learning_rate = QLineEdit()
        self.learning_rate.setToolTip("Adam learning rate, e.g. 0.001 or 3e-4")
        self.beta = QDoubleSpinBox(minimum=LIMITS["beta"].low, maximum=LIMITS["beta"].high, decimals=1)
        self.beta.setToolTip("VAE loss = BETA x mean per-pixel BCE + KL; larger BETA = sharper, less regular")
        self.seed = spin_box("seed")
        self.train_size = spin_box("limit", single_step=1000)
        self.train_size.setToolTip("Use the first N training images (60,000: all of Fashion-MNIST's, or of a folder's)")
        self.latent_dim = spin_box("latent_dim")
        self.latent_dim.setRange(*EXPLORER_LATENT_DIMS)
        self.latent_dim.setToolTip(
            "Size of the latent space: 2 is drawn as it is; a wider one is shown as a 2-D view (a projection)"
        )
        self.kl_warmup = spin_box("kl_warmup_steps", single_step=100)
        self.kl_warmup.setSpecialValueText("off")
        self.kl_warmup.setToolTip(
            "VAE: raise the KL term's weight from 0 to 1 over this many steps (0: off); against early collapse"
        )
        self.precision = QComboBox()
        for name in PRECISIONS:
            self.precision.addItem(name, name)
            self.precision.setItemData(self.precision.count() - 1, PRECISION_HELP[name], Qt.ItemDataRole.ToolTipRole)
        self.precision.setToolTip(f"Maths of the forward pass (auto: {PRECISION_HELP['auto']})")
        self.data = DataChoice()  # Fashion-MNIST or a folder: not part of TrainConfig, read at Start
        self.data.folderChanged.connect(lambda _: self.update_enabled())
        self.book_ae = book_ae = QPushButton("Book AE")
        book_ae.setToolTip("The book's settings for its AE: Adam 1e-3, batch 64, 3 epochs")
        book_ae.clicked.connect(lambda: self.apply_config(TrainConfig.book("ae")))
        self.book_vae = book_vae = QPushButton("Book VAE")
        book_vae.setToolTip("The book's settings for its VAE: Adam 3e-4, batch 100, 5 epochs, BETA 500")
        book_vae.clicked.connect(lambda: self.apply_config(TrainConfig.book("vae")))

        # Two label/field pairs a row: the dock is wide and short.
        form = QGridLayout(self)
        form.setHorizontalSpacing(8)
        form.addWidget(QLabel("Model"), 0, 0)
        form.addWidget(self.model_kind, 0, 1, 1, 3)
        for row, pairs in enumerate(
            [
                (("Epochs", self.epochs), ("Batch size", self.batch_size)),
                (("Learning rate", self.learning_rate), ("BETA", self.beta)),
                (("Seed", self.seed), ("Train images", self.train_size)),
                (("Latent size", self.latent_dim), ("KL warm-up", self.kl_warmup)),
                (("Precision", self.precision), ("Data", self.data)),
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
        self.sweep_button = QPushButton("BETA sweep…")
        self.sweep_button.clicked.connect(self.sweepRequested)
        presets.addWidget(self.sweep_button)
        form.addLayout(presets, 6, 0, 1, 4)

    def apply_config(self, config: TrainConfig) -> None:
        self.model_kind.setCurrentIndex(self.model_kind.findData(config.model))
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.learning_rate.setText(f"{config.lr:g}")
        self.beta.setValue(config.beta)
        self.seed.setValue(config.seed)
        self.train_size.setValue(config.limit or TRAIN_IMAGES)
        self.latent_dim.setValue(config.latent_dim)
        self.kl_warmup.setValue(config.kl_warmup_steps)
        self.precision.setCurrentIndex(self.precision.findData(config.precision))
        self.update_enabled()

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
            limit=None if limit >= TRAIN_IMAGES else limit,
            latent_dim=self.latent_dim.value(),
            kl_warmup_steps=self.kl_warmup.value() if self.kind == "vae" else 0,
            compile="off",  # a run started from the window should start at once
            precision=self.precision.currentData(),
        ).validated()

    @property
    def kind(self) -> str:
        return self.model_kind.currentData()

    def update_enabled(self) -> None:
        """The settings beside a run are that run's: nothing is editable while it trains."""
        running = self._is_running()
        for widget in (self.model_kind, self.epochs, self.batch_size, self.learning_rate, self.seed,
                       self.train_size, self.latent_dim, self.precision, self.book_ae, self.book_vae,
                       self.data):  # fmt: skip
            widget.setEnabled(not running)
        # The window's sweep trains on Fashion-MNIST; `gaerchen sweep --data FOLDER` sweeps a folder.
        self.sweep_button.setEnabled(self.data.folder is None)
        self.sweep_button.setToolTip(
            "Train one VAE per BETA with these settings, one after another"
            if self.data.folder is None
            else "The window's sweep trains on Fashion-MNIST: for a folder, use gaerchen sweep --data FOLDER"
        )
        for vae_only in (self.beta, self.kl_warmup):
            vae_only.setEnabled(not running and self.kind == "vae")

    def _on_kind_changed(self) -> None:
        self.update_enabled()
        self.kindChanged.emit(self.kind)
