"""Data parallelism inside one process: each part of a batch on its own single-threaded worker.

Why: on a 2-core CPU, oneDNN's convolutions of this small net scale poorly over
intra-op threads (2 threads train ~1.35x faster than 1 on a quiet machine), and
far worse when another process wants a core, because OpenMP threads wait for
each other after every operator. Two worker threads with one intra-op thread
each, each running forward and backward on half the batch, keep both cores busy
and meet only once per step. PyTorch releases the GIL inside its kernels and
inside autograd, so the workers really run in parallel.

The maths is the whole batch's: each part's loss terms are weighted by the
part's share of the batch (the losses are means over images), and the parts'
gradients are summed in a fixed order, so a run is reproducible from its seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch

from gaerchen_gui.core.losses import LossTerms

# Below this many images per part a worker's convolutions get inefficient; an
# unmeasured guess for machines with many cores (measured: 2 parts of 50 and of 32).
MIN_IMAGES_PER_PART = 8

PartLoss = Callable[[torch.Tensor, torch.Tensor | None], LossTerms]


def _single_threaded_worker() -> None:
    # Both settings are per thread: the worker's own intra-op pool, and its
    # floating-point control register (see device.flush_denormals).
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)


class SplitBatch:
    """Forward and backward of one batch, split over ``n_parts`` worker threads."""

    def __init__(self, n_parts: int) -> None:
        self.n_parts = n_parts
        self._warm = False
        self._pool = ThreadPoolExecutor(
            n_parts, thread_name_prefix="gaerchen-part", initializer=_single_threaded_worker
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def forward_backward(
        self,
        loss_fn: PartLoss,
        params: Sequence[torch.nn.Parameter],
        x: torch.Tensor,
        eps: torch.Tensor | None = None,
    ) -> LossTerms:
        """Set each parameter's ``.grad`` to the gradient of the whole batch's loss, and return
        the whole batch's loss terms (detached). ``eps`` is the VAE's noise for the whole batch,
        drawn by the caller so that the random stream does not depend on thread timing."""
        n = x.shape[0]
        parts = [
            (x_part, eps_part, x_part.shape[0] / n)
            for x_part, eps_part in zip(x.tensor_split(self.n_parts), _split_or_repeat(eps, self.n_parts), strict=True)
            if x_part.shape[0] > 0
        ]
        first = None
        if not self._warm:
            # The first call of a torch.compile'd loss compiles it: let one worker do that
            # alone (two at once each compile it, ~30 s twice), then run the rest in parallel.
            first = self._pool.submit(_part_forward_backward, loss_fn, params, *parts[0]).result()
            parts = parts[1:]
            self._warm = True
        futures = [self._pool.submit(_part_forward_backward, loss_fn, params, *part) for part in parts]
        results = ([first] if first else []) + [future.result() for future in futures]  # re-raises errors
        grads = list(results[0][1])
        terms = results[0][0]
        for part_terms, part_grads in results[1:]:  # a fixed order: deterministic sums
            torch._foreach_add_(grads, part_grads)
            terms = LossTerms(*(a + b for a, b in zip(terms, part_terms, strict=True)))
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        return terms


def _split_or_repeat(eps: torch.Tensor | None, n_parts: int) -> Sequence[torch.Tensor | None]:
    return [None] * n_parts if eps is None else eps.tensor_split(n_parts)


def _part_forward_backward(
    loss_fn: PartLoss,
    params: Sequence[torch.nn.Parameter],
    x: torch.Tensor,
    eps: torch.Tensor | None,
    weight: float,
) -> tuple[LossTerms, tuple[torch.Tensor, ...]]:
    terms = loss_fn(x, eps)
    weighted = LossTerms(*(t * weight for t in terms))
    grads = torch.autograd.grad(weighted.total, params)
    return LossTerms(*(t.detach() for t in weighted)), grads


def parts_for(device: torch.device, batch_size: int) -> int:
    """How many parts to split each batch into: one per intra-op thread on CPU, else 1."""
    if device.type != "cpu":
        return 1  # a GPU runs the whole batch at once
    return max(1, min(torch.get_num_threads(), batch_size // MIN_IMAGES_PER_PART))


@contextmanager
def split_batch(n_parts: int) -> Iterator[SplitBatch | None]:
    """Workers for ``n_parts`` > 1 (None otherwise), shut down on exit, with the caller's
    thread count restored: a worker's set_num_threads(1) also changes the process-wide
    default that new threads (and MKL) start from."""
    if n_parts <= 1:
        yield None
        return
    threads = torch.get_num_threads()
    runner = SplitBatch(n_parts)
    try:
        yield runner
    finally:
        runner.close()
        torch.set_num_threads(threads)
