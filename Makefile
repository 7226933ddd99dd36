# SPDX-License-Identifier: GPL-2.0
#
# One build for the module, the library, the tools and the tests.
#
#   make            build secmsg.ko, libsecmsg, the tools and the tests
#   make check      install what is missing, build, run every test (host and
#                   QEMU guest); ends with "N passed, N failed, N skipped"
#   make demo       the demo, in the QEMU guest
#   make bench      the benchmark, in the QEMU guest
#   make install    module, library, header, pkg-config file, man pages
#
# Everything generated goes to build/ (B=...).

B	?= $(CURDIR)/build
VM	:= $(B)/vm
KVER	?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
KDIR	?= /usr/src/linux-headers-$(KVER)
VMRUN	:= bash selftests/vm/run.sh --cache $(VM)
PREFIX	?= /usr/local

.PHONY: all deps module lib tools tests vm check check-quick check-run demo \
	bench install clean help

all: module lib tools tests

help:
	@sed -n 's/^#   //p' Makefile

deps:
	@bash selftests/vm/deps.sh

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C libsecmsg O=$(B)/lib

tools: lib
	$(MAKE) -C tools O=$(B)/tools LIBDIR=$(B)/lib

tests: lib
	$(MAKE) -C selftests OUTPUT=$(B)/selftests KSFT_INC=$(B)/kselftest
	$(MAKE) -C selftests/bench O=$(B)/bench

vm:
	@bash selftests/vm/kernel.sh $(VM)

# The package install has to happen before KVER can be read, hence the
# second make.
check: deps
	@$(MAKE) --no-print-directory check-run

check-quick:
	@$(MAKE) --no-print-directory check-run

check-run: all vm
	@rm -rf $(B)/results && mkdir -p $(B)/results
	@bash selftests/host_checks.sh $(B) > $(B)/results/host.tap 2>&1; \
		cat $(B)/results/host.tap
	@$(MAKE) --no-print-directory -C libsecmsg O=$(B)/lib KSFT_INC=$(B)/kselftest \
		test > $(B)/results/libsecmsg.tap 2>&1; cat $(B)/results/libsecmsg.tap
	@$(VMRUN) --env SECMSG_TEST_BIN=$(B)/selftests -- \
		bash selftests/run_tests.sh $(B)/results/guest; \
	if [ $$? = 125 ]; then printf '%s\n' 'not ok 1 guest died: panic, oops, WARN or timeout' \
		'# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0' \
		> $(B)/results/guest.tap; fi
	@bash selftests/summarize.sh $(B)/results

demo: deps
	@$(MAKE) --no-print-directory module lib tools vm
	@$(VMRUN) -- bash tools/demo/run-demo.sh $(B)

bench: deps
	@$(MAKE) --no-print-directory module tests vm
	@$(VMRUN) -- bash selftests/bench/run_bench.sh $(B)

install: module lib tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C libsecmsg O=$(B)/lib PREFIX=$(PREFIX) install
	$(MAKE) -C tools O=$(B)/tools PREFIX=$(PREFIX) install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)
