"""Sphinx configuration of the Boltzmann reference (`make docs`; CI builds it with
warnings as errors). The Python pages come from the binding's numpydoc docstrings
(autodoc + numpydoc), the C page from the header's comments (_ext/header_doc.py), the
guide from the README (MyST)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import boltzmann  # noqa: E402 - the package documented: installed, or the checkout's (make sets PYTHONPATH)

project = "Boltzmann"
author = "The Boltzmann authors"
copyright = "2026, the Boltzmann authors"
release = boltzmann.__version__
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc", "numpydoc", "myst_parser", "header_doc"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False  # autodoc lists members; numpydoc would repeat them
numpydoc_class_members_toctree = False
myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"Boltzmann {release}"
html_theme_options = {"description": "Statistical physics and energy-based models on one engine",
                      "page_width": "1100px", "sidebar_width": "240px"}
