"""The notebook tour (examples/tour.ipynb) runs headless, top to bottom, in a kernel of
this Python with the boltzmann package under test, and fails on any error or warning.
Its outputs are not committed: the notebook in the tree is its source."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import boltzmann as bz
from conftest import REPO, child_env

TOUR = REPO / "examples" / "tour.ipynb"
MODULES = ("thermo", "microstates", "occupations", "ising", "montecarlo", "tempering", "pbits", "hopfield", "rbm",
           "diffusion", "metrics", "datasets")

#: Run first, not saved: warnings raise (so a warning fails its cell) and the kernel
#: reports which package it imported.
PREAMBLE = "import warnings, boltzmann\nwarnings.simplefilter('error')\nprint(boltzmann.__file__)"


def test_committed_without_outputs():
    nb = nbformat.read(TOUR, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_tours_every_module():
    text = TOUR.read_text()
    assert [m for m in MODULES if f"boltzmann.{m}" not in text] == []
    assert "bz.plot." in text


def test_tour_executes_without_errors_or_warnings(tmp_path, monkeypatch):
    nb = nbformat.read(TOUR, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PREAMBLE))
    # The kernel: this interpreter (first on PATH) with this process's boltzmann.
    for name, value in child_env().items():
        monkeypatch.setenv(name, value)
    if "PYTHONPATH" not in child_env():
        monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    imported = nb.cells[0].outputs[0]["text"].strip()
    assert Path(imported).resolve() == Path(bz.__file__).resolve()
    problems = []
    for k, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append((k, out.ename))
            if out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                problems.append((k, out.text[-300:]))
    assert problems == []
    figures = sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    tables = sum("text/html" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert figures >= 15 and tables >= 10, (figures, tables)
