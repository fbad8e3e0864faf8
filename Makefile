# SPDX-License-Identifier: GPL-2.0
#
# dma-buf-sgt-cache: attach time sg_table caching for dma-buf.
#
#   make            build dma-buf-sgt-cache.ko against KDIR (default: the
#                   running kernel's build directory); the same as
#                   make -C $KDIR M=$PWD, which DKMS runs (Kbuild is
#                   self-contained: it runs conftest.sh itself)
#   make modules_install  install it below KDIR's /lib/modules (INSTALL_MOD_PATH,
#                   INSTALL_MOD_DIR as for any external module)
#   make test-modules  build the test modules against KDIR
#   make demo       patched 6.12 lockdep kernel in QEMU: what the cache does
#                   with a real dma-buf
#   make check      every test on every kernel; ends with "N passed, M failed"
#   make stress     fault injection and concurrency, long (6.12 and 6.1)
#   make bench      map/attach costs with and without the cache (6.12, QEMU
#                   q35 + intel-iommu); JSON, plot and headline ratios
#   make mutants    the mutation score: deliberate bugs in the module and in
#                   the series' core change, each of which the tests must catch
#   make clean      remove the module's build products (what DKMS runs)
#   make distclean  also remove the harness cache: kernel sources, builds,
#                   ccache, test modules and logs
#
# The module builds here, as DKMS expects; everything else is built below
# $(HX_CACHE), never in this tree.

KDIR ?= /lib/modules/$(shell uname -r)/build
HX_CACHE ?= $(or $(DMA_BUF_SGT_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dma-buf-sgt-cache)
TEST_MODULES := tests/kunit-module tests/controls tests/kunit tests/expect tests/importer

all: module

kdir-exists:
	@test -f "$(KDIR)/Makefile" || \
		{ echo "error: no kernel build at $(KDIR); set KDIR=" >&2; exit 1; }

module: kdir-exists
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

modules_install: kdir-exists
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install

clean:
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean 2>/dev/null || true
	rm -f conftest.h

test-modules: kdir-exists
	scripts/harness/build-modules.sh "$(KDIR)" "$(HX_CACHE)/modules/local" . $(TEST_MODULES)

demo:
	scripts/demo.sh

check:
	scripts/check.sh

bench:
	scripts/bench.sh

stress:
	scripts/stress.sh

mutants:
	scripts/mutants.sh

distclean: clean
	chmod -R u+w "$(HX_CACHE)" 2>/dev/null || true
	rm -rf "$(HX_CACHE)"

.PHONY: all kdir-exists module modules_install test-modules demo check bench stress mutants clean \
	distclean
