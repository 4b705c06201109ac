#!/usr/bin/env bash
# Make sure what `make` needs is installed: on a Debian machine run as root (or in a
# Python virtualenv) install what is missing; otherwise say exactly what to run.
#   System: a C compiler, binutils, OpenBLAS (libopenblas-dev), pkg-config.
#   Python: numpy, and for tests and benchmarks pytest, pycparser, scipy, scikit-learn
#           (the list is bindings/python/pyproject.toml, extra "test").
#   Swift:  the 6.3 toolchain must already be on PATH (https://swift.org/install).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
is_root() { [ "$(id -u)" = 0 ]; }

if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift not found on PATH; install the Swift 6.3 toolchain (https://swift.org/install)" >&2
    exit 1
fi

# --- system packages -----------------------------------------------------------
missing=()
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! printf '#include <cblas.h>\nint main(void) { openblas_set_num_threads(1); return 0; }\n' |
        cc -x c - -lopenblas -o /dev/null >/dev/null 2>&1; then
    missing+=(libopenblas-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        echo "installing ${missing[*]} (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "error: missing system packages: ${missing[*]}" >&2
        echo "run:   sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

# --- Python packages -------------------------------------------------------------
if ! "$PYTHON" -c "import numpy, scipy, pytest, pycparser, sklearn" >/dev/null 2>&1; then
    in_venv=$("$PYTHON" -c "import sys; print(int(sys.prefix != sys.base_prefix))")
    if is_root || [ "$in_venv" = 1 ]; then
        echo "installing the Python binding and its test dependencies (pip)"
        # Root on a distribution Python: allow pip beside the system's packages.
        PIP_BREAK_SYSTEM_PACKAGES=1 "$PYTHON" -m pip install --quiet -e "bindings/python[test]"
    else
        echo "error: missing Python packages (numpy, scipy, pytest, pycparser, scikit-learn)" >&2
        echo "run:   $PYTHON -m pip install --user -e 'bindings/python[test]'   (or in a virtualenv)" >&2
        exit 1
    fi
fi
