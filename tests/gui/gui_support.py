"""Helpers shared by the GUI tests: training the tiny models, waiting for a map, real mouse moves.

The fixtures built on them (``tiny_models``, ``make_window``, ``window``) are in ``conftest.py``.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from gaerchen_gui.core.checkpoints import make_metadata, save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.training import Trainer

MAP_TIMEOUT_MS = 120_000  # encoding 10,000 images with a tiny model, on two cores shared with training


def train_tiny(kind: str, test_set, folder, latent_dim: int = 2):
    """One epoch on 300 images: a real model of the right shape in ~1 s (trained on test images, which is
    fine for a fixture: nothing here measures generalisation). Saved as ``ae.pt``, or ``ae8d.pt`` for
    ``latent_dim=8``."""
    config = TrainConfig.book(
        kind, limit=300, epochs=1, batch_size=50, compile="off", device="cpu", latent_dim=latent_dim
    )
    torch.manual_seed(0)
    trainer = Trainer(config, train_set=test_set.subset(300), test_set=test_set, val_limit=200)
    for _ in trainer.run():
        pass
    meta = make_metadata(trainer.model, config=config.to_dict(), epochs_trained=1, test_metrics=trainer.last_val)
    name = f"{kind}.pt" if latent_dim == 2 else f"{kind}{latent_dim}d.pt"
    return save_checkpoint(folder / name, trainer.model.cpu(), meta)


def wait_for_map(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.map_ready, timeout=MAP_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.preview.image is not None, timeout=10_000)


def wait_for_cursor_decode(qtbot, window) -> None:
    """Until the preview shows the image decoded at the cursor's current position."""
    xy = window.latent_map.cursor_position()
    qtbot.waitUntil(
        lambda: window.preview.shown_z is not None and np.allclose(window.preview.shown_z[:2], xy, atol=1e-5),
        timeout=10_000,
    )


def move_mouse(viewport, pos: QPoint, last: list[float]) -> None:
    """QTest.mouseMove, spaced like a hand: pyqtgraph ignores moves closer than 10 ms apart."""
    wait = 0.015 - (time.monotonic() - last[0])
    if wait > 0:
        time.sleep(wait)
    QTest.mouseMove(viewport, pos)
    last[0] = time.monotonic()


def hover_over(qtbot, latent_map, xy, timeout_s: float = 10.0) -> QPoint:
    """Bring the mouse onto latent point ``xy`` from 30 px away, until the map reports a hovered image.

    As a person would, it aims again where the point is now: on a busy machine the window's layout can
    still change after the map is ready (a label's final size arrives late), moving the point on screen."""
    deadline = time.monotonic() + timeout_s
    last = [0.0]
    while True:
        pos = latent_map.view_to_widget(float(xy[0]), float(xy[1]))
        move_mouse(latent_map.viewport(), pos + QPoint(30, 30), last)
        move_mouse(latent_map.viewport(), pos, last)
        try:
            qtbot.waitUntil(lambda: latent_map.hovered_index is not None, timeout=1000)
            return pos
        except qtbot.TimeoutError:
            if time.monotonic() > deadline:
                raise


def drag_cursor_through(qtbot, window, points) -> list[np.ndarray]:
    """Drag the map's cursor with real mouse events through latent ``points``; the decoded image at each."""
    latent_map = window.latent_map
    viewport = latent_map.viewport()
    last = [0.0]
    start = latent_map.view_to_widget(*latent_map.cursor_position())
    move_mouse(viewport, start, last)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    images = []
    pos = start
    try:
        for x, y in points:
            pos = latent_map.view_to_widget(float(x), float(y))
            move_mouse(viewport, pos, last)
            wait_for_cursor_decode(qtbot, window)
            images.append(window.preview.image.copy())
    finally:
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    return images
