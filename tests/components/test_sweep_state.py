"""The sweep view's state, without a display: runs in BETA's order, latest wins, what the status says."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gaerchen_gui.components.sweep_state import SweepState
from gaerchen_gui.core.sweep_results import RunFailed, SweepRun


def run(beta: float, kl: float, bce: float) -> SweepRun:
    empty = np.zeros((0, 2), np.float32)
    return SweepRun(Path(f"vae-beta-{beta:g}.pt"), beta, 2, bce, kl, False, empty, np.zeros(0), np.zeros((0, 32, 32)))


def test_runs_arrive_in_any_order_and_are_kept_by_beta():
    state = SweepState()
    added, statuses = [], []
    state.run_added.connect(added.append)
    state.status_changed.connect(statuses.append)
    ticket = state.start(Path("sweep"), 4)
    assert statuses == ["Loading 4 checkpoints…"]
    for r in (run(100, 3.0, 0.30), run(1, 0.01, 0.40), run(2000, 9.0, 0.25)):
        assert state.add(r, ticket)
    assert state.add(RunFailed(Path("vae-beta-5.pt"), "vae-beta-5.pt is damaged"), ticket)
    assert [r.beta for r in state.runs] == [1, 100, 2000] and [r.beta for r in added] == [100, 1, 2000]
    assert statuses[1:] == [
        "Loading 2 of 4…",
        "Loading 3 of 4…",
        "Loading 4 of 4…",
        "3 VAEs, BETA 1 to 2000; 1 file(s) could not be shown",
    ]
    kl, bce, betas = state.curve()
    np.testing.assert_array_equal(kl, [0.01, 3.0, 9.0])
    np.testing.assert_array_equal(bce, [0.40, 0.30, 0.25])
    np.testing.assert_array_equal(betas, [1, 100, 2000])
    assert state.run_of(100).kl == 3.0 and state.run_of(7) is None


def test_a_newer_folder_makes_the_older_loads_results_stale():
    state = SweepState()
    old = state.start(Path("old"), 2)
    new = state.start(Path("new"), 1)
    assert not state.add(run(1, 0.1, 0.4), old) and state.runs == []
    state.finish(old, "stopped")
    assert state.status == "Loading 1 checkpoint…"
    assert state.add(run(5, 0.2, 0.3), new) and state.status == "1 VAE, BETA 5"
    state.cancel()
    assert not state.add(run(6, 0.2, 0.3), new)


def test_a_load_that_failed_or_showed_nothing_says_so():
    state = SweepState()
    ticket = state.start(Path("sweep"), 1)
    state.add(RunFailed(Path("vae-beta-1.pt"), "damaged"), ticket)
    assert state.status == "None of the checkpoints could be shown."
    ticket = state.start(Path("sweep"), 2)
    state.finish(ticket, "OutOfMemoryError: out of memory")
    assert state.status == "Loading stopped: OutOfMemoryError: out of memory"
    state.refuse("x is not a folder.")
    assert state.status == "x is not a folder." and state.folder == Path("sweep")
