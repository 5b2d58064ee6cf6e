"""Pick the torch device and tune the CPU for small convolutional nets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


class DeviceError(ValueError):
    """The requested device does not exist on this machine."""


def choose_device(requested: str = "auto") -> torch.device:
    """cuda, then mps, then cpu for "auto"; otherwise the named device, checked to exist."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as err:
        raise DeviceError(f"unknown device {requested!r} (try auto, cpu, cuda or mps)") from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError(f"device {requested!r} asked for, but CUDA is not available here")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceError(f"device {requested!r} asked for, but MPS is not available here")
    return device


@contextmanager
def flush_denormals(enabled: bool = True) -> Iterator[None]:
    """Flush denormal floats to zero inside the block (tiny Adam updates otherwise take a slow
    path on x86), then back to IEEE behaviour, the default, which other code (hypothesis) expects."""
    if enabled:
        torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if enabled:
            torch.set_flush_denormal(False)
