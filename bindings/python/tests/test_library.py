"""The shared library's binary contract: exports and run-time dependencies."""

import re
import subprocess

import pytest

import boltzmann as bz
from conftest import not_under_sanitizer


def header_function_names(header):
    return set(re.findall(r"\b(bz_[a-z0-9_]+)\s*\(", header.read_text()))


def test_exports_exactly_the_header(header):
    out = subprocess.run(["nm", "-D", "--defined-only", bz.library_path()],
                         check=True, capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert exported == header_function_names(header)


@not_under_sanitizer
def test_self_contained(repo):
    out = subprocess.run(["readelf", "-d", bz.library_path()],
                         check=True, capture_output=True, text=True).stdout
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", out)
    assert not [n for n in needed if "swift" in n or "dispatch" in n or "Foundation" in n], needed
    for path in re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.+)\]", out):
        for entry in path.split(":"):
            assert entry.startswith("$ORIGIN"), f"absolute run path {entry}"


def test_threads_bound():
    default = bz.get_num_threads()
    assert default >= 1
    bz.set_num_threads(1)
    assert bz.get_num_threads() == 1
    bz.set_num_threads(0)
    assert bz.get_num_threads() == default


def test_avx2_code_stays_in_its_module():
    """The engine runs on any x86-64 processor: AVX instructions (VEX-encoded, or on
    ymm/zmm registers) appear only in BoltzmannKernelsAVX2, the build of the
    elementwise kernels the engine calls after checking the processor. A merged
    specialisation or a lost compiler flag would show here."""
    import platform
    import shutil

    if platform.machine() != "x86_64":
        pytest.skip("the AVX2 build exists only on x86-64")
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not installed")
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", bz.library_path()],
                         check=True, capture_output=True, text=True).stdout
    function, with_avx = None, set()
    for line in out.splitlines():
        start = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if start:
            function = start.group(1)
        elif re.search(r"\tv[a-z0-9]+\s.*%[xyz]mm|%[yz]mm", line):
            with_avx.add(function)
    outside = sorted(f for f in with_avx if "BoltzmannKernelsAVX2" not in f)
    assert not outside, f"AVX instructions outside the AVX2 kernels: {outside[:5]}"
    assert any("silu" in f for f in with_avx), "the AVX2 build of the kernels has no AVX2 SiLU (compiler flag lost?)"


def blas_importers(sources):
    """Swift files that import OpenBLAS directly."""
    return sorted(str(p.relative_to(sources)) for p in sources.rglob("*.swift")
                  if re.search(r"^import COpenBLAS$", p.read_text(), re.M))


def test_blas_has_one_door(repo, tmp_path):
    """Every BLAS call goes through Numerics/BLAS.swift, where the thread-count
    invariant and the checked narrowing to BLAS's 32-bit sizes live: no other file may
    import OpenBLAS (shown to fail on a copy that does)."""
    sources = repo / "Sources"
    assert blas_importers(sources) == ["BoltzmannCore/Numerics/BLAS.swift"]
    (tmp_path / "Stray.swift").write_text("import COpenBLAS\n")
    (tmp_path / "BLAS.swift").write_text("import COpenBLAS\n")
    assert blas_importers(tmp_path) == ["BLAS.swift", "Stray.swift"]


def test_versions_agree(header):
    """One version: the header's BZ_VERSION_STRING is what the library reports, what the
    package says and what pyproject.toml (hence the wheel's name and metadata) declares."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    from importlib import metadata

    from conftest import BINDING, INSTALLED
    declared = re.search(r'#define BZ_VERSION_STRING "(.+)"', header.read_text()).group(1)
    project = tomllib.loads((BINDING / "pyproject.toml").read_text())["project"]["version"]
    assert bz.__version__ == declared == project
    major = int(declared.split(".")[0])
    assert bz._lib.VERSION_MAJOR == bz._lib.ABI_VERSION == major
    if INSTALLED:  # the wheel scripts/test-wheel installed: its metadata and tag
        assert metadata.version("boltzmann") == declared
        wheel = metadata.distribution("boltzmann").read_text("WHEEL")
        tags = re.findall(r"^Tag: (.+)$", wheel, re.M)
        assert tags and all(re.fullmatch(r"py3-none-manylinux_\d+_\d+_x86_64", t) for t in tags), tags
        assert "Root-Is-Purelib: false" in wheel
