"""Helpers shared by the core tests."""

from __future__ import annotations

from collections.abc import Generator


def drain(steps: Generator):
    """Run a progress generator to its end: (its return value, what it yielded)."""
    yielded = []
    try:
        while True:
            yielded.append(next(steps))
    except StopIteration as done:
        return done.value, yielded
