"""Shared fixtures: the real Fashion-MNIST test split, loaded once per session."""

from __future__ import annotations

import os
import tempfile

import pytest

# Qt tests run without a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The disk cache (decoded dataset, embeddings) goes to a folder of this run, never the user's.
os.environ["GAERCHEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="gaerchen-test-cache-")
# Saves that fall back (a full disk, a folder gone) and the window's Save… go to a folder of this run.
os.environ["GAERCHEN_SAVE_DIR"] = tempfile.mkdtemp(prefix="gaerchen-test-models-")


def pytest_configure(config: pytest.Config) -> None:
    # The app applies its process-wide tuning at start-up (gui/process_tuning.py); the tests run the same
    # process settings, explicitly, before any Qt object exists.
    from gaerchen_gui.gui import process_tuning

    process_tuning.apply()


@pytest.fixture(scope="session")
def test_set():
    from gaerchen_gui.core.data import load_test_set

    return load_test_set()


@pytest.fixture(scope="session")
def small_train_set(test_set):
    """The first 600 real training images: enough for a loss to fall in a few dozen steps."""
    from gaerchen_gui.core.data import load_train_set

    return load_train_set().subset(600)


@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(folder, ...)``: from now on, writing a file in those folders fails as on a full disk
    (ENOSPC when the bytes are flushed to it, where a real full disk refuses them at the latest);
    files elsewhere are written as usual."""
    import errno

    full: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        written = os.fstat(fd)
        for folder in full:
            with os.scandir(folder) as entries:
                if any(os.path.samestat(written, entry.stat(follow_symlinks=False)) for entry in entries):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)

    def fill(*folders) -> None:
        full.extend(str(folder) for folder in folders)

    return fill


@pytest.fixture(scope="session")
def recorded_runs(small_train_set, test_set):
    """``record(kind, epochs, frames, latent_dim)``: a short real run (600 training images, batches of 50) through the
    window's training loop (live_training), recording ``frames`` frames; returns the run's Checkpoint (with
    its frames, unsaved) and the FrameRecorded events in the order they came. Each run is trained once."""
    import torch

    from gaerchen_gui.core.checkpoints import Checkpoint
    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.core.frames import LIVE_SUBSET
    from gaerchen_gui.core.live_training import FrameRecorded, live_training
    from gaerchen_gui.core.run_result import result_metadata
    from gaerchen_gui.core.training import Trainer, TrainingHistory

    runs: dict[tuple, tuple] = {}

    def record(kind: str = "ae", epochs: int = 2, frames: int = 8, latent_dim: int = 2):
        key = (kind, epochs, frames, latent_dim)
        if key not in runs:
            config = TrainConfig.book(
                kind, epochs=epochs, batch_size=50, compile="off", device="cpu", latent_dim=latent_dim
            )
            torch.manual_seed(0)
            trainer = Trainer(config, small_train_set, test_set, val_limit=200, frame_count=frames)
            events = [e for e in live_training(trainer, test_set.images[LIVE_SUBSET]) if isinstance(e, FrameRecorded)]
            torch.set_flush_denormal(False)  # as the GUI fixtures do after training (hypothesis needs it off)
            metadata = result_metadata(trainer)
            history = TrainingHistory.from_dict(metadata["history"])
            checkpoint = Checkpoint(
                trainer.model.cpu().eval(), metadata, None, history, frames=trainer.recorder.frames()
            )
            runs[key] = (checkpoint, events)
        return runs[key]

    return record


@pytest.fixture(scope="session")
def tiny_sweep(tmp_path_factory, small_train_set, test_set):
    """A folder of a real BETA sweep: three VAEs (BETA 1, 100, 2000), 24 steps each on 600 images."""
    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.core.sweep import BetaSweep

    folder = tmp_path_factory.mktemp("sweep")
    config = TrainConfig.book("vae", epochs=2, batch_size=50, compile="off", device="cpu")
    sweep = BetaSweep(config, [1.0, 100.0, 2000.0], folder, train_set=small_train_set, test_set=test_set, val_limit=300)
    for _ in sweep.run():
        pass
    return folder
