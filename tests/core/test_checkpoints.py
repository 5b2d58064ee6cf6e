import io
import os
import pickle
import zipfile

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaerchen_gui.core.checkpoints import CheckpointError, load_checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.training import TrainingHistory


def saved(tmp_path, kind="vae", latent_dim=2, name="model.pt"):
    torch.manual_seed(0)
    model = build_model(kind, latent_dim)
    history = TrainingHistory(steps=[[1.0, 3.0, 2.5, 0.5]], epochs=[{"epoch": 1, "val_bce": 0.3}])
    meta = make_metadata(
        model,
        config={"beta": 250.0, "lr": 3e-4, "batch_size": 100},
        epochs_trained=7,
        test_metrics={"bce": 0.26, "kl": 5.0},
        history=history,
    )
    return save_checkpoint(tmp_path / name, model, meta), model


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory):
    path, _ = saved(tmp_path_factory.mktemp("ckpt"), kind="ae")
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_round_trip_keeps_weights_and_metadata(tmp_path, kind):
    path, model = saved(tmp_path, kind=kind, latent_dim=3)
    loaded = load_checkpoint(path)
    assert loaded.kind == kind and loaded.model.latent_dim == 3
    z = torch.randn(4, 3)
    assert torch.equal(loaded.model.decode(z), model.eval().decode(z))
    meta = loaded.metadata
    assert meta["epochs_trained"] == 7 and meta["optimizer"]["lr"] == 3e-4
    assert meta["beta"] == (250.0 if kind == "vae" else None)
    assert loaded.test_metrics == {"bce": 0.26, "kl": 5.0}
    assert loaded.history.steps == [[1.0, 3.0, 2.5, 0.5]] and loaded.history.epochs[0]["val_bce"] == 0.3
    assert meta["gaerchen_version"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path, _ = saved(tmp_path)
    before = path.read_bytes()
    import gaerchen_gui.core.checkpoints as checkpoints

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoints.os, "fsync", explode)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, build_model("ae"), make_metadata(build_model("ae")))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]  # no temp file left behind


def expect_clear_error(path, *words):
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path)
    message = str(err.value)
    assert path.name in message
    for word in words:
        assert word in message
    assert "Traceback" not in message
    return message


def test_missing_empty_text_and_folder(tmp_path):
    expect_clear_error(tmp_path / "nope.pt", "no such file")
    (tmp_path / "empty.pt").write_bytes(b"")
    expect_clear_error(tmp_path / "empty.pt", "empty")
    (tmp_path / "notes.pt").write_text("hello, I am a text file\n")
    expect_clear_error(tmp_path / "notes.pt", "not a Gaerchen checkpoint")
    (tmp_path / "dir.pt").mkdir()
    expect_clear_error(tmp_path / "dir.pt", "folder")


def test_foreign_pytorch_file(tmp_path):
    torch.save({"weight": torch.zeros(3)}, tmp_path / "other.pt")
    expect_clear_error(tmp_path / "other.pt", "not a Gaerchen checkpoint")
    torch.save(build_model("ae").state_dict(), tmp_path / "bare_state_dict.pt")
    expect_clear_error(tmp_path / "bare_state_dict.pt", "not a Gaerchen checkpoint")


def test_wrong_shapes_are_reported(tmp_path):
    model = build_model("ae", 2)
    meta = make_metadata(model)
    meta["latent_dim"] = 3  # the header says 3-D, the weights are 2-D
    save_checkpoint(tmp_path / "mismatch.pt", model, meta)
    expect_clear_error(tmp_path / "mismatch.pt", "do not fit")
    meta = make_metadata(model)
    meta["model"] = "gan"
    save_checkpoint(tmp_path / "kind.pt", model, meta)
    expect_clear_error(tmp_path / "kind.pt", "unknown model kind")


class RunsCode:
    def __reduce__(self):
        import os

        return (os.system, ("touch PWNED_BY_CHECKPOINT",))


def _with_trailer(body: bytes) -> bytes:
    import hashlib

    from gaerchen_gui.core.checkpoints import MAGIC

    return body + hashlib.sha256(body).digest() + MAGIC


def test_pickle_payload_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # a plain pickled torch file with a code-running object
    torch.save({"format": "gaerchen-checkpoint", "evil": RunsCode()}, tmp_path / "plain.pt")
    expect_clear_error(tmp_path / "plain.pt")
    # the same payload dressed with a valid Gaerchen trailer reaches torch.load(weights_only=True)
    buffer = io.BytesIO()
    torch.save({"format": "gaerchen-checkpoint", "format_version": 1, "evil": RunsCode()}, buffer)
    (tmp_path / "dressed.pt").write_bytes(_with_trailer(buffer.getvalue()))
    expect_clear_error(tmp_path / "dressed.pt", "refuses")
    # and a raw pickle stream
    (tmp_path / "raw.pt").write_bytes(_with_trailer(pickle.dumps(RunsCode())))
    expect_clear_error(tmp_path / "raw.pt")
    assert not (tmp_path / "PWNED_BY_CHECKPOINT").exists()


