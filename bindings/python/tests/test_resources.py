"""Sizes and resources: absurd requests under an address-space limit end in a clean
error naming the size (never an abort or an OOM kill), and creating and freeing handles,
or failing calls, by the ten thousand leaves the resident memory flat."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import boltzmann as bz
from conftest import child_env, not_under_sanitizer
from boltzmann import diffusion

CHILD = Path(__file__).with_name("resource_child.py")
LIMIT = 8 << 30  # RLIMIT_AS for the child: 8 GiB

# The library's own refusals: each must be one of these, with the size in its message.
LIBRARY = {"OutOfMemory", "LimitExceeded", "InvalidArgument"}


@not_under_sanitizer
def test_absurd_requests_under_an_address_space_limit():
    sys.path.insert(0, str(CHILD.parent))
    import resource_child

    names = [name for name, _ in resource_child.requests()]
    outcomes = {}
    for name in names:  # one process per request: a crash must not hide the others
        run = subprocess.run([sys.executable, str(CHILD), str(LIMIT), name], capture_output=True, text=True, timeout=300,
                             env=child_env())
        lines = [line for line in run.stdout.splitlines() if line.startswith(name) and not line.endswith(" start")]
        outcomes[name] = lines[0].split(" ", 2)[1:] if run.returncode == 0 and lines else ["crashed", run.stderr[-300:]]
    report = "; ".join(f"{name}: {' '.join(o)[:90]}" for name, o in outcomes.items())
    print(f"under RLIMIT_AS = 8 GiB: {report}")
    crashed = {name: o for name, o in outcomes.items() if o[0] == "crashed"}
    assert not crashed, crashed
    for name, (kind, message) in outcomes.items():
        assert kind in LIBRARY | {"MemoryError"}, (name, kind, message)
        if kind == "OutOfMemory":
            assert "GiB" in message or "TiB" in message, (name, message)
    assert sum(kind == "OutOfMemory" for kind, _ in outcomes.values()) >= 8


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


CYCLES = int(os.environ.get("BOLTZMANN_CYCLES", "20000"))


def every_handle_kind():
    """One of each handle the library makes, created and freed."""
    model = bz.IsingModel.chain(6)
    yield lambda: bz.Spectrum([0.0, 1.0]).close()
    yield lambda: bz.IsingModel.chain(6).close()
    yield lambda: bz.MonteCarlo(model, 0.5, "heat_bath", chains=1, seed=1).close()
    yield lambda: bz.ParallelTempering(model, [0.5, 1.0], replicas=1, seed=1).close()
    yield lambda: bz.RBM(3, random_state=1).initialize(4).close()
    yield lambda: bz.pbits.and_gate().close()
    yield lambda: bz.Hopfield(8).close()
    yield lambda: bz.DenseHopfield(np.ones((2, 3), np.float32)).close()
    yield lambda: diffusion.VPSDE().close()
    yield lambda: diffusion.MLPScore(2, hidden=(4,), seed=1).close()


def failing_calls():
    rbm = bz.RBM(3, random_state=1).initialize(4)
    for call in (lambda: bz.Spectrum([]), lambda: rbm.log_partition("ais", runs=0),
                 lambda: bz.IsingModel.square(-1), lambda: bz.RBM.from_bytes(b"BZRBM\r\n\x1a broken")):
        try:
            call()
        except bz.BoltzmannError:
            pass


@not_under_sanitizer
def test_create_free_cycles_and_failing_calls_leave_memory_flat():
    for make in every_handle_kind():  # warm-up: caches, pools, the registry's table
        for _ in range(200):
            make()
    for _ in range(200):
        failing_calls()
    before = resident_bytes()
    kinds = 0
    for make in every_handle_kind():
        for _ in range(CYCLES):
            make()
        kinds += 1
    for _ in range(CYCLES // 4):  # four failing calls each
        failing_calls()
    grown = resident_bytes() - before
    print(f"{CYCLES} create/free cycles of each of {kinds} handle kinds and {CYCLES} failing calls: "
          f"resident memory {before / 2**20:.1f} MiB -> {(before + grown) / 2**20:.1f} MiB")
    assert grown < 8 << 20, f"resident memory grew by {grown / 2**20:.1f} MiB"
