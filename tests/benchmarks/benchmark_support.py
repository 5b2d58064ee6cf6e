"""Running a benchmark script the way it is used: a separate process, ``--json --quick``, one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run_quick(script: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--json", "--quick"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout[-3000:]  # one JSON object, nothing else on stdout
    return json.loads(lines[0])
