"""The bundle's build files, checked without building the bundle (packaging/build_bundle.sh does that)."""

from __future__ import annotations

import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
sys.path.insert(0, str(PACKAGING))

import bundle_trim  # noqa: E402
import cuda_stubs  # noqa: E402

# Files the bundle cannot work without (a pattern that swallowed one would break it).
MUST_SHIP = [
    "torch/lib/libtorch_cpu.so",
    "torch/lib/libtorch_cuda.so",
    "torch/lib/libtorch_python.so",
    "torch/bin/torch_shm_manager",
    "nvidia/cu13/lib/libcudart.so.13",
    "nvidia/cu13/lib/libcupti.so.13",
    "nvidia/cudnn/lib/libcudnn.so.9",
    "torchvision/_C_stable.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libicudata.so.73",
    "resources/data/FashionMNIST/raw/train-images-idx3-ubyte",
    "models/ae.pt",
    "licenses/torch/LICENSE",
]


def test_spec_is_python():
    compile((PACKAGING / "gaerchen.spec").read_text(encoding="utf-8"), "gaerchen.spec", "exec")


@pytest.mark.parametrize("dest", MUST_SHIP)
def test_trim_keeps_what_the_bundle_needs(dest):
    toc = [(dest, "/src/" + dest, "BINARY")]
    assert bundle_trim.trim(toc) == toc
    stubbed = bundle_trim.STUBBED_GPU_LIBRARIES + bundle_trim.STUB_ONLY_DEPENDENCIES
    assert bundle_trim.trim(toc, stubbed) == toc  # neither replaced by a stub nor left out with them


def test_trim_drops_files_and_links_to_them():
    toc = [
        ("nvidia/cudnn/lib/libcudnn_adv.so.9", "/x/libcudnn_adv.so.9", "BINARY"),
        ("libcudnn_adv.so.9", "nvidia/cudnn/lib/libcudnn_adv.so.9", "SYMLINK"),
        ("libcudnn.so.9", "nvidia/cudnn/lib/libcudnn.so.9", "SYMLINK"),
        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
    ]
    assert bundle_trim.trim(toc) == [("libcudnn.so.9", "nvidia/cudnn/lib/libcudnn.so.9", "SYMLINK")]


def test_windows_version_info(monkeypatch):
    """The spec's version resource for gaerchen.exe builds and serialises (off Windows, PyInstaller's
    version-info module only lacks the Windows-only imports it never uses for this)."""
    import PyInstaller.compat as compat  # the test extra installs PyInstaller

    monkeypatch.setitem(sys.modules, "pefile", sys.modules.get("pefile") or types.ModuleType("pefile"))
    monkeypatch.setattr(compat, "win32api", getattr(compat, "win32api", None), raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    info = bundle_trim.windows_version_info("0.1.0", "Gaerchen")
    assert "StringStruct('ProductVersion', '0.1.0')" in str(info)
    assert "filevers=(0, 1, 0, 0)" in str(info)
    assert len(info.toRaw()) > 500


def test_desktop_file_validates():  # dev.sh test installs desktop-file-utils
    result = subprocess.run(
        ["desktop-file-validate", str(PACKAGING / "gaerchen.desktop")], capture_output=True, text=True
    )
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert result.returncode == 0 and not errors, result.stdout


def test_icons():
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(ICONS / f"gaerchen-{size}.png") as image:
            assert image.size == (size, size) and image.mode == "RGBA"
    with Image.open(ICONS / "gaerchen.ico") as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= ico.info["sizes"]
    with Image.open(ICONS / "gaerchen.icns") as icns:
        assert icns.size == (1024, 1024)  # 512 px at 2x
    for svg in ("gaerchen.svg", "gaerchen-small.svg"):
        assert ET.parse(ICONS / svg).getroot().tag.endswith("svg")


def test_stub_library_loads_and_fails_loudly(tmp_path):  # gcc, nm, readelf: dev.sh test installs them
    """A stub has the real library's name, version node and symbols; calling one aborts with its name."""
    source = tmp_path / "real.c"
    source.write_text("int fancy_add(int a, int b) { return a + b; }\nint fancy_table[4] = {1, 2, 3, 4};\n")
    (tmp_path / "real.map").write_text("libfancy.so.3 { global: fancy_add; fancy_table; local: *; };\n")
    real = tmp_path / "real" / "libfancy.so.3"
    real.parent.mkdir()
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,-soname,libfancy.so.3", f"-Wl,--version-script={tmp_path / 'real.map'}",
         "-o", str(real), str(source)],
        check=True,
    )  # fmt: skip
    stub = cuda_stubs.build_stub(real, tmp_path / "stub")
    assert cuda_stubs.soname(stub) == "libfancy.so.3"
    exported = {(name, version) for name, _kind, version, _size in cuda_stubs.exported_symbols(stub)}
    assert {("fancy_add", "libfancy.so.3"), ("fancy_table", "libfancy.so.3")} <= exported
    call = f"import ctypes; ctypes.CDLL({str(stub)!r}).fancy_add(1, 2)"
    result = subprocess.run([sys.executable, "-c", call], capture_output=True, text=True)
    assert result.returncode != 0
    assert "fancy_add was called, but libfancy.so.3 is a stub" in result.stderr
