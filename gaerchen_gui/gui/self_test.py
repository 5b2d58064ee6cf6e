"""``gaerchen --self-test``: drive the real window with real mouse events and check what it shows.

Opens the explorer on the shipped models, waits for the AE's map, drags the
cursor along a loop through the data with QTest mouse press/move/release on
the map's viewport, and checks that every position's decoded image reached the
screen and that the images change along the way; then switches to the VAE with
a click on its toolbar button and resamples. Prints one summary line and
returns 0, or prints the reason and returns 1. Settings go to a temporary file,
so the user's are untouched.

It fails as soon as the window shows an error (a model's message in place of
its map, or a dialog, which it closes: nobody is there to click it), naming it,
instead of waiting out a timeout: e.g. a missing data file fails it at once.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np

DRAG_STEPS = 120
TRAIN_STEPS = 20
MAP_TIMEOUT_S = 240.0  # encoding 10,000 images on two busy cores took ~5 s; leave room for slow machines
STEP_TIMEOUT_S = 10.0
DRAG_START_PX = 8  # pyqtgraph starts a drag after 5 px (or 0.5 s)
MOVE_INTERVAL_S = 0.016  # ~60 Hz, like a hand; pyqtgraph drops moves closer than 10 ms apart
MIN_CHANGED_FRACTION = 0.9  # of consecutive decoded images that must differ
CHANGE_EPSILON = 1e-6  # "differs": any pixel moved more than float noise (an untrained decoder barely varies)


class SelfTestFailure(Exception):
    pass


# While the self-test runs: callables that return what went wrong on screen, or None (see wait_until).
_watchers: list[Callable[[], str | None]] = []


class ErrorWatch:
    """What the window has said went wrong: a model's error (shown in place of its map) or a message box.

    A message box is modal: its own event loop would stop the self-test until someone clicks it, so a
    timer (which runs inside that loop too) records its text and closes it."""

    def __init__(self, window) -> None:  # an ExplorerWindow
        from PySide6.QtCore import QTimer

        self.window = window
        self.dialogs: list[str] = []
        self._timer = QTimer()
        self._timer.timeout.connect(self._close_message_boxes)
        self._timer.start(50)

    def _close_message_boxes(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.dialogs.append(f"{box.windowTitle()}: {box.text()}".replace("\n\n", " ").replace("\n", " "))
            box.reject()

    def __call__(self) -> str | None:
        if self.dialogs:
            return f"the window showed a dialog: {self.dialogs[0]}"
        for state in self.window.explorer.models:
            if state.error:
                return f"the {state.display_name} shows an error: {state.error}".replace("\n", " ")
        return None

    def stop(self) -> None:
        self._timer.stop()


def run_self_test() -> int:
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import qInstallMessageHandler

    from gaerchen_gui.gui.app import close_window, create_application

    create_application([sys.argv[0] if sys.argv else "gaerchen", "--self-test"])
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.settings import Settings

    previous_handler = qInstallMessageHandler(None)  # Qt hands back the handler it replaces
    qInstallMessageHandler(quiet_offscreen(previous_handler))
    with tempfile.TemporaryDirectory(prefix="gaerchen-self-test-") as tmp:
        window = watch = None
        try:
            window = ExplorerWindow(settings=Settings.in_file(Path(tmp) / "settings.ini"), seed=0)
            window.ask_before_closing = False  # nobody to ask: a trained model is not kept
            watch = ErrorWatch(window)
            _watchers.append(watch)
            window.show()
            window.raise_()
            summary = _exercise(window)
        except SelfTestFailure as failure:
            print(f"gaerchen self-test FAILED: {failure}", file=sys.stderr)
            return 1
        except Exception:  # any crash is a failed self-test, reported with its traceback
            traceback.print_exc()
            print("gaerchen self-test FAILED: unexpected error (traceback above)", file=sys.stderr)
            return 1
        finally:
            if watch is not None:
                watch.stop()
                _watchers.remove(watch)
            if window is not None:
                close_window(window)
            qInstallMessageHandler(previous_handler)
    print(f"gaerchen self-test passed: {summary}")
    return 0


def quiet_offscreen(previous):  # a Qt message handler
    """Drop the offscreen platform's "This plugin does not support raise()"-style notes; pass the rest on."""

    def handler(mode, context, message: str) -> None:
        if message.startswith("This plugin does not support"):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    return handler


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Process events until ``predicate()`` holds; returns the seconds it took. Fails at once when
    the window shows an error during the self-test (see ErrorWatch)."""
    from PySide6.QtWidgets import QApplication

    start = time.monotonic()
    while not predicate():
        for watcher in _watchers:
            trouble = watcher()
            if trouble:
                raise SelfTestFailure(f"while waiting for {what}, {trouble}")
        if time.monotonic() - start > timeout_s:
            raise SelfTestFailure(f"timed out after {timeout_s:.0f} s waiting for {what}")
        QApplication.processEvents()
        # Sleep in Python, not in QTest.qWait: qWait keeps the GIL while it waits, which starved the
        # encoding thread (loading the test set took 26 s instead of 2 s).
        time.sleep(0.002)
    return time.monotonic() - start


def _exercise(window) -> str:  # an ExplorerWindow
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gaerchen_gui.core.model_loading import shipped_path
    from gaerchen_gui.gui.actions import ActionKey

    for kind in ("ae", "vae"):
        if not shipped_path(kind).is_file():
            raise SelfTestFailure(f"the shipped {kind.upper()} is missing: {shipped_path(kind)}")

    error = window.show_shipped("ae", quiet=True)
    if error:
        raise SelfTestFailure(f"the shipped AE did not load: {error}")
    ae_map_s = wait_until(lambda: window.map_ready, MAP_TIMEOUT_S, "the AE's latent map")
    points = len(window.model.encoded)
    wait_until(lambda: window.preview.image is not None, STEP_TIMEOUT_S, "the first decoded image")

    drag = _drag_cursor(window)

    # One click on the toolbar's VAE button, as a user would.
    button = window.toolbar.widgetForAction(window.actions[ActionKey.SHOW_VAE])
    ae_z = window.model.encoded.z
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    if window.model.kind != "vae":
        raise SelfTestFailure(f"clicking VAE did not switch the model ({window.last_error or 'no error shown'})")
    vae_map_s = wait_until(lambda: window.map_ready, MAP_TIMEOUT_S, "the VAE's latent map")
    if window.model.encoded.z.shape != ae_z.shape or np.allclose(window.model.encoded.z, ae_z):
        raise SelfTestFailure("the map did not change when switching from the AE to the VAE")

    wait_until(lambda: window.side.sample_grid.images is not None, STEP_TIMEOUT_S, "the first VAE samples")
    before = window.model.samples.copy()
    resample = window.side.sample_panel.resample_button
    QTest.mouseClick(resample, Qt.MouseButton.LeftButton)
    wait_until(lambda: window.side.sample_grid.images is not None, STEP_TIMEOUT_S, "the resampled images")
    n = len(window.side.sample_grid)
    if n != window.side.sample_panel.count() or np.allclose(window.model.samples, before):
        raise SelfTestFailure("resampling did not draw new points")
    if window.side.sample_grid.images.shape != (n, 32, 32):
        raise SelfTestFailure(f"the sample grid holds {window.side.sample_grid.images.shape}, expected ({n}, 32, 32)")

    manifold = _show_the_manifold(window)
    compare = _compare_ae_and_vae(window)
    training = _train_from_the_panel(window)

    stats = window.pane.jobs.decoder.stats
    return (
        f"AE map of {points:,} images in {ae_map_s:.1f} s; dragged the cursor through {drag['steps']} positions, "
        f"each decoded and painted ({drag['distinct']} distinct images, median change "
        f"{drag['median_change']:.3f}); VAE map in {vae_map_s:.1f} s; {n} VAE samples decoded; "
        f"decoded manifold of {manifold['tiles']} images in {manifold['seconds']:.1f} s; "
        f"AE vs VAE side by side: {compare['moves']} cursor moves decoded by both; "
        f"decoder served {stats.decoded} requests, dropped {stats.dropped} stale ones; "
        f"trained a VAE for {training['steps']} steps from the panel ({training['snapshots']} live map updates)."
    )


def _show_the_manifold(window) -> dict:  # an ExplorerWindow
    """Tick "Show behind the map" and check that a grid of decoded images appears behind the points."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    controls = window.side.manifold_controls
    QTest.mouseClick(controls.show_box, Qt.MouseButton.LeftButton)
    seconds = wait_until(
        lambda: window.pane.manifold_layer.isVisible() and window.pane.manifold_layer.has_picture,
        MAP_TIMEOUT_S,
        "the decoded manifold",
    )
    picture = window.pane.manifold_layer.image
    resolution = controls.options().resolution
    # not blank: even a barely trained decoder's tiles differ from their background somewhere
    if picture.ndim != 2 or min(picture.shape) < resolution * 32 or int(picture.max()) == int(picture.min()):
        raise SelfTestFailure(f"the decoded manifold is not a picture of decoded images ({picture.shape})")
    QTest.mouseClick(controls.show_box, Qt.MouseButton.LeftButton)  # and off again, for the training run
    return {"tiles": resolution**2, "seconds": seconds}


