"""A soak test of the real window: minutes of dragging, hovering and switching models while a VAE trains.

The window (offscreen unless a display is set) opens on the shipped AE; then,
for ``--minutes``, it cycles: drag the cursor along a figure-eight through the
data (``gui_latency.measure_decode``: real QTest mouse events, each move timed
to its painted image), hover the mouse over test images, switch between the
shipped AE and VAE with their toolbar actions; meanwhile a small book VAE
(6,000 images, one epoch) trains in the training dock, and whenever a run has
ended (finished, or stopped with the Stop button every third run) a new one
starts. It runs in a child process, so that a crash, even a segfault, is
counted rather than ending the benchmark.

Reported:

- ``crashes``: the child's abnormal end (exit code, signal), exceptions that
  reached ``sys.excepthook`` or ``threading.excepthook`` (a slot or a thread that
  raised), and the window showing an error (a dialog, or a model's error in place
  of its map; ``errors_shown`` lists them). Must be 0.
- ``rss_start_mb`` / ``rss_end_mb`` / ``rss_growth``: the child's resident memory
  in the first and the last minute after the warm-up (cycles until a second
  training run has started: both maps encoded, the training images loaded).
  Sampled after every cycle; each figure is the minute's lowest sample, because
  a training run holds its 60,000 images (~250 MB) only while it runs, and a
  sample's phase in that would otherwise swamp a leak (which raises the floor).
  ``rss_mb``: each minute's floor; ``rss_peak_mb``. Goal: growth <= 5% over 30
  minutes.
- ``decode_p95_ms_first_minute`` / ``_last_minute``: the drag latency of the
  moves in the soak's first and last minute (the same minute when it is shorter).
- counts: ``cycles``, ``drag_moves``, ``hovers``, ``model_switches``,
  ``training_runs``; ``driver_errors``: steps of the driver that could not be done,
  with the first few messages. Some are expected: while a run starts, the live map
  fits its view to each new snapshot (an untrained model's points cluster in a
  spot a fraction of a unit wide), and a view that moved between aiming at the
  cursor and pressing on it makes "the cursor did not start dragging".

    QT_QPA_PLATFORM=offscreen python benchmarks/soak.py --minutes 30 --json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
from report import print_result  # this folder: the script's own directory is on sys.path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DRAG_MOVES = 30  # per cycle: ~1-2 s of dragging
HOVERS = 15  # per cycle
HOVER_DWELL_S = 0.03
STOP_EVERY = 3  # every third training run is stopped with the Stop button, mid-run
STOP_AFTER_S = 5.0
WARM_UP_TIMEOUT_S = 300.0
SWITCH_TIMEOUT_S = 120.0
KEPT_MESSAGES = 5


def rss_mb() -> float:
    """This process's resident memory (Linux /proc; elsewhere the peak, from getrusage)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Soak:
    """Drives one window; every step's trouble is counted, never raised."""

    def __init__(self, window, spin, watch) -> None:  # ExplorerWindow, gui_latency.Spinner, self_test.ErrorWatch
        self.window, self.spin, self.watch = window, spin, watch
        self.panel = window.training_panel
        self.crashes: list[str] = []
        self.driver_errors: list[str] = []
        self.driver_error_count = 0
        self.map_errors: list[str] = []  # a model's error in place of its map, whenever one was seen
        self.latencies: list[tuple[float, float]] = []  # (seconds into the soak, ms)
        self.rss: list[tuple[float, float]] = []  # (seconds into the soak, MB), after each cycle
        self.counts = dict.fromkeys(("cycles", "drag_moves", "hovers", "model_switches", "training_runs"), 0)
        self.runs = 0  # training runs started, warm-up included (every STOP_EVERY-th is stopped)
        self.run_started = 0.0
        self.t0 = time.perf_counter()

    def start_measuring(self) -> None:
        """The warm-up is over: counts, driver errors and latencies start from zero."""
        self.t0 = time.perf_counter()
        self.latencies.clear()
        self.rss.clear()
        self.counts = dict.fromkeys(self.counts, 0)
        self.driver_errors.clear()
        self.driver_error_count = 0

    def step(self, what: str, action) -> None:
        try:
            action()
        except Exception as err:  # counted: the soak goes on, the report says what failed
            self.driver_error_count += 1
            if len(self.driver_errors) < KEPT_MESSAGES:
                self.driver_errors.append(f"{what}: {type(err).__name__}: {err}")
        # after every step: the next model switch clears a model's error from the map
        for state in self.window.explorer.models:
            shown = f"{state.display_name}: {state.error}"
            if state.error and shown not in self.map_errors:
                self.map_errors.append(shown)

    def drag(self) -> None:
        from gui_latency import measure_decode

        result = measure_decode(self.window, self.spin, DRAG_MOVES)
        now = time.perf_counter() - self.t0
        self.latencies += [(now, value) for value in result["latencies_ms"]]
        self.counts["drag_moves"] += result["measured"]
        if result["missed"]:
            raise RuntimeError(f"{result['missed']} of {result['moves']} drag moves were never painted")

    def hover(self) -> None:
        from PySide6.QtTest import QTest

        encoded = self.window.model.encoded
        if encoded is None:
            return
        latent_map = self.window.latent_map
        rows = np.random.default_rng(self.counts["cycles"]).choice(len(encoded), HOVERS, replace=False)
        for row in rows:
            x, y = map(float, encoded.z[row, :2])
            QTest.mouseMove(latent_map.viewport(), latent_map.view_to_widget(x, y))
            self.spin.sleep(HOVER_DWELL_S)
            self.counts["hovers"] += 1

    def switch_model(self) -> None:
        from gaerchen_gui.gui.actions import ActionKey

        key = ActionKey.SHOW_VAE if self.window.model.source == "ae" else ActionKey.SHOW_AE
        self.window.actions[key].trigger()
        self.counts["model_switches"] += 1
        if not self.spin.until(lambda: self.window.model.encoded is not None, SWITCH_TIMEOUT_S, poll_ms=10):
            raise RuntimeError(f"no map {SWITCH_TIMEOUT_S:.0f} s after switching to {key.value}")

    def keep_training(self) -> None:
        runner = self.panel.runner
        if runner.is_running:
            if self.runs % STOP_EVERY == 0 and time.perf_counter() - self.run_started > STOP_AFTER_S:
                self.panel.stop_button.click()
            return
        if not self.panel.start():
            raise RuntimeError(f"the training panel did not start: {self.panel.message.text()}")
        self.run_started = time.perf_counter()
        self.runs += 1
        self.counts["training_runs"] += 1

    def cycle(self) -> None:
        self.step("drag", self.drag)
        self.step("hover", self.hover)
        self.step("switch", self.switch_model)
        self.step("training", self.keep_training)
        self.counts["cycles"] += 1
        self.rss.append((time.perf_counter() - self.t0, rss_mb()))


