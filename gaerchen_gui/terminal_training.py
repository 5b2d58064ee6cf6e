"""The terminal front end of the training loop: a progress bar, Ctrl-C, a saved checkpoint."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from tqdm import tqdm

from gaerchen_gui.core.checkpoints import save_with_fallback
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.run_result import kept_message, result_metadata, steps_trained
from gaerchen_gui.core.training import EpochEvent, PausedEvent, StepEvent, StopEvent, Trainer


def _format_val(val: dict[str, float], kind: str) -> str:
    if kind == "vae":
        return f"val total {val['total']:.2f}  recon {val['recon']:.2f}  kl {val['kl']:.2f}  bce {val['bce']:.4f}"
    return f"val bce {val['bce']:.4f}"


def run_training_in_terminal(config: TrainConfig, out: Path) -> int:
    """Train, showing progress; the first Ctrl-C stops after the current step (or test batch)
    and saves what :mod:`gaerchen_gui.core.run_result` says a stopped run keeps (the weights of
    its last step); a second one aborts at once."""
    trainer = Trainer(config)
    print(
        f"training {config.model.upper()} on {len(trainer.train_set)} images, device {trainer.device}, "
        f"precision {trainer.precision}, {config.epochs} epochs, batch {config.batch_size}, lr {config.lr:g}"
        + (f", beta {config.beta:g}" if config.model == "vae" else ""),
        file=sys.stderr,
    )

    def on_sigint(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        trainer.control.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    bar = None
    stop: StopEvent | None = None
    try:
        for event in trainer.run():
            if isinstance(event, StepEvent):
                if bar is None:
                    # a bar only on a terminal: in a log or a pipe, the epoch lines are enough
                    bar = tqdm(
                        total=event.total_steps,
                        unit="step",
                        dynamic_ncols=True,
                        file=sys.stderr,
                        disable=not sys.stderr.isatty(),
                    )
                bar.update(1)
                bar.set_postfix_str(
                    f"epoch {event.epoch}/{config.epochs} loss {event.loss:.4f} {event.images_per_s:.0f} img/s",
                    refresh=False,
                )
            elif isinstance(event, EpochEvent):
                message = f"epoch {event.epoch}/{event.epochs}: {_format_val(event.val, config.model)}"
                tqdm.write(message, file=sys.stderr)
            elif isinstance(event, StopEvent):
                stop = event
            elif isinstance(event, PausedEvent):  # pragma: no cover - nothing pauses the CLI
                pass
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
    assert stop is not None
    print(stop.message, file=sys.stderr)
    print(kept_message(stop, trainer), file=sys.stderr)  # the rule: gaerchen_gui.core.run_result
    code = {"finished": 0, "cancelled": 130, "non_finite": 1}[stop.reason]
    if steps_trained(trainer) == 0:
        return code
    # the line above said what is kept; this one says where it went, in one line whatever happens
    try:
        saved = save_with_fallback(out, trainer.model, result_metadata(trainer))
    except OSError as err:
        print(f"gaerchen: error: {err}: the trained model could not be kept.", file=sys.stderr)
        return 1
    if saved.problem:
        print(f"gaerchen: error: {saved.problem}; saved the model to {saved.path} instead.", file=sys.stderr)
        return 1
    print(f"saved {saved.path}", file=sys.stderr)
    return code