def _compare_ae_and_vae(window) -> dict:  # an ExplorerWindow
    """View > Compare > AE vs VAE; move the one cursor from pane B; both models decode each point; back to one pane."""
    from gaerchen_gui.gui.actions import ActionKey

    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    panes = window.panes.panes
    if len(panes) != 2 or [p.state.source for p in panes] != ["ae", "vae"]:
        raise SelfTestFailure(f"AE vs VAE shows {[p.state.source for p in panes]}")
    for pane in panes:
        wait_until(lambda pane=pane: pane.state.encoded is not None, MAP_TIMEOUT_S, f"the {pane.state.name} map")
    second = panes[1]
    z = second.state.encoded.z[:, :2]
    moves = 0
    for row in (0, 1, 2, 3, 4):
        x, y = map(float, z[row])
        second.latent_map.set_cursor_position(x, y)  # as a drag in pane B does
        for pane in panes:
            wait_until(
                lambda pane=pane, x=x, y=y: (
                    pane.state.cursor_image is not None
                    and np.allclose(pane.state.cursor_image.z[:2], (x, y), atol=1e-5)
                ),
                STEP_TIMEOUT_S,
                f"{pane.state.display_name}'s image at the shared cursor",
            )
        if panes[0].latent_map.cursor_position() != (x, y):
            raise SelfTestFailure("the cursor moved in one pane but not in the other")
        moves += 1
    window.actions[ActionKey.COMPARE].setChecked(False)
    if len(window.panes.panes) != 1:
        raise SelfTestFailure("leaving compare mode did not go back to one pane")
    wait_until(lambda: window.map_ready, MAP_TIMEOUT_S, "the single map again")
    return {"moves": moves}


