#!/usr/bin/env bash
# One entry point for a fresh clone on Debian/Ubuntu:
#   bash dev.sh run     set up, then launch Gaerchen on its shipped models
#   bash dev.sh test    set up, then run the whole test suite
#   bash dev.sh setup   only set up (.venv/ at the repository root)
# Setting up installs what is missing: Debian packages (python3-venv and the
# libraries Qt loads) with apt-get, then torch, torchvision and Gaerchen with pip.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"
# torch and torchvision must be a matching pair (see README, "Why these versions").
TORCH_PINS=(torch==2.14.1 torchvision==0.29.1)
# Shared libraries PySide6 needs on a bare Debian: offscreen and under X11 (xcb).
QT_DEBS=(libgl1 libegl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
         libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
         libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1)

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { echo "dev.sh: please install: ${missing[*]}" >&2; return 1; }
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "dev.sh: installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup() {
    command -v dpkg-query >/dev/null && apt_install "${QT_DEBS[@]}"
    if [ ! -x "$PY" ]; then
        if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
            apt_install python3-venv
        fi
        python3 -m venv "$VENV"
    fi
    # Re-install only when pyproject.toml changed since the last setup.
    local stamp="$VENV/.gaerchen-installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$PY" -m pip install -q --upgrade pip
        "$PY" -m pip install -q "${TORCH_PINS[@]}"
        "$PY" -m pip install -q -e '.[test,video]'
        touch "$stamp"
    fi
}

case "${1:-}" in
    setup) setup ;;
    run)
        setup
        shift
        exec "$VENV/bin/gaerchen" "$@"
        ;;
    test)
        setup
        # The packaging tests validate the .desktop file and build a stub library.
        command -v dpkg-query >/dev/null && apt_install desktop-file-utils gcc binutils
        shift
        export QT_QPA_PLATFORM=offscreen
        "$VENV/bin/ruff" check gaerchen_gui tests benchmarks
        "$VENV/bin/ruff" format --check gaerchen_gui tests benchmarks
        exec "$PY" -m pytest "$@"
        ;;
    *)
        echo "usage: bash dev.sh {run|test|setup} [args...]" >&2
        exit 2
        ;;
esac
