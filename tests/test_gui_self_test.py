"""``run_self_test()`` on the tiny models: in this process (fast, reusing the cached maps) and as a
separate process, the way ``gaerchen --self-test`` runs, which also checks it exits cleanly."""

# ruff: noqa: F811 - pytest fixtures imported from test_gui_support are redefined as arguments

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_gui_support import make_window, tiny_models, window  # noqa: F401 - fixtures


def test_self_test_passes_in_process(qtbot, window, tiny_models, monkeypatch, capsys):
    from gaerchen_gui.gui.self_test import run_self_test

    window.show_shipped("vae")  # encode the VAE here too, so the self-test's window finds both in the cache
    qtbot.waitUntil(lambda: window.map_ready, timeout=120_000)
    assert run_self_test() == 0
    out = capsys.readouterr().out
    assert out.startswith("gaerchen self-test passed:") and "120 positions" in out


@pytest.mark.skipif(os.environ.get("GAERCHEN_SKIP_SLOW") == "1", reason="GAERCHEN_SKIP_SLOW=1")
def test_self_test_passes_as_a_process(tiny_models):
    env = {**os.environ, "GAERCHEN_MODELS_DIR": str(tiny_models), "QT_QPA_PLATFORM": "offscreen"}
    code = "import sys; from gaerchen_gui.gui.self_test import run_self_test; sys.exit(run_self_test())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gaerchen self-test passed:")