def test_plain_torch_load_still_opens_a_checkpoint(tmp_path):
    path, _ = saved(tmp_path)
    payload = torch.load(path, weights_only=True)  # zip readers ignore the trailer
    assert payload["format"] == "gaerchen-checkpoint"
    assert zipfile.is_zipfile(path)


def test_nan_weights_are_refused(tmp_path):
    model = build_model("ae")
    with torch.no_grad():
        model.decoder.layers[0].weight[0, 0] = float("nan")
    save_checkpoint(tmp_path / "nan.pt", model, make_metadata(model))
    expect_clear_error(tmp_path / "nan.pt", "NaN")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_truncation_gives_the_clear_error(tmp_path, good_bytes, data):
    cut = data.draw(st.integers(1, len(good_bytes) - 1))
    path = tmp_path / "cut.pt"
    path.write_bytes(good_bytes[:cut])
    expect_clear_error(path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_byte_flips_give_the_clear_error(tmp_path, good_bytes, data):
    damaged = bytearray(good_bytes)
    flips = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(damaged) - 1), st.integers(1, 255)),
            min_size=1,
            max_size=4,
            unique_by=lambda flip: flip[0],
        )
    )
    for index, mask in flips:
        damaged[index] ^= mask
    path = tmp_path / "flipped.pt"
    path.write_bytes(bytes(damaged))
    expect_clear_error(path)


@pytest.mark.parametrize(
    ("stored_steps", "expected"),
    [
        ([[1, 3.0, 2.5, 0.5], [2, 2.0, 1.5, 0.5]], [[1.0, 3.0, 2.5, 0.5], [2.0, 2.0, 1.5, 0.5]]),  # earlier files
        (torch.tensor([[1.0, 3.0, 2.5, 0.5]], dtype=torch.float64), [[1.0, 3.0, 2.5, 0.5]]),  # this version's
        (torch.zeros(3, 5), []),  # a steps table of the wrong shape: the weights load, without curves
        # millions of rows that all share one stored number (stride 0): refused, not listed
        (torch.zeros(1, dtype=torch.float64).expand(4_000_000).reshape(-1, 4), []),
    ],
)
def test_history_loads_from_lists_and_tensors(tmp_path, stored_steps, expected):
    model = build_model("ae")
    meta = make_metadata(model, config={}, epochs_trained=1)
    meta["history"] = {"steps": stored_steps, "epochs": []}
    loaded = load_checkpoint(save_checkpoint(tmp_path / "m.pt", model, meta))
    assert loaded.history.steps == expected


def test_history_is_stored_as_one_tensor(tmp_path):
    path, _ = saved(tmp_path)
    steps = torch.load(path, weights_only=True)["metadata"]["history"]["steps"]
    assert isinstance(steps, torch.Tensor) and steps.shape == (1, 4) and steps.dtype == torch.float64


def _dressed(tmp_path, name, state=None, **save_kwargs):
    """A Gaerchen payload written by plain torch.save (with ``save_kwargs``), with a valid trailer."""
    model = build_model("ae")
    payload = {"format": "gaerchen-checkpoint", "format_version": 1, "metadata": make_metadata(model),
               "state_dict": state if state is not None else model.state_dict()}  # fmt: skip
    buffer = io.BytesIO()
    torch.save(payload, buffer, **save_kwargs)
    path = tmp_path / name
    path.write_bytes(_with_trailer(buffer.getvalue()))
    return path


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64, torch.float16])
def test_weights_of_another_dtype_are_refused_not_cast(tmp_path, dtype):
    state = build_model("ae").state_dict()
    state["decoder.layers.0.weight"] = torch.ones_like(state["decoder.layers.0.weight"], dtype=dtype)
    path = _dressed(tmp_path, "typed.pt", state)
    message = expect_clear_error(path, "decoder.layers.0.weight", str(dtype).removeprefix("torch."), "float32")
    assert "\n" not in message


def test_a_pickle_protocol_4_file_is_refused_without_torch_warnings(tmp_path, recwarn):
    path = _dressed(tmp_path, "protocol4.pt", pickle_protocol=4)
    expect_clear_error(path, "pickle format")
    assert [str(w.message) for w in recwarn] == []
