"""What the sweep view gathers of each checkpoint of a real (tiny) BETA sweep."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.evaluation import embed_all, evaluate
from gaerchen_gui.core.frames import LIVE_SUBSET, probe_points
from gaerchen_gui.core.latent_paths import decode_path
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.sweep_results import (
    SAMPLE_COUNT,
    RunFailed,
    SweepRun,
    folder_problem,
    load_sweep,
    metrics_cache_name,
    sweep_files,
)


def test_only_the_names_a_sweep_writes_are_its_runs(tiny_sweep, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(tiny_sweep, folder)
    for name in ("vae-beta-10.0.pt", "vae-beta-x.pt", "notes.txt", "ae.pt"):
        (folder / name).write_text("not a run")
    (folder / "vae-beta-7.pt").mkdir()
    assert [(b, p.name) for b, p in sweep_files(folder)] == [
        (1.0, "vae-beta-1.pt"),
        (100.0, "vae-beta-100.pt"),
        (2000.0, "vae-beta-2000.pt"),
    ]
    assert folder_problem(folder) is None
    assert folder_problem(folder / "notes.txt") == f"{folder / 'notes.txt'} is not a folder."
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no sweep checkpoints (files named like vae-beta-500.pt" in folder_problem(empty)


def test_each_run_brings_its_stored_metrics_its_map_and_its_samples(tiny_sweep, test_set):
    runs = list(load_sweep(sweep_files(tiny_sweep), lambda: test_set))
    assert [run.beta for run in runs] == [1.0, 100.0, 2000.0] and all(isinstance(r, SweepRun) for r in runs)
    for run in runs:
        checkpoint = load_checkpoint(run.path)
        assert not run.measured and (run.bce, run.kl) == (
            checkpoint.test_metrics["bce"],
            checkpoint.test_metrics["kl"],
        )
        model = checkpoint.model
        np.testing.assert_allclose(run.points, embed_all(model, test_set.images[LIVE_SUBSET]).numpy(), atol=1e-6)
        np.testing.assert_array_equal(run.labels, test_set.labels[LIVE_SUBSET].numpy())
        with torch.inference_mode():
            samples = decode_path(model, probe_points(2, SAMPLE_COUNT)).numpy()
        assert run.samples.shape == (SAMPLE_COUNT, 32, 32)
        np.testing.assert_allclose(run.samples, samples, atol=1e-6)
    # the trade-off BETA buys: more reconstruction weight, more KL
    assert runs[0].kl < runs[-1].kl


def test_a_run_without_stored_metrics_is_measured_once_and_cached(tiny_sweep, test_set, tmp_path):
    checkpoint = load_checkpoint(tiny_sweep / "vae-beta-100.pt")
    meta = make_metadata(checkpoint.model, config=checkpoint.metadata["config"])  # no test metrics: a stopped run
    path = save_checkpoint(tmp_path / "vae-beta-100.pt", checkpoint.model, meta)
    digest = load_checkpoint(path).digest
    assert disk_cache.read_array(metrics_cache_name(digest)) is None
    (run,) = load_sweep(sweep_files(tmp_path), lambda: test_set)
    expected = evaluate(checkpoint.model, test_set.images, beta=100.0)
    assert run.measured and run.bce == pytest.approx(expected["bce"]) and run.kl == pytest.approx(expected["kl"])
    np.testing.assert_allclose(disk_cache.read_array(metrics_cache_name(digest)), [run.bce, run.kl])
    # read back from the cache: the same numbers without a pass over the test set
    (again,) = load_sweep(sweep_files(tmp_path), lambda: test_set)
    assert (again.bce, again.kl, again.measured) == (run.bce, run.kl, True)


def test_files_it_cannot_show_are_reported_and_the_others_load(tiny_sweep, test_set, tmp_path):
    shutil.copy(tiny_sweep / "vae-beta-1.pt", tmp_path / "vae-beta-1.pt")
    (tmp_path / "vae-beta-5.pt").write_bytes(b"\x00" * 100)
    ae = build_model("ae", 2)
    save_checkpoint(tmp_path / "vae-beta-50.pt", ae, make_metadata(ae))
    results = list(load_sweep(sweep_files(tmp_path), lambda: test_set))
    assert isinstance(results[0], SweepRun) and results[0].beta == 1.0
    assert isinstance(results[1], RunFailed) and "vae-beta-5.pt is not a Gaerchen checkpoint" in results[1].message
    assert results[2] == RunFailed(
        tmp_path / "vae-beta-50.pt", "vae-beta-50.pt is an AE, not a VAE: a sweep's runs are VAEs."
    )


def test_loading_stops_when_asked(tiny_sweep, test_set):
    assert list(load_sweep(sweep_files(tiny_sweep), lambda: test_set, should_stop=lambda: True)) == []
