"""Where the shipped files are: ``resources/`` and ``models/`` beside the package.

In a source checkout (editable install) they sit at the repository root; a
wheel installs them as the packages ``gaerchen_gui._resources`` and
``gaerchen_gui._models`` (see pyproject.toml); a PyInstaller bundle unpacks
them under ``sys._MEIPASS``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _locate(folder: str, package: str) -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / folder
    checkout = _REPO_ROOT / folder
    if checkout.is_dir():
        return checkout
    # an installed wheel: a namespace package (no __init__.py), so take its one folder
    return Path(next(iter(importlib.import_module(package).__path__)))


def resource_path(*parts: str) -> Path:
    """A path inside ``resources/`` (icons, styles, the bundled dataset, licences)."""
    return _locate("resources", "gaerchen_gui._resources").joinpath(*parts)


def shipped_model_path(name: str) -> Path:
    """A shipped checkpoint in ``models/``, e.g. ``shipped_model_path("ae.pt")``."""
    return _locate("models", "gaerchen_gui._models") / name
