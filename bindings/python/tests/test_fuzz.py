"""Random hostile calls must never crash the process (see fuzz_child.py)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import child_env

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_calls_never_crash(seed):
    env = child_env()
    result = subprocess.run([sys.executable, str(HERE / "fuzz_child.py"), str(seed), "4000"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"child died ({result.returncode}): {result.stderr[-2000:]}"
    tally = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    # The pools reach both outcomes: real work and each common refusal.
    assert tally.get("ok", 0) > 200
    for kind in ("NullPointerError", "InvalidArgument", "NumericError", "InvalidHandle", "ShapeError"):
        assert tally.get(kind, 0) > 0, (kind, tally)
