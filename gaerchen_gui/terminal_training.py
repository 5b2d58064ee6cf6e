"""The terminal front end of the training loop: a progress bar, Ctrl-C, a saved checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gaerchen_gui.core.checkpoints import save_with_fallback
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.run_result import kept_message, result_metadata, steps_trained
from gaerchen_gui.core.training import EpochEvent, PausedEvent, StepEvent, StopEvent, Trainer
from gaerchen_gui.terminal_common import EXIT_CODES, first_ctrl_c_cancels, say, step_bar

if TYPE_CHECKING:
    from gaerchen_gui.core.image_folder import FolderData


def _format_val(val: dict[str, float], kind: str) -> str:
    if kind == "vae":
        return f"val total {val['total']:.2f}  recon {val['recon']:.2f}  kl {val['kl']:.2f}  bce {val['bce']:.4f}"
    return f"val bce {val['bce']:.4f}"


def run_training_in_terminal(config: TrainConfig, out: Path, data: FolderData | None = None) -> int:
    """Train, showing progress; the first Ctrl-C stops after the current step (or test batch)
    and saves what :mod:`gaerchen_gui.core.run_result` says a stopped run keeps (the weights of
    its last step); a second one aborts at once. ``data``: a folder of one's own images, else
    Fashion-MNIST."""
    trainer = Trainer(config) if data is None else Trainer(config, data.train, data.test)
    source = "" if data is None else f" of {data.info.name} ({len(data.info.class_names)} classes)"
    print(
        f"training {config.model.upper()} on {len(trainer.train_set)} images{source}, device {trainer.device}, "
        f"precision {trainer.precision}, {config.epochs} epochs, batch {config.batch_size}, lr {config.lr:g}"
        + (f", beta {config.beta:g}" if config.model == "vae" else ""),
        file=sys.stderr,
    )

    bar = None
    stop: StopEvent | None = None
    try:
        with first_ctrl_c_cancels(trainer.control):
            for event in trainer.run():
                if isinstance(event, StepEvent):
                    if bar is None:
                        bar = step_bar(event.total_steps)
                    bar.update(1)
                    bar.set_postfix_str(
                        f"epoch {event.epoch}/{config.epochs} loss {event.loss:.4f} {event.images_per_s:.0f} img/s",
                        refresh=False,
                    )
                elif isinstance(event, EpochEvent):
                    message = f"epoch {event.epoch}/{event.epochs}: {_format_val(event.val, config.model)}"
                    say(message)
                elif isinstance(event, StopEvent):
                    stop = event
                elif isinstance(event, PausedEvent):  # pragma: no cover - nothing pauses the CLI
                    pass
    finally:
        if bar is not None:
            bar.close()
    assert stop is not None
    print(stop.message, file=sys.stderr)
    print(kept_message(stop, trainer), file=sys.stderr)  # the rule: gaerchen_gui.core.run_result
    code = EXIT_CODES[stop.reason]
    if steps_trained(trainer) == 0:
        return code
    if data is not None:
        _say_if_changed(data)
    # the line above said what is kept; this one says where it went, in one line whatever happens
    try:
        saved = save_with_fallback(out, trainer.model, result_metadata(trainer, data and data.info))
    except OSError as err:
        print(f"gaerchen: error: {err}: the trained model could not be kept.", file=sys.stderr)
        return 1
    if saved.problem:
        print(f"gaerchen: error: {saved.problem}; saved the model to {saved.path} instead.", file=sys.stderr)
        return 1
    print(f"saved {saved.path}", file=sys.stderr)
    return code


def _say_if_changed(data: FolderData) -> None:
    from gaerchen_gui.core.folder_training import change_during_training

    note = change_during_training(data.info)
    if note:
        print(f"note: {note}", file=sys.stderr)