def _train_from_the_panel(window) -> dict:  # an ExplorerWindow
    """Open the training dock, start a small VAE run with the Start button, stop it after 20+ steps."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.gui.actions import ActionKey

    window.actions[ActionKey.SHOW_TRAINING].trigger()
    panel = window.training_panel
    panel.val_limit = 500  # the epoch-end test pass: keep the self-test short
    panel.apply_config(TrainConfig.book("vae", epochs=1, batch_size=50, limit=2_000))
    snapshots = []
    panel.snapshotReady.connect(snapshots.append)
    QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    if not panel.runner.is_running:
        raise SelfTestFailure(f"the Start button did not start training: {panel.message.text()}")
    wait_until(lambda: panel.curves.n_steps >= TRAIN_STEPS, MAP_TIMEOUT_S, f"{TRAIN_STEPS} training steps")
    QTest.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: not panel.runner.is_running, STEP_TIMEOUT_S * 3, "training to stop")
    if panel.result is None:
        raise SelfTestFailure(f"training ended without a model: {panel.message.text()}")
    if len(snapshots) < 2 or "Training VAE" not in window.latent_map.getPlotItem().titleLabel.text:
        raise SelfTestFailure("the latent map did not follow the model being trained")
    return {"steps": panel.curves.n_steps, "snapshots": len(snapshots)}


def _drag_cursor(window) -> dict:  # an ExplorerWindow
    """Press on the cursor, move through DRAG_STEPS points of a loop inside the data, release."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    latent_map, preview = window.latent_map, window.preview
    viewport = latent_map.viewport()
    z = window.model.encoded.z[:, :2].astype(np.float64)
    centre = np.median(z, axis=0)
    radius = 0.3 * (np.percentile(z, 90, axis=0) - np.percentile(z, 10, axis=0))

    start_xy = latent_map.cursor_position()
    press_at = latent_map.view_to_widget(*start_xy)
    QTest.mouseMove(viewport, press_at)  # hover first: pyqtgraph picks the drag target on hover
    wait_until(lambda: True, 1, "events")
    time.sleep(MOVE_INTERVAL_S)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press_at)

    images, positions = [], []
    last_move = time.monotonic()
    pixel = press_at
    try:
        for step in range(DRAG_STEPS):
            angle = 2 * math.pi * step / DRAG_STEPS
            # a loop from the start point out to an ellipse around the data's centre
            reach = min(1.0, (step + 1) / 10)
            target = (1 - reach) * np.array(start_xy) + reach * (centre + radius * [math.cos(angle), math.sin(angle)])
            pixel = latent_map.view_to_widget(float(target[0]), float(target[1]))
            previous = positions[-1][0] if positions else press_at
            if step == 0 and (pixel - press_at).manhattanLength() < DRAG_START_PX:
                pixel = press_at + QPoint(DRAG_START_PX, 0)  # a shorter first move counts as a click
            elif pixel == previous:
                pixel = QPoint(pixel.x() + 1, pixel.y())  # every step must move the mouse
            paints = preview.paint_count
            wait = MOVE_INTERVAL_S - (time.monotonic() - last_move)
            if wait > 0:
                time.sleep(wait)
            QTest.mouseMove(viewport, pixel)
            last_move = time.monotonic()
            xy = latent_map.cursor_position()
            if step == 0 and np.allclose(xy, start_xy):
                raise SelfTestFailure("the cursor did not follow the mouse when dragged")
            wait_until(
                lambda xy=xy, paints=paints: (
                    preview.shown_z is not None
                    and np.allclose(preview.shown_z[:2], xy, rtol=0, atol=1e-5)
                    and preview.paint_count > paints
                ),
                STEP_TIMEOUT_S,
                f"the decoded image at drag step {step + 1} to be painted",
            )
            images.append(preview.image.copy())
            positions.append((pixel, xy))
    finally:
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel)
    if latent_map.cursor.moving:
        raise SelfTestFailure("the cursor still thinks it is being dragged after the mouse was released")

    stack = np.stack(images)
    changes = np.abs(np.diff(stack, axis=0)).max(axis=(1, 2))
    changed = float(np.mean(changes > CHANGE_EPSILON))
    if changed < MIN_CHANGED_FRACTION:
        raise SelfTestFailure(
            f"the decoded image changed in only {changed:.0%} of drag steps (expected at least "
            f"{MIN_CHANGED_FRACTION:.0%})"
        )
    distinct = len({img.tobytes() for img in stack})
    return {"steps": len(images), "distinct": distinct, "median_change": float(np.median(changes))}
