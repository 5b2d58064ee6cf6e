"""The one training loop: a generator of events that the CLI and the GUI both iterate.

    trainer = Trainer(TrainConfig.book("vae"))
    for event in trainer.run():
        ...  # StepEvent after every optimiser step, EpochEvent after validation,
             # PausedEvent while paused, StopEvent last

Pausing and cancelling go through a :class:`TrainControl`, which is safe to
call from another thread (the GUI thread, a signal handler); the loop looks
at it between steps, never inside one.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.data import ImageSet, load_test_set, load_train_set
from gaerchen_gui.core.device import autocast, choose_device, flush_denormals, resolve_precision
from gaerchen_gui.core.evaluation import evaluate
from gaerchen_gui.core.frames import FrameRecorder
from gaerchen_gui.core.losses import LossTerms, ae_loss, vae_loss
from gaerchen_gui.core.models import LatentModel, build_model
from gaerchen_gui.core.split_batch import SplitBatch, parts_for, split_batch

log = logging.getLogger(__name__)

# torch.compile costs ~30 s the first time on 2 cores (cached afterwards); it pays
# back only over a run this long.
COMPILE_MIN_STEPS = 1500


def wants_compile(mode: str, device: torch.device, total_steps: int) -> bool:
    """Whether a run of ``total_steps`` on ``device`` compiles its loss, for the config's ``compile`` ``mode``."""
    if mode == "off" or device.type == "mps":
        return False
    if mode == "auto":
        # On the CPU the split batch (one single-threaded worker per core) trains as fast eagerly
        # as compiled or faster (benchmarks/train_throughput.py: 684 vs 626 img/s here), so "auto"
        # compiles only on a GPU, and only for a run long enough to pay back the compile time.
        has_compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("g++")
        return device.type == "cuda" and bool(has_compiler) and total_steps >= COMPILE_MIN_STEPS
    return True


@dataclass(frozen=True)
class StepEvent:
    epoch: int  # 1-based
    step: int  # 1-based, within the epoch
    steps_per_epoch: int
    global_step: int
    total_steps: int
    loss: float
    recon: float
    kl: float
    images_per_s: float
    eta_s: float
    finished_at: float  # time.perf_counter() when the step ended: comparable across threads, unlike arrival times


@dataclass(frozen=True)
class EpochEvent:
    epoch: int
    epochs: int
    train: dict[str, float]  # means over the epoch's steps: total, recon, kl
    val: dict[str, float]  # on the test images: bce, recon, kl, total
    elapsed_s: float
    eta_s: float


@dataclass(frozen=True)
class PausedEvent:
    """Yielded about every 0.1 s while paused, so the consumer keeps control."""

    global_step: int


StopReason = Literal["finished", "cancelled", "non_finite"]


@dataclass(frozen=True)
class StopEvent:
    reason: StopReason
    message: str
    epochs_completed: int


TrainEvent = StepEvent | EpochEvent | PausedEvent | StopEvent


class TrainControl:
    """Pause, resume and cancel a running loop from any thread."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()  # wake a paused loop so it can stop

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def wait_until_resumed(self, timeout: float) -> None:
        self._running.wait(timeout)


@dataclass
class TrainingHistory:
    """Everything needed to redraw the loss curves; stored in checkpoints (see :meth:`to_dict`)."""

    steps: list[list[float]] = field(default_factory=list)  # [global_step, total, recon, kl]
    epochs: list[dict[str, float]] = field(default_factory=list)  # epoch, train_*, val_*

    def to_dict(self) -> dict[str, Any]:
        # The per-step rows as one (N, 4) float64 tensor, not nested lists: torch.load's weights-only
        # unpickler reads a list opcode by opcode in Python (~0.3 s for the 9,380 steps of the shipped
        # AE, most of the app's model loading), a tensor in one piece.
        return {"steps": torch.tensor(self.steps, dtype=torch.float64).reshape(-1, 4), "epochs": self.epochs}

    @classmethod
    def from_dict(cls, data: dict) -> TrainingHistory:
        """Reads :meth:`to_dict`'s form and the nested lists that earlier checkpoints hold."""
        steps = data.get("steps", [])
        if isinstance(steps, torch.Tensor):
            # Only a real (N, 4) table: a few bytes of file can describe a tensor of millions of
            # elements that all share one stored number (stride 0), and listing those would not end.
            stored = steps.untyped_storage().nbytes()
            if steps.dim() != 2 or steps.shape[1] != 4 or stored < steps.numel() * steps.element_size():
                raise ValueError(f"a training history of shape {tuple(steps.shape)} is not an (N, 4) table")
            rows = steps.to(torch.float64).tolist()
        else:
            rows = [list(map(float, s)) for s in steps]
        return cls(steps=rows, epochs=list(data.get("epochs", [])))


