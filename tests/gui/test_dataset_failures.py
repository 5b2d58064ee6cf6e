"""A missing or damaged Fashion-MNIST, for real: the window says which file and stays usable; the
self-test fails at once naming it.

$GAERCHEN_DATA_DIR points at an empty folder, or at copies of the real files with the test images
truncated, replaced by garbage or with one bit flipped; each with a fresh disk cache and with one
filled from the good files (the cache must not hide damaged files). These run in a child process,
the way the app does: the test process already holds the good test set in memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from gaerchen_gui.core.data import DATA_DIR_ENV, FILE_MD5, data_root, load_split
from gaerchen_gui.core.disk_cache import CACHE_DIR_ENV

TEST_IMAGES = "t10k-images-idx3-ubyte"
CHILD_TIMEOUT_S = 300

# For each (data folder, cache folder) on the command line: open the window on the shipped AE, wait for
# the map's message, check that the cursor still decodes and that the VAE fails as plainly. One JSON
# line per case.
CHILD = """\
import json, os, sys, time
from gaerchen_gui.gui.app import close_window, create_application
app = create_application([sys.argv[0]])
from PySide6.QtWidgets import QApplication
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.main_window import ExplorerWindow
from gaerchen_gui.gui.settings import Settings

def wait(predicate, timeout_s=60.0):
    start = time.monotonic()
    while not predicate() and time.monotonic() - start < timeout_s:
        QApplication.processEvents()
        time.sleep(0.005)
    return predicate()

for n, (data, cache) in enumerate(zip(sys.argv[2::2], sys.argv[3::2])):
    os.environ["GAERCHEN_DATA_DIR"], os.environ["GAERCHEN_CACHE_DIR"] = data, cache
    window = ExplorerWindow(settings=Settings.in_file(f"{sys.argv[1]}/settings{n}.ini"), seed=0)
    window.ask_before_closing = False
    window.show()
    start = time.monotonic()
    window.show_shipped("ae", quiet=True)
    failed = wait(lambda: window.model.error is not None)
    seconds = time.monotonic() - start
    message = window.latent_map.message or ""
    window.explorer.set_cursor(0.25, -0.25)
    decoded = wait(lambda: window.preview.image is not None, 10.0)
    window.actions[ActionKey.SHOW_VAE].trigger()
    vae = wait(lambda: window.model.kind == "vae" and window.model.error is not None)
    print(json.dumps({"failed": failed, "seconds": seconds, "message": message, "decoded": decoded,
                      "vae_message": window.latent_map.message if vae else None,
                      "busy": window.status.progress.isVisible()}), flush=True)
    close_window(window)
"""


def broken_copy(folder, how: str):
    """A data folder (FashionMNIST/raw inside) with the test images damaged as ``how`` says."""
    raw = folder / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    if how == "empty":
        return folder
    for name in FILE_MD5:
        if name != TEST_IMAGES:
            os.symlink(data_root() / "FashionMNIST" / "raw" / name, raw / name)
    good = (data_root() / "FashionMNIST" / "raw" / TEST_IMAGES).read_bytes()
    if how == "truncated":
        damaged = good[: len(good) // 3]
    elif how == "garbage":
        damaged = os.urandom(len(good))
    else:  # one bit flipped in the pixels
        middle = len(good) // 2
        damaged = good[:middle] + bytes([good[middle] ^ 0x10]) + good[middle + 1 :]
    (raw / TEST_IMAGES).write_bytes(damaged)
    return folder


CASES = [(how, cache) for how in ("empty", "truncated", "garbage") for cache in ("fresh", "warm")]
CASES.append(("bit flipped", "warm"))


def test_every_damaged_dataset_is_named_on_the_map_and_the_window_stays_usable(tmp_path, monkeypatch):
    warm = tmp_path / "warm-cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(warm))
    load_split(train=False)  # the good files fill this cache
    args = []
    for n, (how, cache) in enumerate(CASES):
        data = broken_copy(tmp_path / f"data{n}", how)
        cache_dir = warm if cache == "warm" else tmp_path / f"fresh-cache{n}"
        args += [str(data), str(cache_dir)]
    env = {k: v for k, v in os.environ.items() if k not in (DATA_DIR_ENV, CACHE_DIR_ENV)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert len(results) == len(CASES), done.stdout
    for (how, cache), result in zip(CASES, results, strict=True):
        case = f"{how}, {cache} cache: {result}"
        assert result["failed"] and result["seconds"] < 30, case
        assert TEST_IMAGES in result["message"], case
        expected = "not found" if how == "empty" else "corrupt"
        assert expected in result["message"] and "GAERCHEN_DATA_DIR" in result["message"], case
        assert result["decoded"] and not result["busy"], case
        assert result["vae_message"] and TEST_IMAGES in result["vae_message"], case


@pytest.mark.parametrize("how", ["empty", "garbage"])
def test_the_self_test_fails_at_once_naming_the_missing_or_damaged_file(tmp_path, tiny_models, how):
    data = broken_copy(tmp_path / "data", how)
    env = {
        **os.environ,
        "GAERCHEN_MODELS_DIR": str(tiny_models),
        DATA_DIR_ENV: str(data),
        CACHE_DIR_ENV: str(tmp_path / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    code = "import sys; from gaerchen_gui.gui.self_test import run_self_test; sys.exit(run_self_test())"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - start
    assert done.returncode == 1, done.stderr[-2000:]
    assert seconds < 60, seconds  # not the map's 240 s timeout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("gaerchen self-test FAILED:") and "timed out" not in last, last
    assert TEST_IMAGES in last and ("not found" if how == "empty" else "corrupt") in last, last
