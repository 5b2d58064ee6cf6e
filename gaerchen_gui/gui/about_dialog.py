"""Help > About: version, what Gaerchen is, and the licences of what it ships and uses."""

from __future__ import annotations

import html

import pyqtgraph
import PySide6
import torch
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import gaerchen_gui
from gaerchen_gui.resources import resource_path

FASHION_MNIST_LICENSE = ("data", "LICENSE-fashion-mnist.txt")


def fashion_mnist_notice() -> str:
    path = resource_path(*FASHION_MNIST_LICENSE)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return (
            "Fashion-MNIST, Copyright 2017 Zalando SE, MIT licence "
            "(https://github.com/zalandoresearch/fashion-mnist). The licence file was not found."
        )


def about_html() -> str:
    return f"""
<h2 style="margin-bottom:0">Gaerchen {html.escape(gaerchen_gui.__version__)}</h2>
<p>See what an autoencoder's latent space looks like, and why a variational autoencoder's is smoother.
After chapter 3 of <i>Generative Deep Learning</i> (David Foster, 2nd ed.).</p>
<p>Gaerchen is released under the MIT licence.</p>
<h3>Data</h3>
<p><b>Fashion-MNIST</b> by Zalando Research, © 2017 Zalando SE, MIT licence.
The test images shown on the map ship with Gaerchen under this notice:</p>
<pre style="font-size:small">{html.escape(fashion_mnist_notice())}</pre>
<h3>Software</h3>
<ul>
<li>Qt for Python (PySide6 {html.escape(PySide6.__version__)}), LGPL-3.0; Qt, LGPL-3.0</li>
<li>PyTorch {html.escape(str(torch.__version__))}, BSD-3-Clause</li>
<li>pyqtgraph {html.escape(pyqtgraph.__version__)}, MIT</li>
<li>superqt, BSD-3-Clause; NumPy, BSD-3-Clause; Pillow, MIT-CMU; platformdirs, MIT</li>
</ul>
"""


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Gaerchen")
        self.resize(620, 560)
        browser = QTextBrowser()
        browser.setOpenExternalLinks(True)
        browser.setHtml(about_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
