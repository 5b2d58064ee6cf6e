"""What goes into the bundle beyond PyInstaller's own analysis, and what is taken out of it.

Used by gaerchen.spec. The bundle's ``--self-test`` decides what may go: it was run
after each step (trim, stubs, strip; README, "Bundle", has the sizes), and what it
caught stayed in. Patterns match a file's destination inside the bundle (relative
to ``_internal/``), with fnmatch rules: ``*`` also matches ``/``. The nvidia ones
fit both wheel layouts: ``nvidia/cu13/lib/`` (CUDA 13) and ``nvidia/cublas/lib/`` (12).
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

Toc = list[tuple[str, str, str]]  # PyInstaller's (destination, source, type code) entries

# Python packages the app never imports. PyInstaller's torch hook collects every torch
# submodule, and through them whatever torch *can* use: triton (0.9 GB; torch only imports
# it to ask whether it is there, and copes when it is not), CUDA's Python bindings (used
# by triton), and the test tools torch.testing mentions.
EXCLUDED_MODULES = [
    "triton",
    "cuda",  # cuda-bindings / cuda-pathfinder
    "pytest",
    "_pytest",
    "py",  # pytest's shim module
    "hypothesis",
    "pluggy",
    "iniconfig",
    "setuptools",
    "pkg_resources",
    "jinja2",  # torch._inductor's code templates: torch.compile is off in the bundle
    "markupsafe",
    "torch.utils.tensorboard",
    "tkinter",
    "imageio_ffmpeg",  # MP4 export is optional (165 MB of ffmpeg); the bundle writes GIF (core/animation_file.py)
    "PySide6.QtNetwork",  # nothing in Gaerchen talks to a network
]

# GPU libraries PyTorch only opens with dlopen() when a GPU computation needs them: the CPU
# path never loads them. (torch's start-up preloads every CUDA library it *finds*, so the
# self-test showing them loaded in an untrimmed bundle does not mean they are needed.)
LAZY_GPU_LIBRARIES = [
    "nvidia/*/lib/libcudnn_*.so*",  # cuDNN's engines; libcudnn.so.9 itself is linked and stays
    "nvidia/*/lib/libcusolver*.so*",  # only via torch/lib/libtorch_cuda_linalg.so, itself lazy
    "nvidia/*/lib/libnvrtc-builtins*",
    "nvidia/*/lib/libnvrtc.alt.so*",
    "nvidia/*/lib/libnvblas.so*",
    "nvidia/*/lib/libcufftw.so*",
    "nvidia/*/lib/libnvperf_*.so",
    "nvidia/*/lib/libcheckpoint.so",
    "nvidia/*/lib/libpcsamplingutil.so",
    "nvidia/*/lib/libcufile_rdma.so*",
    "nvidia/*/lib/libnvtx3interop.so*",
    "nvidia/*/lib/nvshmem_*.so*",  # NVSHMEM's network transports and bootstraps
    "nvidia/*/include/*",
    "nvidia/*/bin/*",
    "torch/lib/libtorch_cuda_linalg.so",  # opened on the first linear-algebra call on a GPU
    "torch/lib/libcaffe2_nvrtc.so",  # opened for GPU kernels compiled at run time
]

# GPU libraries that torch links (so they must be loadable) but never calls on the CPU: each is
# replaced by a stub of a few kB with the same name and symbols (packaging/cuda_stubs.py).
# cudart, cupti, cufile and libcudnn.so.9 are called or small, and stay real.
STUBBED_GPU_LIBRARIES = [
    "nvidia/*/lib/libcublasLt.so.*",
    "nvidia/*/lib/libcublas.so.*",
    "nvidia/*/lib/libcufft.so.*",
    "nvidia/*/lib/libcusparse.so.*",
    "nvidia/*/lib/libcurand.so.*",
    "nvidia/*/lib/libnvrtc.so.*",
    "nvidia/*/lib/libcusparseLt.so.*",
    "nvidia/*/lib/libnccl.so.*",
    "nvidia/*/lib/libnvshmem_host.so.*",
]
# Linked only by libraries that are stubbed (cuSPARSE) or left out (cuSOLVER): goes with the stubs.
STUB_ONLY_DEPENDENCIES = ["nvidia/*/lib/libnvJitLink.so*"]

# Files a running Gaerchen never opens.
UNUSED_FILES = [
    "torch/bin/protoc*",  # (torch_shm_manager stays: import torch checks that it exists)
    "torch/include/*",
    "torch/share/*",  # CMake files for building C++ extensions
    "*.a",
    "*.pyi",
    "*/tests/*",
    "*/testing/_internal/data/*",
    # metadata that hooks copy for packages left out above
    "cuda_bindings-*.dist-info/*",
    "hypothesis-*.dist-info/*",
    # Qt: Gaerchen draws on X11 (xcb), Wayland or offscreen; it never uses a network, TLS,
    # a framebuffer or VNC, GTK's theme (which drags in GTK's own libraries), or Qt's
    # translations (its interface is English only).
    "PySide6/Qt/translations/*",
    "PySide6/Qt/plugins/tls/*",
    "PySide6/Qt/plugins/networkinformation/*",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/generic/*",
    "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqminimal*.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/imageformats/libqtiff.so",
    "PySide6/Qt/plugins/imageformats/libqwebp.so",
    "PySide6/Qt/lib/libQt6EglF[Ss]*.so*",  # EGL full-screen, without a window system
    "PySide6/Qt/lib/libQt6Network.so*",
]

EXCLUDED_FILES = LAZY_GPU_LIBRARIES + UNUSED_FILES


def _matches(path: str, patterns: list[str]) -> bool:
    return any(fnmatch(path, pattern) for pattern in patterns)


def trim(toc: Toc, patterns: list[str] = EXCLUDED_FILES) -> Toc:
    """``toc`` without the files matching ``patterns``, and without the links PyInstaller made to them."""
    kept = []
    for dest, source, kind in toc:
        if _matches(dest, patterns):
            continue
        if kind == "SYMLINK" and _matches(str(Path(dest).parent / source).lstrip("./"), patterns):
            continue  # a top-level link to a library that is gone
        kept.append((dest, source, kind))
    return kept


def stub_gpu_libraries(binaries: Toc, datas: Toc, stub_dir: Path) -> tuple[Toc, Toc, list[str]]:
    """Replace each library matching STUBBED_GPU_LIBRARIES by its stub (built into ``stub_dir``) and
    leave out STUB_ONLY_DEPENDENCIES (PyInstaller's links to them sit among the data entries).

    Returns the new binaries and datas and the destinations that were replaced. Without gcc, nm
    and readelf the real libraries stay (a larger bundle that works the same)."""
    import cuda_stubs  # packaging/cuda_stubs.py, on sys.path through the spec

    if not cuda_stubs.tools_available():
        print("bundle_trim: gcc/nm/readelf not found: keeping the real GPU libraries (+1.8 GB)", file=sys.stderr)
        return binaries, datas, []
    out, replaced = [], []
    for dest, source, kind in trim(binaries, STUB_ONLY_DEPENDENCIES):
        if kind == "BINARY" and _matches(dest, STUBBED_GPU_LIBRARIES):
            stub = cuda_stubs.build_stub(Path(source), stub_dir / Path(dest).parent)
            out.append((dest, str(stub), kind))
            replaced.append(dest)
        else:
            out.append((dest, source, kind))
    return out, trim(datas, STUB_ONLY_DEPENDENCIES), replaced


# torch's own libraries carry full symbol tables (.symtab: long C++ names), 180 MB that only
# debuggers and crash backtraces read; the dynamic symbols the loader needs stay. Only these:
# stripping every library (PyInstaller's strip=True) breaks numpy's OpenBLAS, whose layout
# auditwheel's patchelf rewrote ("ELF load command address/offset not page-aligned").
STRIPPED_LIBRARIES = ["torch/lib/libtorch_cpu.so", "torch/lib/libtorch_cuda.so", "torch/lib/libtorch_python.so"]


def strip_torch(binaries: Toc, out_dir: Path) -> Toc:
    """``binaries`` with STRIPPED_LIBRARIES replaced by stripped copies in ``out_dir`` (if ``strip`` exists)."""
    if shutil.which("strip") is None:
        return binaries
    out = []
    for dest, source, kind in binaries:
        if kind == "BINARY" and _matches(dest, STRIPPED_LIBRARIES):
            target = out_dir / dest
            if not target.is_file() or target.stat().st_mtime < Path(source).stat().st_mtime:
                target.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(["strip", "--strip-unneeded", "-o", str(target), source], check=True)
            source = str(target)
        out.append((dest, source, kind))
    return out


def torchvision_ops() -> list[tuple[str, str]]:
    """torchvision's compiled operators, which PyInstaller does not find on its own: without
    them torchvision dies on import with ``operator torchvision::nms does not exist``."""
    import torchvision

    folder = Path(torchvision.__file__).parent
    found = sorted(folder.glob("*_stable*.so")) + sorted(folder.glob("*_stable*.pyd"))
    return [(str(path), "torchvision") for path in found]


_LICENCE_NAME = re.compile(r"(licen[cs]e|copying|notice|authors|eula)", re.IGNORECASE)
# Licence texts for distributions that only name their licence (Qt for Python: LGPL-3.0, which
# builds on the GPL-3.0), where the build machine has them (Debian's common-licenses).
_LICENCE_TEXTS = {
    "LGPL-3.0": Path("/usr/share/common-licenses/LGPL-3"),
    "GPL-3.0": Path("/usr/share/common-licenses/GPL-3"),
}


def licence_files(*tocs: Toc) -> Toc:
    """DATA entries ``licenses/<distribution>/...`` with the licence files of every installed
    distribution that has a module or file in the bundle, plus Python's own."""
    shipped_tops = set()  # top-level package of every module ("torch.nn" -> torch) and file ("PySide6/Qt/...")
    for toc in tocs:
        for dest, _source, _kind in toc:
            dest = dest.replace("\\", "/")
            shipped_tops.add(dest.split("/", 1)[0] if "/" in dest else dest.split(".", 1)[0])
    providers = importlib.metadata.packages_distributions()
    names = sorted({dist for top in shipped_tops for dist in providers.get(top, [])})
    entries: Toc = []
    for name in names:
        dist = importlib.metadata.distribution(name)
        found: Toc = []
        for file in dist.files or []:
            parts = file.parts
            if not parts or not parts[0].endswith(".dist-info"):
                continue
            inner = parts[1:]
            if not inner or not (inner[0] == "licenses" or _LICENCE_NAME.search(inner[-1])):
                continue
            relative = "/".join(inner[1:] if inner[0] == "licenses" else inner)
            found.append((f"licenses/{name}/{relative}", str(dist.locate_file(file)), "DATA"))
        if not found:  # e.g. PySide6 and shiboken6: the licence is named in the metadata only
            metadata = next((f for f in dist.files or [] if f.name == "METADATA"), None)
            if metadata is not None:
                found.append((f"licenses/{name}/METADATA", str(dist.locate_file(metadata)), "DATA"))
            for spdx, text in _LICENCE_TEXTS.items():
                if spdx in (dist.metadata.get("License") or "") and text.is_file():
                    found.append((f"licenses/{name}/{text.name}", str(text), "DATA"))
        entries += found
    python_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    python_licence /= "LICENSE.txt"
    if python_licence.is_file():
        entries.append(("licenses/python/LICENSE.txt", str(python_licence), "DATA"))
    return entries


def windows_version_info(version: str, description: str):  # a PyInstaller VSVersionInfo
    """The version resource of gaerchen.exe (Explorer's Properties > Details)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:4])
    numbers = numbers + (0,) * (4 - len(numbers))
    strings = {
        "CompanyName": "Gaerchen",
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": "gaerchen",
        "LegalCopyright": "MIT licence",
        "OriginalFilename": "gaerchen.exe",
        "ProductName": "Gaerchen",
        "ProductVersion": version,
    }
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo([vi.StringTable("040904B0", [vi.StringStruct(k, v) for k, v in strings.items()])]),
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])]),
        ],
    )
