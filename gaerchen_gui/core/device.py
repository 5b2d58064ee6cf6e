"""Pick the torch device and tune the CPU for small convolutional nets."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from gaerchen_gui.core.precision import Precision, ResolvedPrecision

# CPU flags (as /proc/cpuinfo spells them) of units that compute bfloat16 natively: AVX-512's
# bf16 dot products (AMD Zen 4, Intel Cooper Lake on) and Intel's AMX tiles (Sapphire Rapids on).
NATIVE_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


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


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The processor's feature flags from /proc/cpuinfo (empty where there is none: macOS, Windows)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def cpu_bf16_flags() -> list[str]:
    """Which of :data:`NATIVE_BF16_CPU_FLAGS` this CPU has; the one home of that decision.

    Without /proc/cpuinfo, torch's own check of the AVX-512 bf16 and AMX instructions decides."""
    flags = cpu_flags()
    if flags:
        return [flag for flag in NATIVE_BF16_CPU_FLAGS if flag in flags]
    found = []
    if getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)():
        found.append("avx512_bf16")
    if getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)():
        found.append("amx_bf16")
    return found


def cpu_name() -> str:
    """The processor's model name, for benchmarks and reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def has_native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 in hardware, rather than emulating it slowly."""
    if device.type == "cpu":
        return bool(cpu_bf16_flags())
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return False  # MPS: autocast to bf16 is not faster there


def resolve_precision(requested: Precision, device: torch.device) -> ResolvedPrecision:
    """ "auto" becomes "bf16" where ``device`` has native bf16 units, else "fp32"; the others stay."""
    if requested == "auto":
        return "bf16" if has_native_bf16(device) else "fp32"
    return requested


def autocast(precision: ResolvedPrecision, device: torch.device) -> contextlib.AbstractContextManager:
    """Mixed precision for the forward pass: bf16 matrix maths, fp32 weights; nothing for fp32.

    Autocast state is per thread: every thread that runs a forward pass must enter its own."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
