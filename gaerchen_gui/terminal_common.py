"""What every long command-line run shares: Ctrl-C handling, a progress bar, exit codes."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from tqdm import tqdm

# How a run ended, as the shell sees it: 130 is the convention for "stopped by Ctrl-C".
EXIT_CODES = {"finished": 0, "cancelled": 130, "non_finite": 1}


class Cancellable(Protocol):
    def cancel(self) -> None: ...


@contextmanager
def first_ctrl_c_cancels(control: Cancellable) -> Iterator[None]:
    """The first Ctrl-C asks ``control`` to stop (the run ends after its current step and keeps
    what it has); a second one raises KeyboardInterrupt at once. The previous handler comes back
    on exit."""

    def on_sigint(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        control.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def step_bar(total: int) -> tqdm:
    """A progress bar on stderr, drawn only on a terminal: in a log or a pipe the per-epoch or
    per-run lines are enough."""
    return tqdm(total=total, unit="step", dynamic_ncols=True, file=sys.stderr, disable=not sys.stderr.isatty())


def say(line: str) -> None:
    """A line on stderr that does not break a progress bar being drawn."""
    tqdm.write(line, file=sys.stderr)
