"""LoudWorker: whatever a job raises, RuntimeError included, arrives on ``errored``; error_text reads it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from gaerchen_gui.core.checkpoints import CheckpointError
from gaerchen_gui.core.data import DatasetError
from gaerchen_gui.gui.workers import LoudWorker, error_text


def job(error: Exception | None):
    yield 0.5
    if error is not None:
        raise error
    return "done"


@pytest.mark.parametrize(
    "error",
    [RuntimeError("mat1 and mat2 shapes cannot be multiplied"), DatasetError("file not found"), KeyError("z")],
)
def test_every_exception_of_the_job_reaches_errored_as_it_was_raised(qtbot, error):
    worker = LoudWorker(job, error)
    returned = []
    worker.returned.connect(returned.append)
    with qtbot.waitSignal(worker.errored, timeout=10_000) as caught:
        worker.start()
    assert caught.args[0] is error
    qtbot.waitUntil(lambda: not worker.is_running)
    assert not returned


def test_a_job_that_ends_well_yields_and_returns_in_its_own_pool(qtbot):
    pool = QThreadPool()
    worker = LoudWorker(job, None)
    yielded, errors = [], []
    worker.yielded.connect(yielded.append)
    worker.errored.connect(errors.append)
    with qtbot.waitSignal(worker.returned, timeout=10_000) as caught:
        pool.start(worker)
    assert caught.args == ["done"] and yielded == [0.5] and not errors
    pool.waitForDone(5_000)


def test_only_generator_functions_are_run():
    with pytest.raises(TypeError):
        LoudWorker(lambda: 1)


def test_error_text_shows_gaerchen_s_messages_as_written_and_names_any_other_exception():
    assert error_text(DatasetError("Fashion-MNIST file not found: x")) == "Fashion-MNIST file not found: x"
    assert error_text(CheckpointError("not a checkpoint")) == "not a checkpoint"
    assert error_text(RuntimeError("out of memory")) == "RuntimeError: out of memory"
    assert error_text(KeyError("z")) == "KeyError: 'z'"
    assert error_text(ValueError()) == "ValueError"
