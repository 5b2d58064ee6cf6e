"""What the live VAE diagnostics cost a training run in the window: images/s with the dock open and closed.

The window (offscreen) trains the book VAE (batch 100) from its training panel, ``--segment``
steps a run, in rounds of two runs: one with the VAE Diagnostics dock closed (nothing computed),
one with it open (the live snapshots diagnosed on a worker, within the job's share of the time:
gui/diagnostics_dock.py, LIVE_SHARE). Images/s come from the training thread's own step
timestamps, the first steps of each run left out; the figures are medians over the rounds, so
that a busy neighbour slows both alike. Goal (issue 15): ``cost_share`` <= 0.05.

    python benchmarks/diagnostics_cost.py --json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from report import print_result  # this folder: the script's own directory is on sys.path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the Spinner of gui_latency.py

BATCH = 100
SETTLE_STEPS = 3  # a run's first steps: building the model, the first allocations
GOAL_SHARE = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a short run, for the smoke test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--segment", type=int, default=150, help="training steps measured per run")
    args = parser.parse_args()
    rounds, segment = (1, 15) if args.quick else (args.rounds, args.segment)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a measurement, not a window to look at

    from gaerchen_gui.gui.app import close_window, create_application

    app = create_application([sys.argv[0]])
    from gui_latency import Spinner

    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.settings import Settings

    window = ExplorerWindow(settings=Settings.in_file(Path(tempfile.mkdtemp()) / "settings.ini"), seed=0)
    window.ask_before_closing = False
    window.resize(1400, 900)
    window.show()
    spin = Spinner()
    window.start()
    if not spin.until(lambda: window.map_ready, 300.0):
        raise SystemExit("the window did not show its map")
    panel = window.training_panel
    config = TrainConfig.book("vae", batch_size=BATCH, compile="off", epochs=1, limit=(segment + 20) * BATCH)
    panel.apply_config(config)
    finished: dict[int, float] = {}  # global step -> when the training thread ended it
    passes = {"count": 0}
    panel.runner.step.connect(lambda event: finished.__setitem__(event.global_step, event.finished_at))
    speeds: dict[bool, list[float]] = {True: [], False: []}
    try:
        for _ in range(rounds):
            for dock_open in (False, True):
                window.diagnostics.show(dock_open)
                finished.clear()
                if not panel.start():
                    raise SystemExit(f"the training panel did not start: {panel.message.text()}")
                state = window.model  # the pane the live map (and the diagnostics) follow
                counter = lambda d: passes.__setitem__("count", passes["count"] + (d is not None))  # noqa: E731
                state.diagnostics_changed.connect(counter)
                end = SETTLE_STEPS + segment
                spin.until(lambda end=end: end in finished or not panel.runner.is_running, 900.0, poll_ms=20)
                state.diagnostics_changed.disconnect(counter)
                panel.runner.stop()  # before the epoch's test pass
                spin.until(lambda: not panel.runner.is_running, 60.0, poll_ms=20)
                if end not in finished:
                    raise SystemExit("training ended before the measurement did")
                speeds[dock_open].append(segment * BATCH / (finished[end] - finished[SETTLE_STEPS]))
    finally:
        panel.runner.stop()
        spin.until(lambda: not panel.runner.is_running, 60.0, poll_ms=20)
        close_window(window)
        app.processEvents()
    on, off = statistics.median(speeds[True]), statistics.median(speeds[False])
    result = {
        "rounds": rounds,
        "steps_per_segment": segment,
        "img_s_diagnostics_open": round(on, 1),
        "img_s_diagnostics_closed": round(off, 1),
        "img_s_open_per_round": [round(s, 1) for s in speeds[True]],
        "img_s_closed_per_round": [round(s, 1) for s in speeds[False]],
        "cost_share": round(1 - on / off, 4),  # noisy on a shared machine: can even be negative
        "diagnostics_passes": passes["count"],  # live passes delivered, over all the runs with the dock open
        "goal_met": 1 - on / off <= GOAL_SHARE,
    }
    print_result(result, args.json)


if __name__ == "__main__":
    main()
