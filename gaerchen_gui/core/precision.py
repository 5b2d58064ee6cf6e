"""The training precisions a person can choose, in one place that the CLI, the panel and the
trainer all read. Deliberately free of torch, so ``gaerchen --help`` and a bad argument
answer without loading it; which precision ``auto`` means on this machine is
:func:`gaerchen_gui.core.device.resolve_precision`.
"""

from __future__ import annotations

from typing import Literal

Precision = Literal["auto", "fp32", "bf16"]
ResolvedPrecision = Literal["fp32", "bf16"]

PRECISIONS: tuple[Precision, ...] = ("auto", "fp32", "bf16")
DEFAULT_PRECISION: Precision = "auto"

PRECISION_HELP = {
    "auto": "bf16 where the processor computes it natively (avx512_bf16 or AMX; a GPU with bf16), else fp32",
    "fp32": "32-bit floats throughout",
    "bf16": "bfloat16 matrix maths (autocast), weights and losses in fp32; slow where it is only emulated",
}
