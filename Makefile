# Boltzmann: the front door.
#   make demo    build the library and run the tour (examples/tour.py)
#   make test    build, then the Swift, C and Python test suites
#   make bench   benchmarks against the peers (bench/)
#   make install PREFIX=/usr/local   library, header and boltzmann.pc
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
        check-sanitizers fuzz bench install clean
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

# Every C example and test as strict C99, then the installed library through pkg-config.
test-c: $(LIB)
	$(MAKE) -C bindings/c test ROOT=$(CURDIR)
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(STAGE)
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic bindings/c/examples/quickstart.c -o $(STAGE)/quickstart \
		$$(PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig pkg-config --cflags --libs boltzmann)
	LD_LIBRARY_PATH=$(STAGE)/lib $(STAGE)/quickstart

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
	$(PYTHON) bench/mc.py
	$(PYTHON) bench/rbm.py
	$(PYTHON) bench/hopfield.py
	$(PYTHON) bench/diffusion.py

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/boltzmann.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' bindings/c/boltzmann.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/boltzmann.pc

$(LIB):
	$(MAKE) build

clean:
	rm -rf .build
	$(MAKE) -C bindings/c clean
