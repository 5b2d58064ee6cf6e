"""How responsive the explorer is, measured on the real window in one run.

Everything drives :class:`ExplorerWindow` on the shipped models, offscreen, with
real QTest mouse events (the self-test's way of dragging the cursor):

- ``decode_p50_ms`` / ``decode_p95_ms``: from one mouse-move event on the map's
  viewport (dragging the cursor) to the decoded image for that position being
  painted in the preview, over a figure-eight through the data. Each move is
  posted, then the real event loop runs until the preview's view paints that
  result; the paint time comes from an event filter on the preview's view and
  the preview's paint counter. ``decode_breakdown_p50_ms`` splits it into the
  move's handling, the decoder thread (wake-up + decode), the queued hand-over to
  the GUI thread and the wait for the paint. ``decode_dropped``: requests the
  decoder replaced by a newer one (latest wins, by design; moves here wait for
  their paint, so this is normally 0). ``decode_model_ms`` is the baseline: one
  bare ``model.decode`` on one thread.
- ``scatter_fps_70k``: frames per second while panning the map with 70,000
  points: the 10,000 test points plus 60,000 training points set on the map's
  training layer with ``set_train_points`` and shown (the AE's embeddings of the
  training images; with ``--quick`` the test embeddings six times over, jittered),
  each frame a ``setRange`` and a synchronous ``viewport().repaint()``.
  Baseline: ``scatter_fps_10k``, the map as the app shows it (test points only).
  ``scatter_zoom_fps_70k`` / ``_10k``: the same while zooming in and out about the
  centre (every frame a new scale: the point layers show their rasters scaled and
  redraw them sharp once the zoom pauses); ``scatter_redraw_ms_70k`` / ``_10k``:
  a repaint in which they redraw them at a new scale (that pause's cost).
  ``cursor_repaint_ms_70k`` / ``_10k``: median time to move the cursor a few
  pixels and synchronously repaint the part of the map it left and entered
  (the map's share of a cursor drag's latency; the decode is not triggered).
- ``startup_s``: a fresh ``python -c`` that opens the window on the shipped AE
  and exits at the first paint of the map after ``mapReady``, timed by this
  process around the subprocess (interpreter start included), with a disk cache
  of its own that the first, untimed-for-the-median launch fills
  (``startup_cold_s``); the timed launches read the dataset and the embeddings
  from it, as a user's second and later launches do. Baseline:
  ``bare_import_s``, ``import torch, PySide6.QtWidgets, pyqtgraph`` timed the
  same way. Medians over alternating runs.
- ``live_map_lag_p95_s``, ``live_map_first_update_s``, ``stop_training_s`` and their
  variants: see ``training_responsiveness.py``.
- Training from the window's training panel while the GUI runs (when the window
  has one; AE, batch 100, compile off): images/s, timed where the training
  thread ends its steps (``StepEvent.finished_at``), against the same configuration through the core
  :class:`Trainer` in a plain loop without Qt (``train_img_s_cli``: on the main
  thread, whose torch threads were set up before the window, as in ``gaerchen
  train``; ``train_img_s_cli_same_threads``: on a plain thread started after the
  window, so with the torch thread count the panel's thread gets), each measured
  before and after; the lateness of a 10 ms timer on the GUI thread meanwhile
  (``event_loop_p95_ms_training``, baseline ``event_loop_p95_ms_idle``); and the
  decode latency again (``decode_p95_ms_training``).

Speeds are reported, never asserted; on a shared machine compare the ratios,
each against a baseline measured in the same run.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_latency.py --json [--quick]
"""

from __future__ import annotations

import argparse
import bisect
import functools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import training_responsiveness  # this folder: the script's own directory is on sys.path
from report import print_result

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100  # training batch size, as in train_throughput.py
LIVE_IMAGES = 2000  # test images a live training map follows, if the panel has none yet
POLL_MS = 1  # how often a wait re-checks its condition (measured times come from timestamps, not polls)
TIMER_MS = 10  # the GUI-thread timer whose lateness measures event-loop latency
TRAIN_START_TIMEOUT_S = 180.0  # the worker loads 60,000 images and builds the model first
SUBPROCESS_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Plan:
    moves: int  # decode latency: mouse moves on an idle GUI
    moves_training: int  # ... and while training runs
    frames: int  # per scatter size
    startup_rounds: int
    train_steps: int  # per measured training segment
    gui_cap_s: float  # the panel's run (the event-loop timer runs meanwhile) ends early after this long
    cli_cap_s: float  # each plain-loop segment (four of them) ends early after this long
    idle_loop_s: float  # event-loop latency baseline, nothing running
    real_train_embeddings: bool  # encode the 60,000 training images (else jittered test embeddings)
    live_map_s: float  # live map lag: training the VAE this long, with and without a busy process


# The caps keep a full run near 5 minutes on two busy cores, where a step can take a second.
FULL = Plan(300, 100, 60, 3, 150, 55.0, 15.0, 2.0, True, 20.0)
QUICK = Plan(30, 10, 10, 1, 5, 2.0, 2.0, 0.3, False, 4.0)

# -- subprocesses for startup --------------------------------------------------------------------

