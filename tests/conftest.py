"""Shared fixtures: the real Fashion-MNIST test split, loaded once per session."""

from __future__ import annotations

import os
import tempfile

import pytest

# Qt tests run without a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The disk cache (decoded dataset, embeddings) goes to a folder of this run, never the user's.
os.environ["GAERCHEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="gaerchen-test-cache-")


def pytest_configure(config: pytest.Config) -> None:
    # The app applies its process-wide tuning at start-up (gui/process_tuning.py); the tests run the same
    # process settings, explicitly, before any Qt object exists.
    from gaerchen_gui.gui import process_tuning

    process_tuning.apply()


@pytest.fixture(scope="session")
def test_set():
    from gaerchen_gui.core.data import load_test_set

    return load_test_set()


@pytest.fixture(scope="session")
def small_train_set(test_set):
    """The first 600 real training images: enough for a loss to fall in a few dozen steps."""
    from gaerchen_gui.core.data import load_train_set

    return load_train_set().subset(600)
