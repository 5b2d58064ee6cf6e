"""An animation export on a thread of its own: draw the frames, write the file, report progress;
cancellable until the file is renamed into place, so that a cancel leaves no file at all.

A QThread rather than a pool worker: the progress comes from inside the writer (a callback per
frame, core/animation_file.py), not from a generator's yields, and the thread must be waited for
when the dialog closes mid-export.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from gaerchen_gui.core.animation_file import ExportCancelled, ExportError, write_frames, write_still
from gaerchen_gui.core.frame_drawing import palette
from gaerchen_gui.core.save_target import describe_os_error
from gaerchen_gui.gui.workers import error_text


class ExportJob(QThread):
    progressed = Signal(int, int)  # frames written, frames in all (0, 0 while drawing)
    succeeded = Signal(str)  # the file written
    failed = Signal(str)  # one line: why
    cancelled = Signal()

    def __init__(
        self,
        out: str | Path,
        kind: str,
        fps: float,
        draw: Callable[[], np.ndarray],
        parent: QObject | None = None,
    ) -> None:
        """``draw()`` makes the palette frames (T, H, W), or for a "png" the one image (H, W), in this thread."""
        super().__init__(parent)
        self.setObjectName("gaerchen-export")
        self.out, self.kind, self.fps, self._draw = Path(out), kind, fps, draw
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def _progress(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise ExportCancelled
        self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            self._progress(0, 0)
            frames = self._draw()
            if self.kind == "png":
                written = write_still(self.out, frames, palette(), self._progress)
            else:
                written = write_frames(self.out, frames, palette(), self.fps, self._progress)
        except ExportCancelled:
            self.cancelled.emit()
        except ExportError as err:
            self.failed.emit(str(err))
        except OSError as err:
            self.failed.emit(f"Could not write {self.out.name}: {describe_os_error(err)}")
        except Exception as err:  # drawing or decoding failed: say so, keep the window
            self.failed.emit(f"Could not export: {error_text(err)}")
        else:
            self.succeeded.emit(str(written))
