"""``benchmarks/draw_to_pin.py`` runs to the end with real mouse events and reports every figure (speeds
are not asserted: the machine may be busy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "draw_to_pin.py"
FIGURES = ("stroke_to_pin_p50_ms", "stroke_to_pin_p95_ms", "core_place_p95_ms", "gui_thread_per_move_p95_ms")


def test_draw_to_pin_reports_its_figures():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--moves", "20", "--json"], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["missed"] == 0 and result["moves"] == 20
    assert all(result[name] > 0 for name in FIGURES)