class Trainer:
    """Owns a model, its optimiser and its data, and trains with :meth:`run`.

    ``model`` after a stop holds the last good weights: after a non-finite loss,
    the weights from before the step that produced it. What a stopped run keeps is
    decided in :mod:`gaerchen_gui.core.run_result`.
    """

    def __init__(
        self,
        config: TrainConfig,
        train_set: ImageSet | None = None,
        test_set: ImageSet | None = None,
        control: TrainControl | None = None,
        val_limit: int | None = None,
        frame_count: int | None = None,
    ) -> None:
        """``frame_count``: frames to record (see core/frames.py); None: as many as its cost budget
        allows, 0: none."""
        self.config = config.validated()
        self.device = choose_device(config.device)
        # What "auto" means here; the checkpoint records it. Weights, optimiser state, losses and
        # evaluation stay fp32 whatever it is: only the forward pass' maths runs in bf16.
        self.precision = resolve_precision(config.precision, self.device)
        torch.manual_seed(config.seed)
        self.model: LatentModel = build_model(config.model, config.latent_dim).to(self.device)
        if self.device.type == "cpu":
            # oneDNN's NHWC kernels: ~1.2x faster training of this net on CPU.
            self.model.to(memory_format=torch.channels_last)
        # fused: one kernel for the whole update instead of ~10 per tensor (same maths; ~1 ms a step on CPU)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=config.lr, fused=self.device.type in ("cpu", "cuda")
        )
        train_set = train_set if train_set is not None else load_train_set()
        test_set = test_set if test_set is not None else load_test_set()
        self.train_set = train_set.subset(config.limit).to(self.device)
        self.test_images = test_set.subset(val_limit).images.to(self.device)
        # The whole test split, not the validation subset: the frames follow the same images in every run.
        self.recorder = FrameRecorder(test_set.images, config.latent_dim, frame_count)
        self.control = control or TrainControl()
        self.history = TrainingHistory()
        self.epochs_completed = 0
        self.last_val: dict[str, float] | None = None
        self.compiled = False
        self.torch_threads: int | None = None  # intra-op threads of the thread that runs the loop, once it runs
        self._shuffle = torch.Generator().manual_seed(config.seed)
        self._loss_fn: Callable[[torch.Tensor, torch.Tensor | None], LossTerms] = self._eager_loss
        # The KL warm-up's weight of the current step, a tensor filled in place so that a compiled
        # loss reads a new value without recompiling (a Python float would be a guarded constant).
        self._kl_weight = torch.ones((), device=self.device)

    # -- the loss of one batch -------------------------------------------------
    def _eager_loss(self, x: torch.Tensor, eps: torch.Tensor | None = None) -> LossTerms:
        # Entered here, inside the loss, because autocast is per thread: each split-batch worker
        # runs this function on its own thread and so enters its own context.
        with autocast(self.precision, self.device):
            out = self.model(x, eps) if self.config.model == "vae" else self.model(x)
        logits = out.logits.float()  # the losses in fp32 (.float() returns fp32 tensors as they are)
        if self.config.model == "vae":
            kl_weight = self._kl_weight if self.config.kl_warmup_steps else 1.0
            return vae_loss(logits, x, out.z_mean.float(), out.z_log_var.float(), self.config.beta, kl_weight)
        return ae_loss(logits, x)

    def _forward_backward(self, x: torch.Tensor, parts: SplitBatch | None) -> LossTerms:
        """Set the parameters' gradients for batch ``x``; return its loss terms (detached)."""
        self.optimizer.zero_grad(set_to_none=True)
        if parts is None:
            terms = self._loss_fn(x, None)
            terms.total.backward()
            return LossTerms(*(t.detach() for t in terms))
        eps = None
        if self.config.model == "vae":
            # The same draw the model would make, taken here so it does not depend on thread timing.
            eps = torch.randn(x.shape[0], self.config.latent_dim, device=x.device)
        return parts.forward_backward(self._loss_fn, list(self.model.parameters()), x, eps)

    # -- the loop ----------------------------------------------------------------
    def run(self) -> Iterator[TrainEvent]:
        """Train, yielding events; see the module docstring."""
        self.torch_threads = torch.get_num_threads()  # per thread: the GUI's training thread sets its own
        # Flushing denormals is thread- and process-wide state: on only while this loop runs.
        with (
            flush_denormals(self.device.type == "cpu"),
            split_batch(parts_for(self.device, self.config.batch_size)) as parts,
        ):
            yield from self._run(parts)

    def _run(self, parts: SplitBatch | None) -> Iterator[TrainEvent]:
        cfg = self.config
        n = len(self.train_set)
        steps_per_epoch = math.ceil(n / cfg.batch_size)
        total_steps = steps_per_epoch * cfg.epochs
        if wants_compile(cfg.compile, self.device, total_steps):
            self._loss_fn = torch.compile(self._eager_loss)
            self.compiled = True
        params = [p.detach() for p in self.model.parameters()]  # detached views: copies skip autograd
        last_good = [p.detach().clone() for p in params]
        global_step = 0
        train_time = 0.0  # seconds spent in steps, for images/s and the ETA
        eval_time = 0.0
        smoothed_dt = None  # exponential moving average of the step time, for a steady images/s
        start = time.perf_counter()
        self.recorder.plan(total_steps, cfg.batch_size)
        self.recorder.step(self.model, 0)  # the untrained map
        self.model.train()
        for epoch in range(1, cfg.epochs + 1):
            order = torch.randperm(n, generator=self._shuffle).to(self.device)
            sums = torch.zeros(3, dtype=torch.float64)
            for step in range(1, steps_per_epoch + 1):
                while self.control.paused and not self.control.cancelled:
                    yield PausedEvent(global_step)
                    self.control.wait_until_resumed(0.1)
                if self.control.cancelled:
                    yield self._stop("cancelled", f"Stopped by request at step {global_step}.")
                    return
                t0 = time.perf_counter()
                x = self.train_set.images[order[(step - 1) * cfg.batch_size : step * cfg.batch_size]]
                if cfg.kl_warmup_steps:
                    self._kl_weight.fill_(cfg.kl_weight(global_step + 1))
                try:
                    terms = self._forward_backward(x, parts)
                except Exception as err:  # any compiler failure falls back to eager
                    if not self.compiled:
                        raise
                    log.warning("torch.compile failed (%s); training eagerly instead", err)
                    self._loss_fn, self.compiled = self._eager_loss, False
                    terms = self._forward_backward(x, parts)
                values = torch.stack(list(terms)).double().cpu()
                if not torch.isfinite(values).all():
                    with torch.no_grad():
                        torch._foreach_copy_(params, last_good)
                    # The weights are now those the last finite loss was measured on, one update before
                    # the ones the last test pass measured: its results describe other weights.
                    self.last_val = None
                    # What the run keeps is said by core/run_result.py, for both front ends alike.
                    yield self._stop(
                        "non_finite",
                        f"The loss became {values[0].item()} at epoch {epoch}, step {step}: training stopped. "
                        "Try a lower learning rate.",
                    )
                    return
                torch._foreach_copy_(last_good, [p.detach() for p in params])  # weights that gave a finite loss
                self.optimizer.step()
                dt = time.perf_counter() - t0
                train_time += dt
                smoothed_dt = dt if smoothed_dt is None else 0.9 * smoothed_dt + 0.1 * dt
                global_step += 1
                sums += values
                loss, recon, kl = values.tolist()
                self.history.steps.append([float(global_step), loss, recon, kl])
                self.recorder.step(self.model, global_step)
                steps_per_s = global_step / train_time
                evals_left = cfg.epochs - epoch + 1
                eta = (total_steps - global_step) / steps_per_s + evals_left * (eval_time / max(epoch - 1, 1))
                yield StepEvent(
                    epoch, step, steps_per_epoch, global_step, total_steps, loss, recon, kl,
                    images_per_s=x.shape[0] / smoothed_dt, eta_s=eta, finished_at=t0 + dt,
                )  # fmt: skip
            t_eval = time.perf_counter()
            val = evaluate(self.model, self.test_images, beta=cfg.beta, should_stop=lambda: self.control.cancelled)
            eval_time += time.perf_counter() - t_eval
            if val is None:  # cancelled during the test pass: this epoch has no test result
                yield self._stop("cancelled", f"Stopped by request at step {global_step}.")
                return
            means = (sums / steps_per_epoch).tolist()
            train = {"total": means[0], "recon": means[1], "kl": means[2]}
            self.history.epochs.append(
                {
                    "epoch": epoch,
                    "global_step": global_step,  # where its test point sits on the step axis
                    **{f"train_{k}": v for k, v in train.items()},
                    **{f"val_{k}": v for k, v in val.items()},
                }
            )
            self.epochs_completed = epoch
            self.last_val = val
            eta = (cfg.epochs - epoch) * (train_time / epoch + eval_time / epoch)
            yield EpochEvent(epoch, cfg.epochs, train, val, time.perf_counter() - start, eta)
        yield self._stop("finished", f"Trained {cfg.epochs} epochs in {time.perf_counter() - start:.1f} s.")

    def _stop(self, reason: StopReason, message: str) -> StopEvent:
        self.model.eval()
        # The weights kept (after a non-finite loss, those restored) are those of the last step in the history.
        self.recorder.finish(self.model, len(self.history.steps))
        return StopEvent(reason, message, self.epochs_completed)