def between(samples: list[tuple[float, float]], start: float, end: float) -> list[float]:
    return [value for t, value in samples if start <= t <= end]


def p95(values: list[float]) -> float | None:
    from gui_latency import percentile

    return None if not values else round(percentile(values, 95), 2)


def run_child(minutes: float, without: list[str]) -> dict:
    from PySide6.QtCore import qInstallMessageHandler

    from gaerchen_gui.gui.app import close_window, create_application
    from gaerchen_gui.gui.process_tuning import Tuning

    create_application([sys.argv[0], "--soak"], tuning=Tuning().without(*without))
    import tempfile

    from gui_latency import Spinner, cpu_name

    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.gui.actions import ActionKey
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.self_test import ErrorWatch, quiet_offscreen, wait_until
    from gaerchen_gui.gui.settings import Settings

    uncaught: list[str] = []
    sys.excepthook = lambda kind, value, tb: uncaught.append("".join(traceback.format_exception(kind, value, tb)))
    threading.excepthook = lambda args: uncaught.append(
        f"{args.thread.name}: {args.exc_type.__name__}: {args.exc_value}"
    )
    previous_handler = qInstallMessageHandler(None)
    qInstallMessageHandler(quiet_offscreen(previous_handler))
    rss_open = rss_mb()
    with tempfile.TemporaryDirectory(prefix="gaerchen-soak-") as tmp:
        window = ExplorerWindow(settings=Settings.in_file(Path(tmp) / "settings.ini"), seed=0)
        window.ask_before_closing = False
        watch = ErrorWatch(window)
        window.show()
        try:
            spin = Spinner()
            window.show_shipped("ae", quiet=True)
            wait_until(lambda: window.map_ready, WARM_UP_TIMEOUT_S, "the AE's latent map")
            window.actions[ActionKey.SHOW_TRAINING].trigger()
            window.training_panel.apply_config(TrainConfig.book("vae", epochs=1, batch_size=100, limit=6_000))
            window.training_panel.val_limit = 1_000
            soak = Soak(window, spin, watch)
            # Warm-up, not measured: cycles until a second training run has started, so that both maps are
            # encoded and cached and the training images loaded once, as in any window used for a while.
            warm_until = time.perf_counter() + WARM_UP_TIMEOUT_S
            while soak.runs < 2 and time.perf_counter() < warm_until:
                soak.cycle()
            soak.start_measuring()
            while time.perf_counter() - soak.t0 < minutes * 60:
                soak.cycle()
            elapsed = time.perf_counter() - soak.t0
        finally:
            panel = window.training_panel
            if panel.runner.is_running:
                panel.runner.stop()
                spin.until(lambda: not panel.runner.is_running, 60.0)
            watch.stop()
            close_window(window)
            qInstallMessageHandler(previous_handler)
    errors_shown = watch.dialogs + soak.map_errors
    last_minute = max(0.0, elapsed - 60.0)
    rss_start, rss_end = min(between(soak.rss, 0.0, 60.0)), min(between(soak.rss, last_minute, elapsed))
    floors = [min(between(soak.rss, m * 60.0, (m + 1) * 60.0) or [math.nan]) for m in range(max(1, int(elapsed // 60)))]
    return {
        "minutes": round(elapsed / 60, 2),
        "crashes": len(uncaught) + len(errors_shown),
        "uncaught": uncaught[:KEPT_MESSAGES],
        "errors_shown": errors_shown[:KEPT_MESSAGES],
        "rss_open_mb": rss_open,
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "rss_growth": round(rss_end / rss_start - 1, 4),
        "rss_mb": [m for m in floors if not math.isnan(m)],
        "rss_peak_mb": max(mb for _, mb in soak.rss),
        "decode_p95_ms_first_minute": p95(between(soak.latencies, 0.0, 60.0)),
        "decode_p95_ms_last_minute": p95(between(soak.latencies, last_minute, elapsed)),
        **soak.counts,
        "driver_errors": soak.driver_error_count,
        "driver_error_messages": soak.driver_errors,
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to soak after the warm-up")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--without", nargs="+", default=[], metavar="SWITCH", help="process tuning switches to leave off (A/B)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the process that drives
    args = parser.parse_args()
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    sys.path.insert(0, str(HERE))  # gui_latency.py beside this file
    if args.child:
        import faulthandler

        faulthandler.enable(all_threads=True)  # a segfault prints every thread's Python stack to stderr_tail
        print(json.dumps(run_child(args.minutes, args.without) | {"tuning_off": args.without}), flush=True)
        return 0
    env = dict(os.environ)
    if not any(env.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--minutes", str(args.minutes)]
        + (["--without", *args.without] if args.without else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = child.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"crashes": 0, "child_output": child.stdout[-2000:]}
    if child.returncode != 0:  # a crash of the window's process: a Python error or a signal (negative)
        result["crashes"] += 1
        result["stderr_tail"] = child.stderr[-3000:]
    result["exit_code"] = child.returncode
    result["benchmark_s"] = round(time.perf_counter() - started, 1)
    print_result(result, args.json)
    return 0 if result["crashes"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
