"""Starting the explorer: ``run_app()`` is what ``gaerchen`` with no subcommand calls."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

import gaerchen_gui
from gaerchen_gui.gui.settings import APPLICATION, ORGANIZATION


def create_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication, created on first use, named so QSettings finds its store."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Gaerchen")
    app.setApplicationVersion(gaerchen_gui.__version__)
    return app  # type: ignore[return-value]


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


def close_window(window) -> None:  # noqa: ANN001 - an ExplorerWindow
    """Close, stop the workers and delete ``window`` now: a pyqtgraph widget left alive until
    interpreter exit can crash it (exit code 134)."""
    window.close()
    window.shutdown()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # run it now, not at exit
    QCoreApplication.processEvents()