BARE_IMPORT_CHILD = """\
import time
T0 = time.perf_counter()
import os
import torch, PySide6.QtWidgets, pyqtgraph
print(time.perf_counter() - T0, flush=True)
os._exit(0)
"""

# Exits at the first paint of the map's viewport after mapReady (os._exit: no teardown in the timing).
STARTUP_CHILD = """\
import time
T0 = time.perf_counter()
import json, os, sys
from gaerchen_gui.gui.app import create_application
app = create_application([sys.argv[0]])
from PySide6.QtCore import QEvent, QObject, QTimer
from gaerchen_gui.gui.main_window import ExplorerWindow
from gaerchen_gui.gui.settings import Settings
marks = {}
done = QTimer()
done.setSingleShot(True)
done.timeout.connect(app.quit)
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "map_ready_s" in marks and "paint_s" not in marks:
            marks["paint_s"] = time.perf_counter() - T0
            done.start(0)  # quit once this paint is done
        return False
window = ExplorerWindow(settings=Settings.in_file(sys.argv[1]), seed=0)
watch = FirstPaint()
window.latent_map.viewport().installEventFilter(watch)
window.mapReady.connect(lambda: marks.setdefault("map_ready_s", time.perf_counter() - T0))
window.show()
window.start()  # fresh settings: the shipped AE
app.exec()
marks["points"] = len(window.model.encoded) if window.model.encoded is not None else 0
print(json.dumps(marks), flush=True)
os._exit(0)
"""


