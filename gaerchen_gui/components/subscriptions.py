"""Connections to signals that outlive their listener, undone together when the listener goes.

A pane removed from compare mode is deleted by Qt, but the explorer's events
(the shared cursor, the view options) live on: each pane and each model's jobs
record what they connected there and disconnect it all when they are detached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Subscriptions:
    def __init__(self) -> None:
        self._connections: list[tuple[Any, Callable]] = []

    def connect(self, signal: Any, slot: Callable) -> None:  # a psygnal SignalInstance
        signal.connect(slot)
        self._connections.append((signal, slot))

    def disconnect_all(self) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot, missing_ok=True)
        self._connections.clear()
