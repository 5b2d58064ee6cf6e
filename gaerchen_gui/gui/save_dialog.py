"""Save… in the training dock: ask where, check that place, save, and say plainly what happened.

Whatever goes wrong, the trained model stays in the window (the panel keeps its result until a
new run starts), so a failed save can be tried again elsewhere.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from gaerchen_gui.core.checkpoints import SavedCheckpoint
from gaerchen_gui.core.save_target import target_problem, user_models_dir

if TYPE_CHECKING:
    from gaerchen_gui.gui.training_panel import TrainingPanel

STILL_HERE = "The trained model is still here: choose another file with Save…."


def sentence(text: str) -> str:
    """The core's one-line messages start in lower case (the command line prints them after "error:")."""
    return text[:1].upper() + text[1:]


def _start_folder() -> Path:
    folder = user_models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.home()  # the dialog still opens; the save's own check says what is wrong
    return folder


def save_with_dialog(panel: TrainingPanel) -> SavedCheckpoint | None:
    """Ask for a file and save the panel's trained model there (or, if writing fails, where the core
    falls back to, saying so); None if nothing was saved. Warnings go through ``QMessageBox.warning``."""
    if panel.result is None:
        return None
    name = f"{panel.result.kind}-{time.strftime('%Y%m%d-%H%M%S')}.pt"
    path, _ = QFileDialog.getSaveFileName(
        panel, "Save trained model", str(_start_folder() / name), "Checkpoints (*.pt)"
    )
    if not path:
        return None
    problem = target_problem(path)  # the command line runs the same check before training
    if problem:
        QMessageBox.warning(panel, "Cannot save there", f"Cannot save there: {problem}.\n\n{STILL_HERE}")
        return None
    try:
        saved = panel.save_result(path)
    except OSError as err:  # every place failed: a person must make room or choose another disk
        QMessageBox.warning(panel, "Could not save", f"{sentence(str(err))}.\n\n{STILL_HERE}")
        return None
    if saved.problem:
        QMessageBox.warning(
            panel, "Saved elsewhere", f"{sentence(saved.problem)}.\n\nThe model was saved to {saved.path} instead."
        )
    return saved
