"""``benchmarks/frame_recording.py``, ``benchmarks/timelapse_export.py`` and ``benchmarks/scrub_fps.py``
with ``--json --quick`` run to the end and report every figure (speeds are not asserted: the machine may be
busy with other work)."""

from __future__ import annotations

import math

import pytest
from benchmark_support import run_quick


@pytest.mark.parametrize(
    ("script", "positive"),
    [
        (
            "frame_recording.py",
            ("frames", "img_s_recording", "img_s_not_recording", "cost_share_recorder_clock", "book_ae_frames"),
        ),
        ("timelapse_export.py", ("draw_s", "gif_write_s", "gif_total_s", "gif_mb", "mp4_write_s")),
        ("scrub_fps.py", ("scrub_fps", "static_fps", "live_update_fps", "playback_fps")),
    ],
)
def test_quick_run_reports_every_figure(script, positive):
    result = run_quick(script)
    for key in positive:
        value = result[key]
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (key, value)
    if script == "frame_recording.py":
        assert math.isfinite(result["cost_share_wall"]) and 0 < result["book_ae_frames"] <= 200
    elif script == "scrub_fps.py":  # every scrubbed frame was really drawn: 20 frames, 3 rounds
        assert (result["frames"], result["points"], result["frames_rasterised"]) == (20, 2000, 60)
    else:
        assert (result["frames"], result["side"]) == (20, 128)
