"""The shared library's binary contract: exports and run-time dependencies."""

import re
import subprocess

import boltzmann as bz


def header_function_names(header):
    return set(re.findall(r"\b(bz_[a-z0-9_]+)\s*\(", header.read_text()))


def test_exports_exactly_the_header(header):
    out = subprocess.run(["nm", "-D", "--defined-only", bz.library_path()],
                         check=True, capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert exported == header_function_names(header)


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
