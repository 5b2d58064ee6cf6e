"""The one way the GUI runs a generator in a worker thread: every exception reaches ``errored``.

superqt's :class:`GeneratorWorker` treats a ``RuntimeError`` raised inside the
generator as "the worker object was deleted": it only issues a warning, and
neither ``errored`` nor ``returned`` is emitted. But a ``RuntimeError`` is what
torch raises for most failures (a shape mismatch, out of memory), and it was
what ``DatasetError`` derived from: a missing data file left the map on
"Loading..." forever. :class:`LoudWorker` carries every exception of the job
past that check in a wrapper and raises the original again, so ``errored``
receives it whatever its class. Only exceptions of the job are carried: a
``RuntimeError`` from superqt's own signal emission (a deleted worker) keeps its
meaning.

:func:`error_text` is the one rule for how such an exception reads in a dialog
or a panel.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, QThreadPool
from superqt.utils import GeneratorWorker


class _Carried(Exception):
    """An exception of the job, wrapped so that superqt cannot mistake it for a deleted worker."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _carrying(func: Callable[..., Generator], *args, **kwargs) -> Generator:
    try:
        return (yield from func(*args, **kwargs))
    except Exception as err:  # GeneratorExit (the worker dropped) is a BaseException: not carried
        raise _Carried(err) from err


class LoudWorker(GeneratorWorker):
    """A :class:`GeneratorWorker` of ``func(*args, **kwargs)`` whose ``errored`` gets every exception
    the generator raises. Start it with ``start()`` (the global pool) or ``some_pool.start(worker)``."""

    def __init__(self, func: Callable[..., Generator], *args, **kwargs) -> None:
        if not inspect.isgeneratorfunction(func):
            raise TypeError(f"LoudWorker runs generator functions, not {func!r}")
        super().__init__(_carrying, func, *args, **kwargs)

    def work(self):
        try:
            return super().work()
        except _Carried as carried:
            # WorkerBase.run() emits ``errored`` for an exception raised here, RuntimeError included
            # (it only ignores one *returned* by work()).
            raise carried.error from None


def error_text(error: BaseException) -> str:
    """How a worker's exception reads for a person.

    Gaerchen's own exceptions (DatasetError, CheckpointError, ConfigError...) carry messages written
    for people, shown as they are; any other (torch's, numpy's) is prefixed with its type, since
    "index 3 is out of bounds" alone does not say what went wrong.
    """
    message = str(error).strip()
    if type(error).__module__.startswith("gaerchen_gui.") and message:
        return message
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def one_run_pool(parent: QObject) -> QThreadPool:
    """A pool of one thread that exits when its run ends (expiry 0), for a run that lowers its
    thread's priority (training): an unprivileged process cannot raise it again, so the thread must
    not live on to serve later work, as a shared pool's threads do."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(0)
    return pool
