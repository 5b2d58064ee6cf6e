"""The live map and stopping while training, for ``gui_latency.py`` (issue 12, items 1 and 3).

- ``live_map_lag_p95_s``: while the window trains the book VAE (batch 100), every 20 ms
  on the GUI thread: how long training has been past the step the live map shows (the time
  since the training thread ended the step after it; 0 while the map shows the latest
  step), p95; with a second process keeping both cores busy (a torch matmul loop, as a user's
  other work would), and ``_idle`` without it. Goal: <= 1.0 s with the busy process.
  ``live_map_first_update_s``: from the training thread ending step 1 to the GUI having
  shown the first snapshot of a trained step.
- ``stop_training_s``: a fresh process opens the window on the shipped AE, trains (AE, batch
  100, 3,000 images: a 30-step epoch, then the test pass over all 10,000 test images) and
  closes the window (answering "stop training?" with yes) when epoch 1's last step arrives,
  i.e. as the test pass starts, the slowest place to stop; the figure is from the close to the
  process's exit, as this process sees it; ``_busy`` with the busy process. Goal: <= 2.0 s.
  ``stop_training_message``: whether a child printed "did not stop in time".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_S = 0.02
# a loop that keeps no results: constant memory
BUSY_CODE = "import torch; x = torch.randn(2000, 2000)\nfor _ in range(10**9): x @ x"
STOP_TIMEOUT_S = 300.0

STOP_CHILD = """\
import sys, time
from gaerchen_gui.gui.app import create_application
app = create_application([sys.argv[0]])
from PySide6.QtWidgets import QMessageBox
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.gui.main_window import ExplorerWindow
from gaerchen_gui.gui.settings import Settings
QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
window = ExplorerWindow(settings=Settings.in_file(sys.argv[1]), seed=0)
window.show()
window.mapReady.connect(lambda: window.training_panel.start() if not window.training_panel.runner.is_running else None)
panel = window.training_panel
panel.apply_config(TrainConfig.book("ae", batch_size=100, epochs=3, limit=3000, compile="off"))
def on_step(event):
    if event.step == event.steps_per_epoch and event.epoch == 1:
        print("closing", time.time(), flush=True)
        window.close()
panel.runner.step.connect(on_step)
window.start()
app.exec()
from gaerchen_gui.gui.app import close_window
close_window(window)  # as run_app does after its event loop
"""


def start_busy_process() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BUSY_CODE], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_busy_process(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


def measure_live_map(window, spin, seconds: float, busy: bool) -> dict:  # ExplorerWindow, Spinner
    """Train the book VAE from the window's panel for ``seconds`` and sample the live map's lag."""
    from PySide6.QtCore import Qt, QTimer

    from gaerchen_gui.core.config import TrainConfig

    panel = window.training_panel
    panel.apply_config(TrainConfig.book("vae", batch_size=100, epochs=5, compile="off"))
    yielded: dict[int, float] = {}  # global step -> when the training thread ended it (StepEvent.finished_at)
    shown: list[tuple[float, int]] = []  # on the GUI thread, after the window's handler: (when, step)
    samples: list[float] = []

    def on_step(event) -> None:  # a StepEvent, timed in the training thread
        yielded[event.global_step] = event.finished_at

    def on_snapshot(update) -> None:  # a LiveMapUpdate
        shown.append((time.perf_counter(), update.snapshot.global_step))

    def sample() -> None:
        if not shown or 1 not in yielded:
            return
        now = time.perf_counter()
        passed = yielded.get(shown[-1][1] + 1)  # training went past the map's step then
        samples.append(0.0 if passed is None or passed > now else now - passed)

    busy_process = start_busy_process() if busy else None
    panel.snapshotReady.connect(on_snapshot)
    panel.runner.step.connect(on_step)
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(sample)
    try:
        if busy_process is not None:
            spin.sleep(1.0)  # let it get going
        if not panel.start():
            raise RuntimeError(f"the training panel did not start: {panel.message.text()}")
        timer.start(int(SAMPLE_S * 1000))
        spin.until(lambda: 1 in yielded, 180.0, poll_ms=20)
        end = time.perf_counter() + seconds
        spin.until(lambda: time.perf_counter() >= end or not panel.runner.is_running, seconds + 5, poll_ms=50)
    finally:
        timer.stop()
        panel.runner.stop()
        spin.until(lambda: not panel.runner.is_running, 60.0, poll_ms=20)
        panel.snapshotReady.disconnect(on_snapshot)
        panel.runner.step.disconnect(on_step)
        if busy_process is not None:
            stop_busy_process(busy_process)
    first = next((t for t, step in shown if step >= 1), None)
    samples.sort()
    return {
        "lag_p95_s": round(samples[int(0.95 * (len(samples) - 1))], 3) if samples else None,
        "lag_max_s": round(samples[-1], 3) if samples else None,
        "first_update_s": None if first is None or 1 not in yielded else round(first - yielded[1], 3),
        "snapshots": len(shown),
        "steps": max(yielded, default=0),
    }


def measure_stop_training(busy: bool, child_env: Callable[[], dict]) -> dict:
    """Close the window as epoch 1's test pass starts, in a fresh process; seconds to its exit."""
    import tempfile

    busy_process = start_busy_process() if busy else None
    try:
        with tempfile.TemporaryDirectory(prefix="gaerchen-bench-") as tmp:
            child = subprocess.Popen(
                [sys.executable, "-c", STOP_CHILD, str(Path(tmp) / "settings.ini")],
                cwd=ROOT,
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            closed_at = None
            deadline = time.monotonic() + STOP_TIMEOUT_S
            for line in iter(child.stdout.readline, ""):
                if line.startswith("closing "):
                    closed_at = float(line.split()[1])
                    break
                if time.monotonic() > deadline:
                    break
            _, stderr = child.communicate(timeout=STOP_TIMEOUT_S)
            exited_at = time.time()
    finally:
        if busy_process is not None:
            stop_busy_process(busy_process)
    if closed_at is None or child.returncode != 0:
        raise RuntimeError(f"the stop-training child failed ({child.returncode}):\n{stderr[-3000:]}")
    return {"stop_s": round(exited_at - closed_at, 3), "message": "did not stop in time" in stderr}


def measure(window, spin, live_seconds: float, child_env: Callable[[], dict]) -> dict:
    busy = measure_live_map(window, spin, live_seconds, busy=True)
    idle = measure_live_map(window, spin, live_seconds, busy=False)
    stop_busy = measure_stop_training(True, child_env)
    stop_idle = measure_stop_training(False, child_env)
    return {
        "live_map_lag_p95_s": busy["lag_p95_s"],
        "live_map_lag_p95_s_idle": idle["lag_p95_s"],
        "live_map_first_update_s": busy["first_update_s"],
        "live_map_first_update_s_idle": idle["first_update_s"],
        "live_map": {"busy": busy, "idle": idle},
        "stop_training_s": stop_idle["stop_s"],
        "stop_training_s_busy": stop_busy["stop_s"],
        "stop_training_message": stop_busy["message"] or stop_idle["message"],
        "busy_process": BUSY_CODE,
        "cpu_count": os.cpu_count(),
    }


if __name__ == "__main__":
    print(json.dumps({"note": "run benchmarks/gui_latency.py, which calls this module"}))
