"""The decode worker's TorchScript decoder: same images as the model, private weights, eager fallback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gaerchen_gui.core.models import build_model
from gaerchen_gui.gui.decode_worker import TracedDecoder


def model(kind: str, seed: int):
    torch.manual_seed(seed)
    return build_model(kind, 2).eval()


@pytest.mark.parametrize("batch", [1, 7, 400])
def test_the_traced_decoder_paints_what_the_model_paints(batch):
    ae, vae = model("ae", 0), model("vae", 1)
    traced = TracedDecoder(ae)
    z = torch.randn(batch, 2) * 3
    with torch.inference_mode():
        torch.testing.assert_close(traced(z), ae.decode(z), atol=1e-5, rtol=1e-5)
        traced.load(vae)  # another model's weights, same shapes
        torch.testing.assert_close(traced(z), vae.decode(z), atol=1e-5, rtol=1e-5)


def test_loading_weights_never_writes_into_a_model():
    ae, vae = model("ae", 0), model("vae", 1)
    before = {k: v.clone() for k, v in ae.decoder.state_dict().items()}
    traced = TracedDecoder(ae)
    traced.load(vae)
    for key, value in ae.decoder.state_dict().items():
        torch.testing.assert_close(value, before[key], atol=0, rtol=0)


def test_the_worker_decodes_eagerly_at_first_then_with_the_traced_copy_built_while_idle(qtbot, worker, monkeypatch):
    worker, results = worker
    ae, vae = model("ae", 0), model("vae", 1)
    worker.set_model(ae)
    z = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    worker.request("samples", z)  # right away: no tracing in the way of the first decodes
    qtbot.waitUntil(lambda: len(results) == 1, timeout=30_000)
    assert not worker.is_traced
    qtbot.waitUntil(lambda: worker.is_traced, timeout=30_000)  # built after half a second idle
    with torch.inference_mode():
        expected = [m.decode(torch.from_numpy(z)).numpy()[:, 0] for m in (ae, vae)]
    eager_calls = []
    monkeypatch.setattr(vae, "decode", lambda *args: eager_calls.append(args))  # the traced copy must not need it
    worker.set_model(vae)
    worker.request("samples", z)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=30_000)
    np.testing.assert_allclose(results[0].images, expected[0], atol=1e-5)
    np.testing.assert_allclose(results[1].images, expected[1], atol=1e-5)  # the traced copy took vae's weights
    assert not eager_calls and worker.is_traced


def test_if_tracing_fails_the_worker_decodes_eagerly(qtbot, worker, monkeypatch):
    def broken_trace(*args, **kwargs):
        raise RuntimeError("TorchScript is gone")

    monkeypatch.setattr(torch.jit, "trace", broken_trace)
    worker, results = worker
    ae = model("ae", 0)
    worker.set_model(ae)
    z = np.array([[1.0, 1.0]], np.float32)
    qtbot.waitUntil(lambda: worker.fast_path_ready, timeout=30_000)  # tracing was tried, and failed
    assert not worker.is_traced
    worker.request("cursor", z)
    qtbot.waitUntil(lambda: len(results) == 1, timeout=30_000)
    with torch.inference_mode():
        expected = ae.decode(torch.from_numpy(z)).numpy()[:, 0]
    np.testing.assert_allclose(results[0].images, expected, atol=1e-6)
    assert not worker.is_traced
