# Boltzmann: the front door.
#   make demo    build the library and run the tour (examples/tour.py)
#   make test    build, then the Swift, C and Python test suites
#   make bench   benchmarks against the peers (bench/)
#   make docs    the API reference (Sphinx, warnings as errors): .build/docs/index.html
#   make wheel   a manylinux wheel carrying the library (dist/): pip install dist/boltzmann-*.whl
#   make install PREFIX=/usr/local   library, header, boltzmann.pc and the CMake package
PYTHON ?= python3
SWIFT  ?= swift
CC     ?= cc
PREFIX ?= /usr/local

SWIFT_RELEASE := -c release -Xswiftc -static-stdlib
LIB           := .build/release/libboltzmann.so
VERSION       := $(shell sed -n 's/^\#define BZ_VERSION_STRING "\(.*\)"/\1/p' include/boltzmann.h)
STAGE         := .build/stage

# The binding is used from the checkout, whether or not it is pip-installed.
export PYTHONPATH := $(CURDIR)/bindings/python$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: all deps build demo test test-swift test-c test-python test-determinism check-valgrind check-tsan \
        check-sanitizers fuzz bench install wheel test-wheel docs clean
all: build

deps:
	@PYTHON=$(PYTHON) scripts/ensure-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_RELEASE)

demo: build
	$(PYTHON) examples/tour.py

test: build
	$(MAKE) test-swift test-c test-python test-determinism

test-swift:
	$(SWIFT) test

# Every C example and test as strict C99, then the quickstart against a staged
# `make install`, built through pkg-config and through CMake's find_package, each run
# with no LD_LIBRARY_PATH (the run path comes from boltzmann.pc / the imported target).
test-c: $(LIB)
	$(MAKE) -C bindings/c test ROOT=$(CURDIR)
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(STAGE)
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic bindings/c/examples/quickstart.c -o $(STAGE)/quickstart \
		$$(PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig pkg-config --cflags --libs boltzmann)
	env -u LD_LIBRARY_PATH $(STAGE)/quickstart
	cmake -S bindings/c/examples -B $(STAGE)/cmake -DCMAKE_PREFIX_PATH=$(CURDIR)/$(STAGE) \
		-DCMAKE_C_FLAGS="-Wall -Wextra -Werror -pedantic" > $(STAGE)/cmake.log
	cmake --build $(STAGE)/cmake >> $(STAGE)/cmake.log
	env -u LD_LIBRARY_PATH $(STAGE)/cmake/quickstart

test-python: $(LIB)
	$(PYTHON) -m pytest -q bindings/python/tests

# The reproducibility promises (the header's "Reproducibility") once per OpenBLAS core
# type this machine runs (scripts/blas-coretypes): kernels differ in how they sum.
test-determinism: $(LIB)
	@set -e; for core in $$(PYTHON=$(PYTHON) scripts/blas-coretypes $(LIB)); do \
		if [ "$$core" = default ]; then unset OPENBLAS_CORETYPE; else export OPENBLAS_CORETYPE=$$core; fi; \
		echo "== determinism, OpenBLAS core type $$core"; \
		$(SWIFT) test --filter DeterminismTests; \
		$(PYTHON) -m pytest -q -m determinism bindings/python/tests; \
	done

# Beyond `make test` (CI runs these too; each script says what it checks):
#   check-valgrind    every C example and test under valgrind's memcheck
#   check-tsan        the C thread stress and interrupt tests on a ThreadSanitizer build
#   check-sanitizers  C tests, examples and Python tests on an ASan + UBSan build
#   fuzz              each libFuzzer harness (fuzz/) for FUZZ_SECONDS seconds
FUZZ_SECONDS ?= 60
check-valgrind: $(LIB)
	$(MAKE) -C bindings/c all ROOT=$(CURDIR)
	scripts/check-valgrind

check-tsan:
	scripts/check-tsan

check-sanitizers:
	PYTHON=$(PYTHON) scripts/check-sanitizers

fuzz:
	scripts/fuzz $(FUZZ_SECONDS)

bench: build
	$(PYTHON) bench/thermo.py
	$(PYTHON) bench/enumerate.py
	$(PYTHON) bench/partition.py
	$(PYTHON) bench/planar.py
	$(PYTHON) bench/density_of_states.py
	$(PYTHON) bench/mc.py
	$(PYTHON) bench/rbm.py
	$(PYTHON) bench/hopfield.py
	$(PYTHON) bench/diffusion.py
	$(PYTHON) bench/diffusion_quality.py
	$(PYTHON) bench/density.py

# Installing to a system prefix as root also refreshes the loader's cache (ldconfig).
CMAKE_DIR = $(DESTDIR)$(PREFIX)/lib/cmake/Boltzmann
install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(CMAKE_DIR)
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/boltzmann.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' bindings/c/boltzmann.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/boltzmann.pc
	install -m 644 bindings/c/cmake/BoltzmannConfig.cmake $(CMAKE_DIR)/
	sed -e 's|@VERSION@|$(VERSION)|' bindings/c/cmake/BoltzmannConfigVersion.cmake.in \
		> $(CMAKE_DIR)/BoltzmannConfigVersion.cmake
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# The API reference: Python pages from the binding's numpydoc docstrings, the C page from
# the header's comments (docs/_ext/header_doc.py), the guide from the README.
docs: $(LIB)
	rm -rf .build/docs
	$(PYTHON) -m sphinx -W --keep-going -q -b html docs .build/docs
	@echo "the reference: .build/docs/index.html"

# The Python package with the library inside (bindings/python/_build_backend.py), then
# auditwheel: what the library links beyond the manylinux baseline (OpenBLAS, gfortran)
# vendored into the wheel, and the manylinux platform tag it then satisfies.
WHEEL_STAGE := .build/wheel
wheel: build
	rm -rf $(WHEEL_STAGE) dist/boltzmann-$(VERSION)-*.whl
	BOLTZMANN_LIBRARY=$(CURDIR)/$(LIB) $(PYTHON) -m pip wheel --quiet --no-deps -w $(WHEEL_STAGE) bindings/python
	$(PYTHON) -m auditwheel repair --wheel-dir dist $(WHEEL_STAGE)/boltzmann-$(VERSION)-py3-none-linux_*.whl
	@ls -l dist/boltzmann-$(VERSION)-*.whl

# The Python suite against the wheel installed in a fresh virtualenv (scripts/test-wheel).
test-wheel: wheel
	PYTHON=$(PYTHON) scripts/test-wheel

$(LIB):
	$(MAKE) build

clean:
	rm -rf .build
	$(MAKE) -C bindings/c clean
