"""The API reference's promises: every public function and class of the binding has a
numpydoc docstring with its Parameters (or a result's Attributes), Returns and an
Examples section, and every example runs and prints what it claims (doctest)."""

import doctest
import inspect

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import boltzmann as bz

#: The public modules, each with an __all__ listing what it defines for users.
MODULES = [bz.thermo, bz.microstates, bz.occupations, bz.ising, bz.montecarlo, bz.tempering, bz.pbits, bz.rbm,
           bz.hopfield, bz.diffusion, bz.metrics, bz.datasets, bz.plot, bz.errors, bz.distributed]
try:  # boltzmann.ocean needs dimod (the "test" extra installs it)
    from boltzmann import ocean
    MODULES.append(ocean)
except ImportError:
    pass
#: The package's own functions (``bz.set_num_threads`` and the like).
PACKAGE = ["set_num_threads", "get_num_threads", "limits", "library_path", "set_progress", "get_progress"]


def public():
    found = [(f"boltzmann.{name}", getattr(bz, name)) for name in PACKAGE]
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append((f"{module.__name__}.{name}", obj))
    return found


PUBLIC = public()


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_all_lists_what_the_module_defines(module):
    defined = {name for name, obj in vars(module).items()
               if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
               and obj.__module__ == module.__name__}
    assert defined <= set(module.__all__), sorted(defined - set(module.__all__))


def _parameters(obj):
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters if p not in ("self", "cls")]


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_numpydoc_docstring(name, obj):
    if inspect.isclass(obj):
        doc = ClassDoc(obj, config={"show_class_members": False})
        import dataclasses
        if dataclasses.is_dataclass(obj):
            assert doc["Attributes"], f"{name}: a result documents its fields under Attributes"
        elif "__init__" in vars(obj) and _parameters(obj.__init__):
            assert doc["Parameters"], f"{name}: no Parameters section"
    else:
        doc = FunctionDoc(obj)
        if _parameters(obj):
            assert doc["Parameters"], f"{name}: no Parameters section"
        assert doc["Returns"] or doc["Yields"], f"{name}: no Returns section"
    assert doc["Summary"], f"{name}: no summary line"
    assert ">>>" in "\n".join(doc["Examples"]), f"{name}: no example"
    documented = {name.strip().lstrip("*") for p in doc["Parameters"] for name in p.name.split(",")}
    if documented and not inspect.isclass(obj):
        missing = [p for p in _parameters(obj) if p not in documented]
        assert not missing, f"{name}: parameters not documented: {missing}"


DOCTEST_MODULES = [bz, bz._progress, *MODULES]


@pytest.mark.parametrize("module", DOCTEST_MODULES, ids=[m.__name__ for m in DOCTEST_MODULES])
def test_docstring_examples(module):
    import matplotlib
    matplotlib.use("Agg")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_c_reference_documents_every_function(header):
    """The C API page (docs/_ext/header_doc.py) gives every function of the header an
    entry with its comment."""
    import re
    import sys

    from conftest import REPO
    sys.path.insert(0, str(REPO / "docs" / "_ext"))
    try:
        import header_doc
    finally:
        sys.path.pop(0)
    lines = header_doc.header_rst(header)
    entries = [i for i, line in enumerate(lines) if line.startswith(".. c:function:: ")]
    documented = {re.search(r"\b(bz_\w+)\s*\(", lines[i]).group(1) for i in entries}
    declared = set(re.findall(r"^[a-z][\w\s\*]*?\b(bz_\w+)\s*\(", header.read_text(), re.M))
    assert documented == declared
    assert all(lines[i + 2].strip() == "::" and lines[i + 4].strip() for i in entries), "an entry without its comment"
