"""Help > About: version, what Gaerchen is, and a short list of licences with links to their full texts.

The licences are summarised (name, holder, licence) and linked, not pasted: the full
texts are files (the Fashion-MNIST notice in resources/data, every bundled package's
under ``licenses/`` in a PyInstaller bundle) and pages on the projects' sites.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pyqtgraph
import PySide6
import torch
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import gaerchen_gui
from gaerchen_gui.resources import resource_path

FASHION_MNIST_LICENSE = ("data", "LICENSE-fashion-mnist.txt")
FASHION_MNIST_URL = "https://github.com/zalandoresearch/fashion-mnist"
# (name, version or "", licence, where its licence text is published)
SOFTWARE = (
    (
        "Qt for Python (PySide6) and Qt",
        PySide6.__version__,
        "LGPL-3.0",
        "https://www.qt.io/licensing/open-source-lgpl-obligations",
    ),
    ("PyTorch", str(torch.__version__), "BSD-3-Clause", "https://github.com/pytorch/pytorch/blob/main/LICENSE"),
    ("pyqtgraph", pyqtgraph.__version__, "MIT", "https://github.com/pyqtgraph/pyqtgraph/blob/master/LICENSE.txt"),
    ("superqt", "", "BSD-3-Clause", "https://github.com/pyapp-kit/superqt/blob/main/LICENSE"),
    ("NumPy", "", "BSD-3-Clause", "https://numpy.org/doc/stable/license.html"),
    ("Pillow", "", "MIT-CMU", "https://github.com/python-pillow/Pillow/blob/main/LICENSE"),
    ("platformdirs", "", "MIT", "https://github.com/tox-dev/platformdirs/blob/main/LICENSE"),
)


def file_link(path: Path, text: str) -> str:
    return f'<a href="{html.escape(QUrl.fromLocalFile(str(path)).toString())}">{html.escape(text)}</a>'


def bundled_licences() -> Path | None:
    """The folder of licence texts a PyInstaller bundle carries (packaging/gaerchen.spec), if this is one."""
    base = getattr(sys, "_MEIPASS", None)
    folder = Path(base) / "licenses" if base else None
    return folder if folder is not None and folder.is_dir() else None


def about_html() -> str:
    notice = resource_path(*FASHION_MNIST_LICENSE)
    notice_link = f" ({file_link(notice, 'licence text')})" if notice.is_file() else ""
    software = "".join(
        f"<li>{html.escape(name)}{' ' + html.escape(version) if version else ''}: "
        f'<a href="{html.escape(url)}">{html.escape(licence)}</a></li>'
        for name, version, licence, url in SOFTWARE
    )
    folder = bundled_licences()
    all_texts = (
        f"<p>The full licence texts of everything in this copy: {file_link(folder, str(folder))}</p>" if folder else ""
    )
    return f"""
<h2 style="margin-bottom:0">Gaerchen {html.escape(gaerchen_gui.__version__)}</h2>
<p>See what an autoencoder's latent space looks like, and why a variational autoencoder's is smoother.
After chapter 3 of <i>Generative Deep Learning</i> (David Foster, 2nd ed.).</p>
<p>Gaerchen is released under the MIT licence.</p>
<h3>Data</h3>
<p><b>Fashion-MNIST</b> by Zalando Research, © 2017 Zalando SE, MIT licence{notice_link};
<a href="{FASHION_MNIST_URL}">project page</a>. The test images shown on the map ship with Gaerchen
under this licence.</p>
<h3>Software</h3>
<ul>{software}</ul>
{all_texts}
"""


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Gaerchen")
        self.resize(560, 440)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)  # web pages and the licence files open in the desktop's viewer
        self.browser.setHtml(about_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
