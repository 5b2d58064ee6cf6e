"""Training on a folder of one's own images from the training dock: the Data choice, a real short run
whose live map and result carry the folder's images and class names, and each bad folder refused in
one message with the explorer's model untouched."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog
from shape_images import make_fashion_folder

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.core.dataset_info import DatasetInfo
from gaerchen_gui.core.image_folder import load_image_folder
from gaerchen_gui.core.live_training import LIVE_SUBSET
from gaerchen_gui.gui.data_choice import FASHION_MNIST
from gaerchen_gui.gui.training_panel import TrainingPanel

CLASSES = ("ankle boot", "bag", "trouser")  # Fashion-MNIST's labels 9, 8 and 1, as folder names (sorted)
TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def clothes(tmp_path_factory, test_set):
    """3 x 40 real Fashion-MNIST test images saved as PNGs in class folders: 96 to train on, 24 held out."""
    return make_fashion_folder(tmp_path_factory.mktemp("own") / "clothes", test_set, per_class=40)


def choose(monkeypatch, panel, folder) -> None:
    """Choose ``folder`` as a user does: "Folder…" in the Data list, then the folder dialog."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    data = panel.form.data
    data.activated.emit(data.findText("Folder…"))
    assert data.folder == str(folder)


def small_config(**overrides) -> TrainConfig:
    return TrainConfig.book("ae", **{"epochs": 3, "batch_size": 16, **overrides})


@pytest.fixture
def panel(qtbot):
    """The dock's panel on its own, with no Fashion-MNIST images at all: a folder run needs none."""
    widget = TrainingPanel()
    qtbot.addWidget(widget)
    widget.apply_config(small_config(epochs=1))
    widget.show()
    yield widget
    widget.shutdown(5000)


def test_the_data_choice_names_the_folder_and_goes_back_to_fashion_mnist(qtbot, panel, monkeypatch, tmp_path):
    data = panel.form.data
    assert data.folder is None and data.currentText() == FASHION_MNIST
    folder = tmp_path / ("a-long-folder-name-for-a-long-path-" * 3) / "clothes"
    folder.mkdir(parents=True)
    choose(monkeypatch, panel, folder)
    assert data.toolTip() == str(folder)  # the full path
    shown = data.currentText()
    assert shown.endswith("clothes") and shown.startswith("…") and len(shown) < len(str(folder))
    assert not panel.form.sweep_button.isEnabled()  # the window's sweep trains on Fashion-MNIST only
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: "")  # cancelled: nothing changes
    data.activated.emit(data.findText("Folder…"))
    assert data.folder == str(folder)
    data.activated.emit(0)
    assert data.folder is None and data.currentText() == FASHION_MNIST and panel.form.sweep_button.isEnabled()
    assert data.count() == 3  # the folder stays listed, to go back to


def test_a_run_on_a_folder_trains_and_opens_in_the_explorer_with_its_images(
    qtbot, window, clothes, monkeypatch, tmp_path, test_set
):
    panel = window.training_panel
    panel.val_limit = 200
    panel.apply_config(small_config())
    choose(monkeypatch, panel, clothes)
    snapshots = []
    panel.snapshotReady.connect(snapshots.append)
    assert panel.start()
    assert panel.status.text() == "Reading the folder…"  # read on the training thread, not here
    assert not panel.form.data.isEnabled()  # the settings beside a run are that run's
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert "Trained 3 epochs" in panel.message.text(), panel.message.text()
    steps = [row[1] for row in panel.result.history.steps]  # [global step, total loss, ...]
    assert len(steps) == 3 * 6 and np.mean(steps[-3:]) < np.mean(steps[:3])  # 96 images in batches of 16

    # the live map showed the folder's 24 held-out images, under the folder's class names
    assert snapshots and snapshots[-1].snapshot.embeddings.shape == (24, 2)
    held_out = load_image_folder(clothes, seed=panel.config().seed).test
    live = window.model.encoded
    assert live.class_names == CLASSES and window.latent_map.legend.names == CLASSES
    np.testing.assert_array_equal(live.labels, held_out.labels.numpy())
    np.testing.assert_array_equal(live.images, held_out.images[:, 0].numpy())

    # the checkpoint records the folder, saved or shown
    info = DatasetInfo.from_metadata(panel.result.metadata)
    assert info.folder == str(clothes) and info.class_names == CLASSES and info.image_count == 120
    saved = load_checkpoint(panel.save_result(tmp_path / "clothes-ae.pt").path)
    assert DatasetInfo.from_metadata(saved.metadata) == info
    with qtbot.waitSignal(window.mapReady, timeout=TIMEOUT_MS):
        panel.adopt_button.click()
    encoded = window.model.encoded
    assert window.model.checkpoint is panel.result
    assert encoded.class_names == CLASSES and window.latent_map.legend.names == CLASSES
    assert len(encoded) == 24 and set(encoded.labels.tolist()) == {0, 1, 2}
    np.testing.assert_array_equal(encoded.images, held_out.images[:, 0].numpy())  # its own images

    # back to Fashion-MNIST: the next run's live map follows its live subset, under its class names
    panel.form.data.activated.emit(0)
    panel.apply_config(small_config(epochs=1, batch_size=50, limit=200))
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(window.model.encoded) == len(LIVE_SUBSET), timeout=10_000)
    assert window.model.encoded.class_names == CLASS_NAMES and window.latent_map.legend.names == CLASS_NAMES
    np.testing.assert_array_equal(window.model.encoded.labels, test_set.labels.numpy()[LIVE_SUBSET])
    assert DatasetInfo.from_metadata(panel.result.metadata).folder is None


