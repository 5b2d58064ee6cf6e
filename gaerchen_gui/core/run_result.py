"""What a training run leaves behind: one rule for the command line and the window.

A run that stops early (Stop, Ctrl-C, closing the window, a non-finite loss) keeps the
weights of its last good step, the ones the live map showed last, with its whole per-step
history. Not the last finished epoch: a user stops a run to look at what it has learned, and
rolling back could throw away most of a long epoch (or all of a one-epoch run). The test
results of the last finished epoch stay in the history; they become the checkpoint's
``test_metrics`` only if they were measured on the kept weights (the run stopped right at
an epoch's end), so a checkpoint never reports numbers of other weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # torch-free at import: the command line's help text reads KEEP_RULE
    from gaerchen_gui.core.dataset_info import DatasetInfo
    from gaerchen_gui.core.training import StopEvent, Trainer

# For the front ends' help texts.
KEEP_RULE = "a stopped run keeps the weights of its last step (test results only if it ended an epoch)"


def steps_trained(trainer: Trainer) -> int:
    return len(trainer.history.steps)


def kept_metrics(trainer: Trainer) -> dict[str, float] | None:
    """The last test results, if they describe the weights the trainer holds now."""
    epochs = trainer.history.epochs
    if trainer.last_val is None or not epochs or epochs[-1].get("global_step") != steps_trained(trainer):
        return None
    return trainer.last_val


def result_metadata(trainer: Trainer, dataset: DatasetInfo | None = None) -> dict[str, Any]:
    """Checkpoint metadata for the trainer's current weights (call once the run is over);
    ``dataset``: what it trained on, if not Fashion-MNIST."""
    from gaerchen_gui.core.checkpoints import make_metadata
    from gaerchen_gui.core.dataset_info import FASHION_MNIST
    from gaerchen_gui.core.training import TrainingHistory

    history = TrainingHistory(steps=list(trainer.history.steps), epochs=list(trainer.history.epochs))
    return make_metadata(
        trainer.model,
        config=trainer.config.to_dict(),
        epochs_trained=trainer.epochs_completed,
        test_metrics=kept_metrics(trainer),
        history=history,
        precision=trainer.precision,
        dataset=dataset or FASHION_MNIST,
        frames=trainer.recorder.frames(),
    )


def kept_message(stop: StopEvent, trainer: Trainer) -> str:
    """One sentence on what the run keeps, for both front ends."""
    steps = steps_trained(trainer)
    if stop.reason == "finished":
        return f"Kept the trained model ({trainer.epochs_completed} epochs, {steps:,} steps)."
    if steps == 0:
        return "No step was trained: nothing is kept."
    epochs = f"{trainer.epochs_completed} finished epoch" + ("" if trainer.epochs_completed == 1 else "s")
    tested = "" if kept_metrics(trainer) is not None else "; no test results for these weights"
    # After a non-finite loss the trainer holds the weights that step's finite loss was measured on.
    last = ", the last with a finite loss" if stop.reason == "non_finite" else ""
    return f"Kept the weights of step {steps:,}{last} ({epochs}{tested})."
