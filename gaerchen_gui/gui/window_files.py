"""Files the explorer reads and writes: opening checkpoints, the recent list, exports (PNG, CSV)."""

from __future__ import annotations

from pathlib import Path

import torch
from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QMenu

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.export import write_embeddings_csv

CHECKPOINT_SUFFIXES = (".pt", ".pth")
# what -> (file dialog filter, suffix)
EXPORTS = {
    "map": ("PNG image (*.png)", ".png"),
    "decoded": ("PNG image (*.png)", ".png"),
    "samples": ("PNG image (*.png)", ".png"),
    "embeddings": ("CSV file (*.csv)", ".csv"),
}


class FileCommands:
    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window

    # -- opening --------------------------------------------------------------------------------
    def open_with_dialog(self, state: ModelState | None = None) -> None:
        settings = self.window.settings
        start = settings.last_directory or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open checkpoint", start, "Gaerchen checkpoints (*.pt *.pth);;All files (*)"
        )
        if path:
            settings.last_directory = str(Path(path).parent)
            self.window.open_checkpoint(path, state=state)

    def fill_recent_menu(self, menu: QMenu) -> None:
        from gaerchen_gui.gui.actions import ActionKey

        menu.clear()
        files = self.window.settings.recent_files
        for number, file in enumerate(files, start=1):
            path = Path(file)
            action = menu.addAction(f"&{number}  {path.name}   —   {path.parent}")
            action.setToolTip(file)
            action.setEnabled(path.is_file())
            action.triggered.connect(lambda _=False, f=file: self.window.open_checkpoint(f))
        if not files:
            menu.addAction("No recent checkpoints").setEnabled(False)
        menu.addSeparator()
        clear = self.window.actions[ActionKey.CLEAR_RECENT]
        menu.addAction(clear)
        clear.setEnabled(bool(files))

    @staticmethod
    def checkpoint_in(mime: QMimeData) -> Path | None:
        """The first local .pt/.pth file among dropped URLs, if any."""
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(CHECKPOINT_SUFFIXES):
                return Path(url.toLocalFile())
        return None

    # -- exports ----------------------------------------------------------------------------------
    def export(self, what: str, path: str | Path) -> Path:
        """Write ``what`` ("map", "decoded", "samples", "embeddings") of the active model to ``path``."""
        window, state = self.window, self.window.model
        if what == "map":
            if state.encoded is None:
                raise ValueError("the map is not ready yet")
            return window.latent_map.export_png(path)  # what the map shows, at twice its pixels
        if what == "decoded":
            return window.side.preview.save_png(path)
        if what == "samples":
            return window.side.sample_grid.save_png(path)
        if what == "embeddings":
            if state.encoded is None:
                raise ValueError("the map is not ready yet")
            encoded = state.codes if state.projection is not None else state.encoded  # all D dimensions
            return write_embeddings_csv(path, torch.from_numpy(encoded.z), torch.from_numpy(encoded.labels))
        raise ValueError(f"unknown export {what!r}")

    def export_with_dialog(self, what: str) -> None:
        window = self.window
        file_filter, suffix = EXPORTS[what]
        kind = window.model.kind or "model"
        default = Path(window.settings.last_directory or Path.home()) / f"gaerchen-{kind}-{what}{suffix}"
        path, _ = QFileDialog.getSaveFileName(window, f"Export {what}", str(default), file_filter)
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            written = self.export(what, path)
        except (OSError, ValueError) as err:
            window.show_error("Export failed", f"Could not export the {what}: {err}")
            return
        window.settings.last_directory = str(Path(written).parent)
        window.statusBar().showMessage(f"Saved {written}", 5000)
