#!/usr/bin/env bash
# Build Gaerchen as one folder that runs without Python, dist/gaerchen/, then test it:
#   bash packaging/build_bundle.sh
# Sets up .venv/ like dev.sh (plus PyInstaller, the "bundle" extra), runs PyInstaller on
# packaging/gaerchen.spec, adds the .desktop file and icon, prints the size breakdown and runs
# the bundle's --self-test with an empty environment (no virtualenv, no display: offscreen).
# The self-test must pass, load no library from outside the bundle but the system's own
# (libc, libGL, ...), and write nothing into the bundle. Exit status 0 only if all of that holds.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
DIST=dist/gaerchen
MIN_FREE_GB=10  # the build tree and the bundle take ~3 GB; PyInstaller also copies through /tmp

bash dev.sh setup
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install -q -e '.[bundle]'

free_gb=$(df -Pk . | awk 'NR==2 {print int($4 / 1048576)}')
if [ "$free_gb" -lt "$MIN_FREE_GB" ]; then
    echo "build_bundle: only ${free_gb} GB free here; need ${MIN_FREE_GB} GB" >&2
    exit 1
fi

start=$SECONDS
"$PY" -m PyInstaller packaging/gaerchen.spec --noconfirm --log-level WARN --distpath dist --workpath build
build_s=$((SECONDS - start))

# Desktop integration files beside the executable (README, "Bundle", says where they go).
cp packaging/gaerchen.desktop "$DIST/gaerchen.desktop"
cp resources/icons/gaerchen-256.png "$DIST/gaerchen.png"
cp resources/icons/gaerchen.svg "$DIST/gaerchen.svg"
ln -sfn _internal/licenses "$DIST/licenses"

echo
echo "== size of $DIST (MiB)"
internal="$DIST/_internal"
listed=0
part() {  # label, paths...: their size in MiB (missing paths count 0)
    local label=$1
    shift
    local mb
    mb=$(du -scm "$@" 2>/dev/null | awk 'END {print $1}')
    listed=$((listed + ${mb:-0}))
    printf '%7s  %s\n' "${mb:-0}" "$label"
}
total_mb=$(du -sm "$DIST" | awk '{print $1}')
printf '%7s  %s\n' "$total_mb" "total"
part "torch/lib (libtorch_cpu, libtorch_cuda, ...)" "$internal/torch/lib"
part "nvidia (CUDA libraries torch links; stubs)" "$internal/nvidia"
part "torch (Python sources, data)" --exclude=lib "$internal/torch"
part "PySide6 + Qt" "$internal/PySide6" "$internal"/libQt6* "$internal"/libicu*
part "numpy + numpy.libs" "$internal/numpy" "$internal/numpy.libs"
part "PIL + pillow.libs" "$internal/PIL" "$internal/pillow.libs"
part "torchvision + torchvision.libs" "$internal/torchvision" "$internal/torchvision.libs"
part "Python (libpython, stdlib, base_library.zip, PYZ)" "$internal/libpython3"* "$internal/python3"* \
    "$internal/base_library.zip" "$DIST/gaerchen"
part "Fashion-MNIST + shipped models" "$internal/resources/data" "$internal/models"
printf '%7s  %s\n' "$((total_mb - listed))" "other (system libraries, licences, icons, ...)"
echo "(build: ${build_s} s)"

echo
echo "== self-test: env -i $DIST/gaerchen --self-test"
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
touch "$log_dir/before"
sleep 1  # so that anything the self-test writes is strictly newer
# LD_DEBUG=libs records every shared library the process loads, dlopen() included.
env -i LD_DEBUG=libs LD_DEBUG_OUTPUT="$log_dir/ld" "$DIST/gaerchen" --self-test

bundle_dir=$(cd "$DIST" && pwd -P)
outside=$(cat "$log_dir"/ld.* | awk '/calling init:/ {print $NF}' | sort -u \
    | grep -v "^$bundle_dir/" | grep -v -E '^/(usr/)?lib(64|/x86_64-linux-gnu)?/' || true)
if [ -n "$outside" ]; then
    echo "build_bundle: the bundle loaded libraries from outside itself and the system folders:" >&2
    echo "$outside" >&2
    exit 1
fi
written=$(find "$DIST/" -newer "$log_dir/before" -print)
if [ -n "$written" ]; then
    echo "build_bundle: the self-test wrote into the bundle:" >&2
    echo "$written" >&2
    exit 1
fi
echo "build_bundle: OK: ${build_s} s to build, self-test passed, nothing loaded from outside the bundle but system libraries, nothing written into it"
