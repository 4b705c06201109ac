"""Examples are tests: every examples/*.py runs to completion, and the README shows the
quickstart programs exactly as they are in the tree."""

import subprocess
import sys

import pytest

from conftest import REPO, child_env

EXAMPLES = sorted((REPO / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script):
    env = child_env()
    result = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tour_shows_the_seed_corrections():
    env = child_env()
    out = subprocess.run([sys.executable, "examples/tour.py"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600, check=True).stdout
    assert "W = 10!/(7! 2! 1!) = 360, E = 0*7 + 1*2 + 2*1 = 4" in out
    assert "P(3 heads) = 10/32" in out


@pytest.mark.parametrize("path", ["examples/quickstart.py", "bindings/c/examples/quickstart.c"])
def test_readme_shows_the_quickstarts(path):
    assert (REPO / path).read_text().strip() in (REPO / "README.md").read_text()


def test_readme_python_examples_run(tmp_path):
    """Every ```python block of the README, in order, as one program (each block builds
    on the imports of the first), in a scratch folder: what a newcomer pastes runs."""
    import re
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert len(blocks) >= 5
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(blocks))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=child_env(BOLTZMANN_PROGRESS="0"),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