def test_unreadable_files_are_listed_and_training_goes_on(qtbot, panel, clothes, monkeypatch, tmp_path, dialogs):
    folder = shutil.copytree(clothes, tmp_path / "clothes")
    (folder / "bag" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "trouser" / "notes.txt").write_text("not an image")
    choose(monkeypatch, panel, folder)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    message = panel.message.text()
    assert "Trained 1 epoch" in message and "Skipped 2 files" in message and "training goes on" in message
    assert "bag/broken.png" in message and "trouser/notes.txt" in message and "\n" in message  # one line of its own
    assert not dialogs and panel.result is not None
    assert DatasetInfo.from_metadata(panel.result.metadata).image_count == 120


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda root, _: root.mkdir(), "is empty: put each class's images in a subfolder"),
        (
            lambda root, images: make_fashion_folder(root, images, classes=(8,), per_class=20),
            "has images of one class only (bag)",
        ),
        # 2 x 8 images: 2 x 6 to train on, fewer than one batch of 16
        (
            lambda root, images: make_fashion_folder(root, images, classes=(1, 8), per_class=8),
            "gives 12 training images (4 more held out for testing), fewer than one batch of 16",
        ),
    ],  # fmt: skip
    ids=["empty", "one-class", "fewer-than-a-batch"],
)
def test_a_folder_that_cannot_train_is_refused_in_one_message(
    qtbot, panel, monkeypatch, tmp_path, dialogs, test_set, make, expected
):
    folder = tmp_path / "mine"
    make(folder, test_set)
    choose(monkeypatch, panel, folder)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert_refused(panel, dialogs, expected)


def assert_refused(panel, dialogs, expected: str) -> None:
    message = panel.message.text()
    assert message.startswith("Cannot train on this folder: ") and expected in message, message
    assert "Traceback" not in message and "DatasetError" not in message
    assert [title for title, _ in dialogs] == ["Cannot train on this folder"] and expected in dialogs[0][1]
    assert panel.status.text() == "Not started." and panel.result is None
    assert panel.start_button.isEnabled() and not panel.adopt_button.isEnabled()


def test_a_folder_gone_after_choosing_it_leaves_the_explorer_as_it_was(
    qtbot, window, clothes, monkeypatch, tmp_path, dialogs
):
    folder = shutil.copytree(clothes, tmp_path / "clothes")
    panel = window.training_panel
    choose(monkeypatch, panel, folder)
    shutil.rmtree(folder)
    checkpoint, encoded, title = (
        window.model.checkpoint,
        window.model.encoded,
        window.latent_map.getPlotItem().titleLabel.text,
    )
    curves = (panel.curves.caption.text(), panel.curves.n_steps)
    assert curves[0] == "history of ae.pt"
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert_refused(panel, dialogs, f"{folder}: no such folder")
    assert window.model.checkpoint is checkpoint and window.model.encoded is encoded and window.model.live is None
    assert window.latent_map.getPlotItem().titleLabel.text == title
    assert (panel.curves.caption.text(), panel.curves.n_steps) == curves  # the model's history stays


def test_a_folder_changed_after_choosing_it_is_read_as_it_is_at_start(
    qtbot, panel, clothes, monkeypatch, tmp_path, dialogs
):
    folder = shutil.copytree(clothes, tmp_path / "clothes")
    choose(monkeypatch, panel, folder)
    for name in ("bag", "trouser"):  # only the ankle boots are left when Start is pressed
        shutil.rmtree(folder / name)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert_refused(panel, dialogs, "has images of one class only (ankle boot)")
    assert panel.curves.n_steps == 0  # nothing was trained


def test_a_folder_changed_while_training_is_named_when_the_run_ends(qtbot, panel, clothes, monkeypatch, tmp_path):
    folder = shutil.copytree(clothes, tmp_path / "clothes")
    choose(monkeypatch, panel, folder)
    panel.apply_config(small_config(epochs=2))
    # after the folder was read (steps come after), a new image arrives in it
    panel.runner.step.connect(lambda _: shutil.copy(folder / "bag" / "000.png", folder / "bag" / "new.png"))
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    message = panel.message.text()
    assert "Trained 2 epochs" in message and "has changed since its images were read (during training)" in message
    assert "the model learnt the 120 images read at the start" in message
    assert DatasetInfo.from_metadata(panel.result.metadata).image_count == 120  # what it learnt, not what is there
