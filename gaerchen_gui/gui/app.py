"""Starting the explorer: ``run_app()`` is what ``gaerchen`` with no subcommand calls."""

from __future__ import annotations

import sys

# torch before PySide6: once PySide6 is imported, its import hook inspects the module behind every
# later import (for its __feature__ switches; it reads the importer's source), which made importing
# torch's ~1,000 modules after it cost ~0.3 s more (measured: 17,948 hook calls instead of 2,301).
import torch  # noqa: F401
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QToolTip

import gaerchen_gui
from gaerchen_gui.gui import process_tuning
from gaerchen_gui.gui.settings import APPLICATION, ORGANIZATION
from gaerchen_gui.gui.theme import tooltip_palette
from gaerchen_gui.resources import resource_path


def create_application(argv: list[str] | None = None, tuning: process_tuning.Tuning | None = None) -> QApplication:
    """The process's QApplication, created on first use, named so QSettings finds its store.

    ``tuning``: the process-wide switches to apply first (default: all on; the latency benchmark turns
    some off to show what they buy)."""
    process_tuning.apply(tuning)  # before any widget exists
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Gaerchen")
    app.setApplicationVersion(gaerchen_gui.__version__)
    app.setDesktopFileName("gaerchen")  # Wayland and docks match the window to gaerchen.desktop by this name
    app.setWindowIcon(application_icon())
    QToolTip.setPalette(tooltip_palette(app.palette()))
    return app  # type: ignore[return-value]


def application_icon() -> QIcon:
    """The icon at every size drawn for it (resources/icons/gaerchen-<N>.png, made by packaging/make_icons.py).

    PNGs rather than the SVG master: the small sizes are a simplified drawing, and PNGs need
    no SVG icon-engine plugin (which a trimmed bundle may leave out)."""
    icon = QIcon()
    for path in sorted(resource_path("icons").glob("gaerchen-*.png")):
        icon.addFile(str(path))
    return icon


def run_app(argv: list[str] | None = None, checkpoint: str | None = None) -> int:
    """Open the latent explorer (on ``checkpoint``, else the last model, else the shipped AE); return the exit code."""
    app = create_application(argv)
    # Imported after the QApplication exists: pyqtgraph reads the screen when it is imported.
    from gaerchen_gui.gui.main_window import ExplorerWindow

    window = ExplorerWindow()
    window.show()
    window.start(checkpoint)
    try:
        code = app.exec()
    finally:
        close_window(window)
    return int(code)


def close_window(window) -> None:  # an ExplorerWindow
    """Close, stop the workers and delete ``window`` now: a pyqtgraph widget left alive until
    interpreter exit can crash it (exit code 134)."""
    window.close()
    window.shutdown()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # run it now, not at exit
    QCoreApplication.processEvents()