def child_env(cache_dir: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if cache_dir is not None:
        env["GAERCHEN_CACHE_DIR"] = cache_dir
    return env


def run_child(code: str, *args: str, cache_dir: str | None = None) -> tuple[float, str]:
    """Run ``python -c code args``; returns (wall-clock seconds measured here, its stdout)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=child_env(cache_dir),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, done.stdout.strip().splitlines()[-1]


def measure_startup(rounds: int) -> dict:
    """Launch to first paint of the map, in fresh processes with a disk cache of their own.

    The first launch finds the cache empty (``startup_cold_s``: it reads the dataset through
    torchvision and encodes the test set); the timed rounds after it start as a user's second
    and later launches do, from the cache.
    """
    bare, startup, in_script, map_ready = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="gaerchen-bench-") as tmp:
        cache = str(Path(tmp) / "cache")
        cold_s, out = run_child(STARTUP_CHILD, str(Path(tmp) / "settings-cold.ini"), cache_dir=cache)
        for i in range(rounds):  # alternating, so a noisy neighbour slows both alike
            wall, _ = run_child(BARE_IMPORT_CHILD)
            bare.append(wall)
            wall, out = run_child(STARTUP_CHILD, str(Path(tmp) / f"settings-{i}.ini"), cache_dir=cache)
            marks = json.loads(out)
            if not marks.get("points"):
                raise RuntimeError(f"the startup subprocess reported no map: {marks}")
            startup.append(wall)
            in_script.append(marks["paint_s"])
            map_ready.append(marks["map_ready_s"])
    startup_s, bare_s = statistics.median(startup), statistics.median(bare)
    return {
        "startup_s": round(startup_s, 3),
        "bare_import_s": round(bare_s, 3),
        "startup_ratio": round(startup_s / bare_s, 3),
        "startup_cold_s": round(cold_s, 3),  # the very first launch: empty disk cache
        "startup_in_script_s": round(statistics.median(in_script), 3),  # from the child's first line
        "startup_map_ready_s": round(statistics.median(map_ready), 3),
        "startup_runs_s": [round(v, 3) for v in startup],
        "bare_import_runs_s": [round(v, 3) for v in bare],
    }


# -- waiting in the real event loop --------------------------------------------------------------


class Spinner:
    """Runs a nested QEventLoop until a condition holds.

    Unlike the self-test's ``wait_until`` (processEvents, then a 2 ms sleep), the GUI thread
    here sits in Qt's event dispatcher as in the app: it wakes as soon as a queued result
    arrives (and releases the GIL while idle), so waiting adds nothing to a measured latency.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self._loop = None
        self._predicate: Callable[[], bool] = lambda: True
        self._deadline = 0.0
        self._timer = QTimer()
        self._timer.timeout.connect(self.poke)

    def poke(self) -> None:
        if self._loop is not None and (self._predicate() or time.perf_counter() > self._deadline):
            self._loop.quit()

    def until(self, predicate: Callable[[], bool], timeout_s: float, poll_ms: int = POLL_MS) -> bool:
        from PySide6.QtCore import QEventLoop

        if predicate():
            return True
        self._predicate, self._deadline = predicate, time.perf_counter() + timeout_s
        self._loop = QEventLoop()
        self._timer.start(poll_ms)
        try:
            self._loop.exec()
        finally:
            self._timer.stop()
            self._loop = None
        return predicate()

    def sleep(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        self.until(lambda: time.perf_counter() >= end, seconds + 1.0)


def _probe_class():  # a QObject subclass, defined once Qt is imported
    from PySide6.QtCore import QEvent, QObject, Slot

    class DecodeProbe(QObject):
        """Timestamps along a cursor decode: the worker's emit, arrival on the GUI thread, paints."""

        def __init__(self, preview) -> None:  # a DecoderPreview
            super().__init__()
            self.preview = preview
            self.emitted: dict[int, float] = {}
            self.arrived: dict[int, float] = {}
            # per paint event of the preview's view: (when it began, the view's paint count then,
            # the request id on screen then); request ids only grow
            self.paints: list[tuple[float, int, int]] = []

        @Slot(object)
        def on_emitted(self, result) -> None:  # runs in the decoder thread
            if result.channel == "cursor":
                self.emitted[result.request_id] = time.perf_counter()

        @Slot(object)
        def on_arrived(self, result) -> None:  # GUI thread, just after the window's own slot
            if result.channel == "cursor":
                self.arrived[result.request_id] = time.perf_counter()

        def eventFilter(self, obj, event) -> bool:  # Qt override
            if event.type() == QEvent.Type.Paint:
                self.paints.append((time.perf_counter(), self.preview.paint_count, self.preview.shown_request_id))
            return False

        def painted_at(self, request_id: int) -> float | None:
            """When the preview began the paint that put ``request_id``'s image (or a newer one) on screen."""
            k = bisect.bisect_left([shown for _, _, shown in self.paints], request_id)
            for j in range(k, len(self.paints)):
                after = self.paints[j + 1][1] if j + 1 < len(self.paints) else self.preview.paint_count
                if after > self.paints[j][1]:  # the view really painted during this paint event
                    return self.paints[j][0]
            return None

    return DecodeProbe


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000.0, 2)


# -- decode latency ------------------------------------------------------------------------------


def figure_eight(window, n: int) -> list[tuple[float, float]]:  # an ExplorerWindow
    """Latent points along a figure-eight through the data, starting from the cursor."""
    if window.model.encoded is not None:
        z = window.model.encoded.z[:, :2].astype(np.float64)
        centre = np.median(z, axis=0)
        radius = 0.35 * (np.percentile(z, 90, axis=0) - np.percentile(z, 10, axis=0))
    else:
        (x0, x1), (y0, y1) = window.latent_map.view_box.viewRange()
        centre, radius = np.array([(x0 + x1) / 2, (y0 + y1) / 2]), 0.25 * np.array([x1 - x0, y1 - y0])
    start = np.array(window.latent_map.cursor_position())
    points = []
    for step in range(n):
        angle = 2 * math.pi * step / n
        reach = min(1.0, (step + 1) / 10)  # ease out from the cursor onto the curve
        target = (1 - reach) * start + reach * (centre + radius * np.array([math.sin(angle), math.sin(2 * angle)]))
        points.append((float(target[0]), float(target[1])))
    return points


def measure_decode(window, spin: Spinner, moves: int) -> dict:  # an ExplorerWindow
    """Drag the cursor through ``moves`` positions; per move, the time from the event to the paint."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from gaerchen_gui.gui.self_test import DRAG_START_PX, MOVE_INTERVAL_S, STEP_TIMEOUT_S

    latent_map, preview, decoder = window.latent_map, window.preview, window.pane.jobs.decoder
    viewport = latent_map.viewport()
    (x0, x1), (y0, y1) = latent_map.view_box.viewRange()
    x, y = latent_map.cursor_position()
    if not (x0 < x < x1 and y0 < y < y1):  # e.g. the live map of a model in training moved elsewhere
        latent_map.set_cursor_position((x0 + x1) / 2, (y0 + y1) / 2)
    # The worker builds its traced decoder after half a second without requests, as in a window a
    # person has just opened and looks at: measure that, not the eager decodes before it.
    spin.until(lambda: decoder.fast_path_ready, 30.0)
    probe = _probe_class()(preview)
    decoder.decoded.connect(probe.on_emitted, Qt.ConnectionType.DirectConnection)
    decoder.decoded.connect(probe.on_arrived, Qt.ConnectionType.QueuedConnection)
    preview.view.installEventFilter(probe)
    dropped_before = decoder.stats.dropped

    path = figure_eight(window, moves)
    press_at = latent_map.view_to_widget(*latent_map.cursor_position())
    QTest.mouseMove(viewport, press_at)  # hover first: pyqtgraph picks the drag target on hover
    spin.sleep(MOVE_INTERVAL_S)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press_at)
    total, parts, missed = [], {"handle": [], "decoder": [], "deliver": [], "paint": []}, 0
    pixel, previous, next_move = press_at, press_at, 0.0
    try:
        for step, target in enumerate(path):
            pixel = latent_map.view_to_widget(*target)
            if step == 0 and (pixel - press_at).manhattanLength() < DRAG_START_PX:
                pixel = press_at + QPoint(DRAG_START_PX, 0)  # a shorter first move counts as a click
            elif pixel == previous:
                pixel = QPoint(pixel.x() + 1, pixel.y())  # every move must move the mouse
            previous = pixel
            spin.until(lambda next_move=next_move: time.perf_counter() >= next_move, 1.0)  # a hand's pace
            t_event = time.perf_counter()
            QTest.mouseMove(viewport, pixel)  # delivered synchronously: the cursor moves, a decode is requested
            t_handled = time.perf_counter()
            next_move = t_event + MOVE_INTERVAL_S
            xy = np.array(latent_map.cursor_position())
            if step == 0 and not latent_map.cursor.moving:
                raise RuntimeError("the cursor did not start dragging; is the map drawn?")

            def painted(xy=xy) -> bool:
                z = preview.shown_z
                return (
                    z is not None
                    and np.allclose(z[:2], xy, rtol=0, atol=1e-5)
                    and probe.painted_at(preview.shown_request_id) is not None
                )

            if not spin.until(painted, STEP_TIMEOUT_S):
                missed += 1
                continue
            request_id = preview.shown_request_id
            t_paint = probe.painted_at(request_id)
            t_arrived = min(probe.arrived.get(request_id, t_paint), t_paint)
            t_emit = min(probe.emitted.get(request_id, t_arrived), t_arrived)
            total.append(t_paint - t_event)
            parts["handle"].append(t_handled - t_event)
            parts["decoder"].append(t_emit - t_handled)
            parts["deliver"].append(t_arrived - t_emit)
            parts["paint"].append(t_paint - t_arrived)
    finally:
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel)
        spin.sleep(0.05)  # let the last results arrive while the probe still listens
        preview.view.removeEventFilter(probe)
        decoder.decoded.disconnect(probe.on_emitted)
        decoder.decoded.disconnect(probe.on_arrived)
    return {
        "p50_ms": ms(percentile(total, 50)),
        "p95_ms": ms(percentile(total, 95)),
        "max_ms": ms(max(total) if total else None),
        "moves": len(path),
        "measured": len(total),
        "missed": missed,  # no paint for that position within the self-test's step timeout
        "dropped": decoder.stats.dropped - dropped_before,
        # handle: the move event's handling (cursor, readouts, request); decoder: the worker waking up and
        # decoding; deliver: the queued result reaching the GUI thread; paint: until the preview paints it
        "breakdown_p50_ms": {name: ms(percentile(values, 50)) for name, values in parts.items()},
        "latencies_ms": [ms(value) for value in total],  # each measured move, in order (soak.py's minutes)
    }


def measure_model_decode(model, n: int = 200) -> tuple[float, int]:  # a LatentModel
    """Median seconds of one bare decode on a plain thread, and that thread's torch thread count.

    No ``torch.set_num_threads`` here: it sets the default for threads started later too (the
    decode worker's call already made that 1), so calling it would change the training measured next.
    """
    import torch

    times: list[float] = []
    threads: list[int] = []

    def run() -> None:
        threads.append(torch.get_num_threads())
        rng = np.random.default_rng(0)
        with torch.inference_mode():
            for _ in range(n):
                z = torch.from_numpy(rng.normal(size=(1, model.latent_dim)).astype(np.float32))
                t0 = time.perf_counter()
                model.decode(z).numpy()
                times.append(time.perf_counter() - t0)

    thread = threading.Thread(target=run, name="bench-decode")
    thread.start()
    thread.join()
    return statistics.median(times[10:]), threads[0]


@functools.cache
def train_set():  # an ImageSet; loaded once for the scatter and the plain training loops
    from gaerchen_gui.core.data import load_train_set

    return load_train_set()


# -- scatter panning -----------------------------------------------------------------------------


def seventy_thousand_points(window, real: bool) -> tuple[np.ndarray, np.ndarray, str]:
    """60,000 training-set points to go with the 10,000 test points: (z, labels, where they came from)."""
    encoded = window.model.encoded
    if real:
        from gaerchen_gui.core.evaluation import embed_all

        train = train_set()
        z_train = embed_all(window.model.checkpoint.model, train.images).numpy()[:, :2]
        labels_train = train.labels.numpy()
        source = "AE embeddings of the 60,000 training images"
    else:  # --quick: the test embeddings six times over, jittered (same spread, no 60,000-image encode)
        rng = np.random.default_rng(0)
        z = encoded.z[:, :2]
        scale = 0.02 * (z.max(axis=0) - z.min(axis=0))
        z_train = np.concatenate([z + rng.normal(size=z.shape) * scale for _ in range(6)]).astype(np.float32)
        labels_train = np.tile(encoded.labels, 6)
        source = "test embeddings x6, jittered (--quick)"
    return z_train.astype(np.float32), np.asarray(labels_train), source


def _repaint_fps(window, frames: int, view_at: Callable[[int], tuple], warm_up: int) -> float:  # an ExplorerWindow
    """Frames per second: frame i sets the map's view to ``view_at(i)`` (x range, y range) and repaints it
    synchronously; the view is put back afterwards."""
    from compare_latency import repaint_fps

    return repaint_fps(window.latent_map.view_box, [window.latent_map.viewport()], frames, view_at, warm_up)


def measure_pan_fps(window, frames: int) -> float:  # an ExplorerWindow
    """Frames per second: each frame shifts the view (a circle of 15% of its size) and repaints the map."""
    (x0, x1), (y0, y1) = window.latent_map.view_box.viewRange()
    w, h = x1 - x0, y1 - y0

    def view_at(i: int) -> tuple:
        angle = 2 * math.pi * i / 40
        dx, dy = 0.15 * w * math.sin(angle), 0.15 * h * math.cos(angle)
        return (x0 + dx, x1 + dx), (y0 + dy, y1 + dy)

    return _repaint_fps(window, frames, view_at, warm_up=3)


def measure_zoom_fps(window, frames: int) -> float:  # an ExplorerWindow
    """Frames per second: each frame zooms the view about its centre (1x to 1.5x and back) and repaints."""
    (x0, x1), (y0, y1) = window.latent_map.view_box.viewRange()
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0

    def view_at(i: int) -> tuple:
        zoom = 1.25 - 0.25 * math.cos(2 * math.pi * (i + 1) / 40)  # never the same scale twice in a row
        return (cx - w / 2 / zoom, cx + w / 2 / zoom), (cy - h / 2 / zoom, cy + h / 2 / zoom)

    return _repaint_fps(window, frames, view_at, warm_up=1)


def measure_cursor_repaint(window, moves: int) -> float:  # an ExplorerWindow
    """Median seconds to move the map's cursor by a few pixels and repaint where it was and is, synchronously.

    The map's signals are blocked meanwhile, so no decode is requested: this is the map's share of a drag.
    """
    from PySide6.QtCore import QSignalBlocker
    from PySide6.QtWidgets import QApplication

    latent_map = window.latent_map
    viewport, cursor = latent_map.viewport(), latent_map.cursor
    x, y = latent_map.cursor_position()
    (x0, x1), _ = latent_map.view_box.viewRange()
    step = 3 * (x1 - x0) / max(latent_map.view_box.width(), 1.0)  # about three pixels
    times: list[float] = []
    blocker = QSignalBlocker(latent_map)
    try:
        for i in range(moves + 3):
            QApplication.processEvents()  # not timed: whatever else is pending
            before = cursor.sceneBoundingRect()
            start = time.perf_counter()
            cursor.setPos(x + step * (i % 10), y)
            region = latent_map.mapFromScene(before.united(cursor.sceneBoundingRect())).boundingRect()
            viewport.repaint(region.adjusted(-2, -2, 2, 2))
            times.append(time.perf_counter() - start)
    finally:
        cursor.setPos(x, y)
        blocker.unblock()
        QApplication.processEvents()
    return statistics.median(times[3:])


def measure_redraw(window, frames: int) -> float:  # an ExplorerWindow
    """Median seconds of a repaint in which the point layers redraw their rasters sharp at a new scale (what a
    zoom costs once it pauses, or at once when it zooms more than 1.5x; meanwhile it shows them scaled)."""
    from PySide6.QtWidgets import QApplication

    latent_map = window.latent_map
    view_box, viewport = latent_map.view_box, latent_map.viewport()
    (x0, x1), (y0, y1) = view_box.viewRange()
    times: list[float] = []
    for i in range(frames + 1):
        zoom = 1.0 + 0.01 * (i % 2)  # a new scale every frame
        cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / zoom, (y1 - y0) / zoom
        view_box.setRange(xRange=(cx - w / 2, cx + w / 2), yRange=(cy - h / 2, cy + h / 2), padding=0)
        for layer in (latent_map.scatter, latent_map.train_layer):
            layer.settle()  # no scaled preview: redraw now
        start = time.perf_counter()
        viewport.repaint()
        times.append(time.perf_counter() - start)
    view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
    QApplication.processEvents()
    return statistics.median(times[1:])


def measure_scatter(window, plan: Plan) -> dict:  # an ExplorerWindow
    latent_map = window.latent_map
    train = latent_map.train_layer
    saved = (train.positions.copy(), train.labels.copy(), latent_map.train_points_visible)
    latent_map.set_train_points_visible(False)  # the baseline: the test points alone
    try:
        n_map = len(latent_map.scatter)
        fps_map = measure_pan_fps(window, plan.frames)
        zoom_map = measure_zoom_fps(window, plan.frames)
        cursor_map = measure_cursor_repaint(window, plan.frames)
        redraw_map = measure_redraw(window, plan.frames)
        z, labels, source = seventy_thousand_points(window, plan.real_train_embeddings)
        latent_map.set_train_points(z, labels)
        latent_map.set_train_points_visible(True)
        n_all = len(latent_map.scatter) + len(train)
        fps_70k = measure_pan_fps(window, plan.frames)
        zoom_70k = measure_zoom_fps(window, plan.frames)
        cursor_70k = measure_cursor_repaint(window, plan.frames)
        redraw_70k = measure_redraw(window, plan.frames)
    finally:  # the window's own training layer again
        latent_map.set_train_points(saved[0], saved[1])
        latent_map.set_train_points_visible(saved[2])
    viewport = latent_map.viewport()
    return {
        "scatter_fps_70k": round(fps_70k, 2),
        "scatter_fps_10k": round(fps_map, 2),
        "scatter_ratio_70k_vs_10k": round(fps_70k / fps_map, 3),
        "scatter_zoom_fps_70k": round(zoom_70k, 2),
        "scatter_zoom_fps_10k": round(zoom_map, 2),
        "cursor_repaint_ms_70k": ms(cursor_70k),
        "cursor_repaint_ms_10k": ms(cursor_map),
        "scatter_redraw_ms_70k": ms(redraw_70k),
        "scatter_redraw_ms_10k": ms(redraw_map),
        "scatter_points": [n_map, n_all],
        "scatter_points_source": source,
        "scatter_viewport_px": [viewport.width(), viewport.height()],
        "scatter_frames": plan.frames,
    }


# -- event-loop latency ----------------------------------------------------------------------------


def timer_lateness(ticks: list[float]) -> list[float]:
    """Seconds each tick of a TIMER_MS timer came later than TIMER_MS after the previous one."""
    return [max(0.0, b - a - TIMER_MS / 1000.0) for a, b in zip(ticks, ticks[1:], strict=False)]


def run_timer(spin: Spinner, predicate: Callable[[], bool], timeout_s: float) -> list[float]:
    """Run a precise TIMER_MS timer on the GUI thread until ``predicate``; returns when it fired."""
    from PySide6.QtCore import Qt, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(TIMER_MS)
    try:
        spin.until(predicate, timeout_s, poll_ms=50)  # a slow poll: the waiting should not be the load
    finally:
        timer.stop()
    return ticks


# -- training ------------------------------------------------------------------------------------

TRAINING_KEYS = (
    "train_img_s_gui",
    "train_img_s_cli",
    "train_gui_ratio",
    "event_loop_p95_ms_training",
    "decode_p95_ms_training",
)


def step_events(trainer):  # a Trainer; yields its StepEvents, epoch after epoch
    from gaerchen_gui.core.training import StepEvent

    while True:
        run = trainer.run()
        try:
            for event in run:
                if isinstance(event, StepEvent):
                    yield event
        finally:
            run.close()  # here, on this thread: the loop turns denormal flushing off again


class PlainLoop:
    """The core Trainer's steps in a plain loop (no Qt), always on the same thread: this (main) thread, or
    a plain worker thread of its own. Per thread because torch's intra-op thread count is initialised per
    thread (from the process-wide setting at that time) and the denormal flag is per thread."""

    def __init__(self, config, data: tuple, own_thread: bool) -> None:  # a TrainConfig
        self._config, self._data = config, data
        self._steps = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="bench-train") if own_thread else None

    def _call(self, fn: Callable, *args):
        return self._executor.submit(fn, *args).result() if self._executor else fn(*args)

    def segment(self, n: int, cap_s: float) -> dict:
        """Images/s over up to ``n`` steps (ending early after ``cap_s``), after a warm-up on first use."""
        return self._call(self._segment, n, cap_s)

    def _segment(self, n: int, cap_s: float) -> dict:
        import torch

        from gaerchen_gui.core.training import Trainer

        if self._steps is None:
            train_set, test_set = self._data
            trainer = Trainer(self._config, train_set=train_set, test_set=test_set, val_limit=1000)
            self._steps = step_events(trainer)
            for _ in range(3):
                next(self._steps)
        start = time.perf_counter()
        rates: list[float] = []
        while len(rates) < n and time.perf_counter() - start < cap_s:
            rates.append(next(self._steps).images_per_s)
        return {
            "img_s": len(rates) * BATCH / (time.perf_counter() - start),
            "steps": len(rates),
            "step_rates": rates,
            "threads": torch.get_num_threads(),
        }

    def close(self) -> None:
        if self._steps is not None:
            self._call(self._steps.close)
        if self._executor is not None:
            self._executor.shutdown()


def measure_training(window, spin: Spinner, plan: Plan) -> dict:  # an ExplorerWindow

    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.core.encoding import shared_test_set
    from gaerchen_gui.core.live_training import LiveSet

    panel = window.training_panel
    # epochs=3: an epoch is 600 steps at batch 100, so no test pass falls inside the measurement
    config = TrainConfig.book("ae", batch_size=BATCH, epochs=3, compile="off")
    notes = []
    data = (train_set(), shared_test_set())
    # As `gaerchen train` would: this thread's torch threads were set up before the window existed.
    cli = PlainLoop(config, data, own_thread=False)
    # A plain thread started now gets the same torch thread settings as the panel's training thread.
    same = PlainLoop(config, data, own_thread=True)
    segments = {"cli": [cli.segment(plan.train_steps, plan.cli_cap_s)]}
    segments["cli_same_threads"] = [same.segment(plan.train_steps, plan.cli_cap_s)]

    panel.apply_config(config)
    if panel.live_set is None:
        test_set = shared_test_set()
        panel.live_set = LiveSet.of(test_set.images[:LIVE_IMAGES], test_set.labels[:LIVE_IMAGES].numpy())
        notes.append(f"the panel had no live images; the benchmark gave it the first {LIVE_IMAGES:,} test images")
    steps: list[tuple[float, int, float]] = []  # on the GUI thread: (arrival, global step, the event's images/s)
    # The step timestamps that count are taken in the training thread (StepEvent.finished_at): queued
    # signals reach the GUI thread in bursts after it was busy (a live map update), which would skew a
    # short window.
    finished: dict[int, float] = {}  # global step -> when the training thread ended it
    trainers: list = []  # the panel's Trainer, from the runner's started signal
    snapshots: list[float] = []  # when the GUI thread had handled a live snapshot
    ended: list[str] = []

    def on_step(event) -> None:  # a StepEvent
        steps.append((time.perf_counter(), event.global_step, event.images_per_s))
        finished[event.global_step] = event.finished_at

    def on_snapshot(update: object) -> None:  # a LiveMapUpdate; connected after the window's own handler
        snapshots.append(time.perf_counter())

    panel.runner.started.connect(trainers.append)
    panel.runner.step.connect(on_step)
    panel.snapshotReady.connect(on_snapshot)
    panel.runner.stopped.connect(lambda stop, _trainer: ended.append(stop.reason))
    panel.runner.failed.connect(lambda error: ended.append(f"failed: {error}"))
    if not panel.start():  # the window shows its training dock when a run starts
        raise RuntimeError(f"the training panel did not start: {panel.message.text()}")
    try:
        if not spin.until(lambda: len(steps) >= 3 or bool(ended), TRAIN_START_TIMEOUT_S, poll_ms=20):
            raise RuntimeError("training from the panel reported no steps")
        if ended:
            raise RuntimeError(f"training from the panel ended early: {ended}")
        first = len(steps) - 1
        started = time.perf_counter()
        ticks = run_timer(
            spin,
            lambda: (
                len(steps) - 1 - first >= plan.train_steps
                or bool(ended)
                or time.perf_counter() - started > plan.gui_cap_s
            ),
            plan.gui_cap_s + 5,
        )
        last = len(steps) - 1
        gui_rates = [rate for _, _, rate in steps[first + 1 : last + 1]]
        during = measure_decode(window, spin, plan.moves_training)
        if ended:
            notes.append(f"training ended before the decode measurement did ({ended[0]})")
        s0, s1, s2 = steps[first][1], steps[last][1], steps[-1][1]
        gui = images_per_s(finished, s0, s1)
        gui_decoding = images_per_s(finished, s1, s2)
    finally:
        panel.runner.stop()
        spin.until(lambda: not panel.runner.is_running, 60.0, poll_ms=20)

    segments["cli_same_threads"].append(same.segment(plan.train_steps, plan.cli_cap_s))  # after, in reverse
    segments["cli"].append(cli.segment(plan.train_steps, plan.cli_cap_s))
    same.close()
    cli.close()
    cli_mean = statistics.mean(seg["img_s"] for seg in segments["cli"])
    same_mean = statistics.mean(seg["img_s"] for seg in segments["cli_same_threads"])
    threads = {
        "gui": trainers[0].torch_threads if trainers else None,  # as the training thread's torch saw it
        "cli": segments["cli"][0]["threads"],
        "cli_same_threads": segments["cli_same_threads"][0]["threads"],
    }
    if threads["gui"] != threads["cli"]:
        notes.append(
            f"torch threads: {threads['gui']} in the panel's training thread, {threads['cli']} in a plain "
            "loop on the main thread (set up before the window); see train_img_s_cli_same_threads"
        )
    lateness = timer_lateness(ticks)
    stalls = [(a, b) for a, b in zip(ticks, ticks[1:], strict=False) if b - a - TIMER_MS / 1000 > 0.05]
    return {
        "train_img_s_gui": None if gui is None else round(gui, 1),
        "train_img_s_cli": round(cli_mean, 1),
        "train_gui_ratio": None if gui is None else round(gui / cli_mean, 3),
        "event_loop_p95_ms_training": ms(percentile(lateness, 95)),
        "decode_p95_ms_training": during["p95_ms"],
        "decode_p50_ms_training": during["p50_ms"],
        "decode_training": during,
        "event_loop_max_ms_training": ms(max(lateness) if lateness else None),
        # timer gaps over 50 ms late, and how many of them ended with the GUI thread handling a live map update
        "event_loop_stalls_training": {
            "over_50ms": len(stalls),
            "with_live_snapshot": sum(any(a < t <= b for t in snapshots) for a, b in stalls),
        },
        "train_img_s_cli_before_after": [round(seg["img_s"], 1) for seg in segments["cli"]],
        # the same plain loop on a plain thread started after the window, i.e. with the panel's torch threads
        "train_img_s_cli_same_threads": round(same_mean, 1),
        "train_gui_ratio_same_threads": None if gui is None else round(gui / same_mean, 3),
        "train_img_s_gui_while_decoding": None if gui_decoding is None else round(gui_decoding, 1),
        # the trainer's own per-step figure (compute only, smoothed): a slower step, or costs between steps?
        "train_step_img_s": {
            "gui": round(statistics.median(gui_rates), 1) if gui_rates else None,
            **{
                name: round(statistics.median(r for seg in segs for r in seg["step_rates"]), 1)
                for name, segs in segments.items()
            },
        },
        "train_steps": {name: [seg["steps"] for seg in segs] for name, segs in segments.items()} | {"gui": s1 - s0},
        "live_snapshots": len(snapshots),
        "train_threads": threads,
        "training_note": "; ".join(notes) or None,
    }


def images_per_s(clock: dict[int, float], first: int, last: int) -> float | None:
    """Training images per second between two global steps, from their timestamps."""
    if first not in clock or last not in clock or clock[last] <= clock[first]:
        return None
    return (last - first) * BATCH / (clock[last] - clock[first])


# -- the run -------------------------------------------------------------------------------------


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure_compare(window, spin: Spinner, plan: Plan) -> dict:  # an ExplorerWindow
    """AE vs VAE side by side (compare_latency.py), then back to one pane for what follows."""
    from compare_latency import measure_compare_decode, measure_compare_pan_fps, open_ae_vs_vae

    from gaerchen_gui.gui.actions import ActionKey
    from gaerchen_gui.gui.self_test import MAP_TIMEOUT_S, wait_until

    open_ae_vs_vae(window, spin, wait_until, MAP_TIMEOUT_S)
    try:
        result = measure_compare_decode(window, spin, plan.moves, figure_eight(window, plan.moves))
        result["compare_pan_fps"] = measure_compare_pan_fps(window, plan.frames)
    finally:
        window.actions[ActionKey.COMPARE].setChecked(False)
        spin.sleep(0.2)
    return result


def measure_in_window(plan: Plan, tuning) -> dict:  # a process_tuning.Tuning
    import torch
    from PySide6.QtCore import qInstallMessageHandler

    from gaerchen_gui.gui.app import close_window, create_application

    create_application([sys.argv[0], "--benchmark"], tuning=tuning)
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.self_test import MAP_TIMEOUT_S, STEP_TIMEOUT_S, quiet_offscreen, wait_until
    from gaerchen_gui.gui.settings import Settings

    result: dict = {"threads": torch.get_num_threads()}
    phases = result["phase_s"] = {}
    t_phase = time.perf_counter()
    previous_handler = qInstallMessageHandler(None)
    qInstallMessageHandler(quiet_offscreen(previous_handler))
    window = None
    try:
        with tempfile.TemporaryDirectory(prefix="gaerchen-bench-") as tmp:
            window = ExplorerWindow(settings=Settings.in_file(Path(tmp) / "settings.ini"), seed=0)
            window.ask_before_closing = False  # nobody to ask: a trained model is not kept
            window.show()
            error = window.show_shipped("ae", quiet=True)
            if error:
                raise RuntimeError(f"the shipped AE did not load: {error}")
            wait_until(lambda: window.map_ready, MAP_TIMEOUT_S, "the AE's latent map")
            wait_until(lambda: window.preview.image is not None, STEP_TIMEOUT_S, "the first decoded image")
            spin = Spinner()
            spin.sleep(0.2)  # let the first paints settle

            phases["window_s"] = time.perf_counter() - t_phase
            t_phase = time.perf_counter()
            idle = measure_decode(window, spin, plan.moves)
            result.update(
                decode_p50_ms=idle["p50_ms"],
                decode_p95_ms=idle["p95_ms"],
                decode_dropped=idle["dropped"],
                decode_max_ms=idle["max_ms"],
                decode_moves=idle["moves"],
                decode_missed=idle["missed"],
                decode_breakdown_p50_ms=idle["breakdown_p50_ms"],
            )
            model_s, result["decode_model_threads"] = measure_model_decode(window.model.checkpoint.model)
            result["decode_model_ms"] = ms(model_s)
            phases["decode_s"] = time.perf_counter() - t_phase
            t_phase = time.perf_counter()
            result.update(measure_scatter(window, plan))
            phases["scatter_s"] = time.perf_counter() - t_phase
            t_phase = time.perf_counter()
            spin.sleep(0.2)
            lateness = timer_lateness(run_timer(spin, lambda: False, plan.idle_loop_s))
            result["event_loop_p95_ms_idle"] = ms(percentile(lateness, 95))

            phases["idle_s"] = time.perf_counter() - t_phase
            t_phase = time.perf_counter()
            result.update(measure_compare(window, spin, plan))
            phases["compare_s"] = time.perf_counter() - t_phase
            t_phase = time.perf_counter()

            if hasattr(window, "training_panel"):
                result.update(measure_training(window, spin, plan))
                phases["training_s"] = time.perf_counter() - t_phase
                t_phase = time.perf_counter()
                result.update(training_responsiveness.measure(window, spin, plan.live_map_s, child_env))
                phases["live_map_and_stop_s"] = time.perf_counter() - t_phase
            else:
                result.update(dict.fromkeys(TRAINING_KEYS))
                result["training_note"] = "the window has no training_panel yet: training was not measured"
    finally:
        if window is not None:
            panel = getattr(window, "training_panel", None)
            if panel is not None and panel.runner.is_running:  # else closing would ask whether to stop it
                panel.runner.stop()
                wait_until(lambda: not panel.runner.is_running, 60.0, "training to stop")
            close_window(window)
        qInstallMessageHandler(previous_handler)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer moves, frames, steps and startup runs")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="SWITCH",
        help="turn one of gui/process_tuning.py's switches off, to measure what it buys (repeatable)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # compare_latency.py beside this file
    from gaerchen_gui.gui.process_tuning import Tuning

    try:
        tuning = Tuning().without(*args.without)
    except ValueError as err:
        parser.error(str(err))
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    plan = QUICK if args.quick else FULL

    started = time.perf_counter()
    import torch

    result: dict = {}
    result.update(measure_startup(plan.startup_rounds))  # first, while this process is still idle
    startup_phase_s = time.perf_counter() - started
    result.update(measure_in_window(plan, tuning))
    result["tuning_off"] = sorted(args.without)
    result["phase_s"] = {"startup_s": startup_phase_s, **result["phase_s"]}
    result["phase_s"] = {name: round(seconds, 1) for name, seconds in result["phase_s"].items()}
    result.update(
        cpu=cpu_name(),
        torch=str(torch.__version__),
        quick=args.quick,
        platform=os.environ.get("QT_QPA_PLATFORM") or "default",
        benchmark_s=round(time.perf_counter() - started, 1),
    )
    print_result(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
