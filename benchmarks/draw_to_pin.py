"""Drawing to pin: how long from a mouse move on the drawing pad to the drawing's pin moved on the map.

Real mouse events (``QTest.mousePress`` / ``mouseMove`` on the pad of an offscreen window
showing a shipped model), spaced like a hand (every 15 ms). For each move, the time from the
event to the pin of *that* drawing drawn on the map (the placement for its version reaches the
map's pin layer; a placement overtaken by the next stroke does not count, and the move counts
as missed if its own never arrives). The goal is p95 <= 16 ms: one frame at 60 Hz.

Baseline, measured in the same run on the same drawings: ``core_place_*_ms``, encoding and
reconstructing the drawing through the core (``place_images``) on the calling thread, with no
window, threads or events: the floor of what the pin can cost. ``gui_thread_per_move_*_ms`` is
the GUI thread's own share of a move (stamping the brush, emitting the drawing, queueing the
encode): what drawing costs the window's responsiveness.

    QT_QPA_PLATFORM=offscreen python benchmarks/draw_to_pin.py [--model vae] [--moves 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MOVE_INTERVAL_S = 0.015  # a hand's mouse reports about every 15 ms
STEP_TIMEOUT_S = 1.0
GOAL_P95_MS = 16.0


def stroke_path(moves: int) -> list[tuple[float, float]]:
    """A looping figure over the pad (in cells), a new position each move."""
    t = np.linspace(0.0, 6 * np.pi, moves)
    return list(zip(14 + 9 * np.sin(t), 14 + 9 * np.sin(2 * t + 0.3), strict=True))


def measure(model_kind: str, moves: int) -> dict:
    from gaerchen_gui.gui.app import close_window, create_application

    create_application([sys.argv[0]])
    sys.path.insert(0, str(HERE))
    from gui_latency import Spinner, cpu_name, percentile
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gaerchen_gui.core.placement import pad_drawing, place_images
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.self_test import wait_until
    from gaerchen_gui.gui.settings import Settings

    with tempfile.TemporaryDirectory(prefix="gaerchen-draw-") as tmp:
        window = ExplorerWindow(settings=Settings.in_file(Path(tmp) / "settings.ini"), seed=0)
        window.ask_before_closing = False
        window.show()
        try:
            spin = Spinner()
            window.show_shipped(model_kind, quiet=True)
            wait_until(lambda: window.map_ready, 300.0, "the latent map")
            window.own_images.show(True)
            spin.sleep(0.5)
            own, state = window.own_images.own, window.model
            layer = window.own_images.layer_of(state)
            pad = window.own_images.panel.pad
            pinned: dict[int, float] = {}  # drawing version -> when its pin was drawn

            def on_placed(placed_state) -> None:  # after the pin layer's own handler (connected earlier)
                if placed_state is state and own.drawing_placement(state) is not None and layer.drawing_xy:
                    pinned.setdefault(own.drawing_version, time.perf_counter())

            own.placed.connect(on_placed)
            path = stroke_path(moves + 1)
            QTest.mousePress(
                pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pad.widget_pos(*path[0]).toPoint()
            )
            spin.until(lambda: own.drawing_version in pinned, STEP_TIMEOUT_S)
            latencies, gui_share, missed, drawings = [], [], 0, []
            next_move = 0.0
            for cell in path[1:]:
                spin.until(lambda next_move=next_move: time.perf_counter() >= next_move, 1.0)
                t_event = time.perf_counter()
                QTest.mouseMove(pad, pad.widget_pos(*cell).toPoint())
                gui_share.append(time.perf_counter() - t_event)
                next_move = t_event + MOVE_INTERVAL_S
                version = own.drawing_version
                drawings.append(own.drawing)
                if spin.until(lambda version=version: version in pinned, STEP_TIMEOUT_S, poll_ms=1):
                    latencies.append(pinned[version] - t_event)
                else:
                    missed += 1
            QTest.mouseRelease(
                pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pad.widget_pos(*path[-1]).toPoint()
            )
            model = state.checkpoint.model
            core = []
            for drawing in drawings:
                start = time.perf_counter()
                place_images(model, drawing if drawing is not None else pad_drawing(np.zeros((28, 28))))
                core.append(time.perf_counter() - start)
        finally:
            close_window(window)

    def ms(values, q):
        value = percentile(values, q)
        return None if value is None else round(1000 * value, 2)

    return {
        "model": model_kind,
        "moves": moves,
        "missed": missed,
        "stroke_to_pin_p50_ms": ms(latencies, 50),
        "stroke_to_pin_p95_ms": ms(latencies, 95),
        "goal_p95_ms": GOAL_P95_MS,
        "core_place_p50_ms": ms(core, 50),
        "core_place_p95_ms": ms(core, 95),
        "gui_thread_per_move_p50_ms": ms(gui_share, 50),
        "gui_thread_per_move_p95_ms": ms(gui_share, 95),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("ae", "vae"), default="vae")
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="one JSON object (the default prints it indented)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = measure(args.model, args.moves)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0 if result["missed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
