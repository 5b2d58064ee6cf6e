"""``run_self_test()`` on the tiny models, in a separate process the way ``gaerchen --self-test`` runs it,
which also checks that the process exits cleanly (a pyqtgraph widget alive at exit can abort it)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_self_test_passes_as_a_process(tiny_models):
    env = {**os.environ, "GAERCHEN_MODELS_DIR": str(tiny_models), "QT_QPA_PLATFORM": "offscreen"}
    code = "import sys; from gaerchen_gui.gui.self_test import run_self_test; sys.exit(run_self_test())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gaerchen self-test passed:")
    assert "120 positions" in lines[0]
