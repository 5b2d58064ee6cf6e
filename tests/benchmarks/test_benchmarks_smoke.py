"""``benchmarks/gui_latency.py --json --quick`` runs to the end and reports every figure.

Only that the figures exist and are positive numbers: speeds are never asserted
(the machine may be busy with other work). Runs as a separate process, the way
the benchmark is used, which also checks that it exits cleanly (code 0).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gui_latency.py"

POSITIVE = (
    "decode_p50_ms",
    "decode_p95_ms",
    "decode_model_ms",
    "scatter_fps_70k",
    "scatter_fps_10k",
    "startup_s",
    "bare_import_s",
    "startup_ratio",
    "threads",
)
TRAINING = (
    "train_img_s_gui",
    "train_img_s_cli",
    "train_gui_ratio",
    "event_loop_p95_ms_training",
    "decode_p95_ms_training",
    "live_map_lag_p95_s",
    "live_map_first_update_s",
    "stop_training_s",
    "stop_training_s_busy",
)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_gui_latency_quick_reports_every_figure():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout[-3000:]  # one JSON object, nothing else on stdout
    result = json.loads(lines[0])

    for key in POSITIVE:
        assert is_number(result.get(key)) and result[key] > 0, (key, result.get(key))
    # event-loop lateness can be exactly 0 on an idle GUI; counts can be 0
    assert is_number(result["event_loop_p95_ms_idle"]) and result["event_loop_p95_ms_idle"] >= 0
    for key in ("decode_dropped", "decode_missed"):
        assert isinstance(result[key], int) and result[key] >= 0, (key, result[key])
    assert result["decode_moves"] > 0 and result["scatter_points"] == [10_000, 70_000]
    assert set(result["decode_breakdown_p50_ms"]) == {"handle", "decoder", "deliver", "paint"}
    assert isinstance(result["cpu"], str) and result["cpu"]
    assert isinstance(result["torch"], str) and result["torch"]

    # Training is measured when the window has a training panel; otherwise the keys are null, with a note.
    for key in TRAINING:
        assert key in result, key
    if all(result[key] is None for key in TRAINING):
        assert result["training_note"]
    else:
        for key in TRAINING:
            value = result[key]
            if key in ("event_loop_p95_ms_training", "live_map_lag_p95_s"):  # 0 if the map kept up
                assert is_number(value) and value >= 0, (key, value)
            else:
                assert is_number(value) and value > 0, (key, value)
        assert result["stop_training_message"] is False  # "the training thread did not stop in time"


TRAIN_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_throughput.py"


def test_train_throughput_reports_speeds_precision_and_quality():
    """A tiny run: every figure present, the precision ``auto`` chose named with the flags behind it."""
    done = subprocess.run(
        [
            sys.executable,
            str(TRAIN_SCRIPT),
            "--json",
            "--rounds",
            "1",
            "--steps",
            "2",
            "--quality",
            "--quality-steps",
            "2",
            "--ceiling",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("reference_img_s", "gaerchen_img_s", "gaerchen_fp32_img_s", "ratio", "fp32_ratio", "bare_loop_img_s"):
        assert is_number(result[key]) and result[key] > 0, (key, result[key])
    assert result["precision_auto"] == ("bf16" if result["cpu_bf16_flags"] else "fp32")
    assert isinstance(result["cpu"], str) and result["cpu"]
    quality = result["quality"]
    for precision in {"fp32", result["precision_auto"]}:
        assert 0 < quality[f"{precision}_test_bce"] < 0.8, quality


SOAK_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def test_soak_runs_briefly_without_crashes_and_reports_every_figure():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(SOAK_SCRIPT), "--minutes", "0.2", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(lines[0])
    assert done.returncode == 0 and result["crashes"] == 0, result
    assert result["exit_code"] == 0 and result["uncaught"] == [] and result["errors_shown"] == []
    for key in ("rss_open_mb", "rss_start_mb", "rss_end_mb", "decode_p95_ms_first_minute", "decode_p95_ms_last_minute"):
        assert is_number(result[key]) and result[key] > 0, (key, result[key])
    assert is_number(result["rss_growth"]) and len(result["rss_mb"]) >= 1 and result["rss_peak_mb"] > 0
    for key in ("cycles", "drag_moves", "hovers", "model_switches"):
        assert isinstance(result[key], int) and result[key] > 0, (key, result[key])
    assert isinstance(result["training_runs"], int) and isinstance(result["driver_errors"], int)
    assert result["minutes"] >= 0.2
