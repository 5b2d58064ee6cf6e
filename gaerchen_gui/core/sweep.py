"""A BETA sweep: one VAE per BETA, trained one after another through the one training loop.

    sweep = BetaSweep(TrainConfig.book("vae"), betas=[1, 10, 100, 500], out_dir=Path("sweep"))
    for event in sweep.run():
        ...  # SweepStep after every optimiser step, SweepRunDone after each run's save, SweepStopped last

Every run is an ordinary :class:`~gaerchen_gui.core.training.Trainer` run with the base
configuration and its own BETA (same seed, so the runs differ only in BETA), saved as an ordinary
checkpoint as soon as it ends, so a sweep stopped halfway keeps the runs it finished. A run cut
short by a stop keeps what :mod:`gaerchen_gui.core.run_result` says any stopped run keeps.
The command line (``gaerchen sweep``) and the training dock iterate the same generator.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gaerchen_gui.core.config import ConfigError, TrainConfig, check
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.training import EpochEvent, StepEvent, StopEvent, StopReason, TrainControl, Trainer

if TYPE_CHECKING:
    from gaerchen_gui.core.dataset_info import DatasetInfo

MAX_RUNS = 32  # a sweep is a comparison one can still look at, not a hyperparameter search


def parse_betas(text: str) -> list[float]:
    """``"1,10,100"`` -> ``[1.0, 10.0, 100.0]``; ConfigError naming the bad entry otherwise."""
    betas = []
    for part in text.split(","):
        part = part.strip()
        try:
            value = float(part)
        except ValueError:
            raise ConfigError(f"betas must be numbers separated by commas, not {part!r}") from None
        check("beta", value)
        betas.append(value)
    return check_betas(betas)


def check_betas(betas: Sequence[float]) -> list[float]:
    betas = [float(b) for b in betas]
    if not betas:
        raise ConfigError("a sweep needs at least one BETA")
    if len(betas) > MAX_RUNS:
        raise ConfigError(f"a sweep trains at most {MAX_RUNS} models, not {len(betas)}")
    if len(set(betas)) != len(betas):
        raise ConfigError("each BETA may appear only once in a sweep")
    for beta in betas:
        check("beta", beta)
    return betas


def run_file_name(beta: float) -> str:
    """The checkpoint's name in the sweep's folder: ``vae-beta-500.pt``, ``vae-beta-0.5.pt``."""
    return f"vae-beta-{beta:g}.pt"


@dataclass(frozen=True)
class SweepStep:
    run: int  # 0-based index of the run
    runs: int
    beta: float
    step: StepEvent | EpochEvent
    fraction: float  # of the whole sweep's steps, 0..1
    eta_s: float  # for the whole sweep


@dataclass(frozen=True)
class SweepRunDone:
    run: int
    runs: int
    beta: float
    stop: StopEvent
    path: Path | None  # where it was saved; None when the run trained no step (nothing to save)
    test_metrics: dict[str, float] | None
    save_problem: str | None = None  # why it is not at its place in the sweep's folder (saved elsewhere)


@dataclass(frozen=True)
class SweepStopped:
    reason: StopReason  # of the last run: "finished" when every run finished
    runs_done: int  # runs that trained to their end
    message: str


SweepEvent = SweepStep | SweepRunDone | SweepStopped


class BetaSweep:
    """Trains one VAE per BETA into ``out_dir``; :meth:`run` yields :data:`SweepEvent` s."""

    def __init__(
        self,
        base: TrainConfig,
        betas: Sequence[float],
        out_dir: Path,
        control: TrainControl | None = None,
        train_set: ImageSet | None = None,
        test_set: ImageSet | None = None,
        val_limit: int | None = None,
        dataset: DatasetInfo | None = None,
    ) -> None:
        if base.model != "vae":
            raise ConfigError("a BETA sweep trains VAEs: BETA is the VAE's reconstruction weight")
        self.betas = check_betas(betas)
        self.configs = [replace(base, beta=beta).validated() for beta in self.betas]
        self.out_dir = Path(out_dir)
        self.control = control or TrainControl()
        self._data = {"train_set": train_set, "test_set": test_set, "val_limit": val_limit}
        self.dataset = dataset  # a folder's images (recorded in each checkpoint); None: Fashion-MNIST
        self.paths = [self.out_dir / run_file_name(beta) for beta in self.betas]

    def target_problem(self) -> str | None:
        """Why the sweep's checkpoints cannot be written where they should go (checked before training)."""
        from gaerchen_gui.core.save_target import target_problem

        for path in self.paths:
            problem = target_problem(path)
            if problem:
                return problem
        return None

    def run(self) -> Iterator[SweepEvent]:
        from gaerchen_gui.core.checkpoints import save_with_fallback
        from gaerchen_gui.core.data import load_test_set, load_train_set
        from gaerchen_gui.core.run_result import kept_metrics, result_metadata, steps_trained

        # Loaded once: every run trains and is tested on the same images.
        self._data["train_set"] = self._data["train_set"] or load_train_set()
        self._data["test_set"] = self._data["test_set"] or load_test_set()
        runs = len(self.configs)
        started = time.perf_counter()
        steps_before = 0  # of the runs already done
        for index, config in enumerate(self.configs):
            trainer = Trainer(config, control=self.control, **self._data)
            stop: StopEvent | None = None
            for event in trainer.run():
                if isinstance(event, (StepEvent, EpochEvent)):
                    yield self._progress(index, event, steps_before, started)
                elif isinstance(event, StopEvent):
                    stop = event
            assert stop is not None
            path, problem = None, None
            if steps_trained(trainer):
                # A full folder must not throw a trained model away: it goes elsewhere, and says where.
                saved = save_with_fallback(self.paths[index], trainer.model, result_metadata(trainer, self.dataset))
                path, problem = saved.path, saved.problem
            yield SweepRunDone(index, runs, config.beta, stop, path, kept_metrics(trainer), problem)
            if stop.reason != "finished":
                yield SweepStopped(stop.reason, index, f"The sweep stopped during run {index + 1} of {runs}.")
                return
            steps_before += steps_trained(trainer)
        elapsed = time.perf_counter() - started
        yield SweepStopped("finished", runs, f"Trained {runs} VAEs in {elapsed:.0f} s.")

    def _progress(self, index: int, event: StepEvent | EpochEvent, steps_before: int, started: float) -> SweepStep:
        runs = len(self.configs)
        if isinstance(event, StepEvent):
            done = steps_before + event.global_step
            fraction = done / (event.total_steps * runs)  # every run has the same number of steps
            # A whole run lasts as long as the runs so far took per step (test passes included).
            per_run = (time.perf_counter() - started) / done * event.total_steps
        else:
            fraction = (index + event.epoch / event.epochs) / runs
            per_run = (time.perf_counter() - started) / (index + event.epoch / event.epochs)
        # This run's own ETA plus a whole run for each run still to come.
        eta = event.eta_s + per_run * (runs - index - 1)
        return SweepStep(index, runs, self.configs[index].beta, event, fraction, eta)
