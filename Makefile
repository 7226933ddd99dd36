# SPDX-License-Identifier: GPL-2.0
#
# One build for the module, the library, the tools and the tests.
#
#   make            build secmsg.ko, libsecmsg, the tools and the tests
#   make check      install what is missing, build, run every test on the
#                   host and in QEMU guests on three kernels: Debian's 6.1,
#                   the debug kernel (KASAN, lockdep, kmemleak...; built
#                   once per machine, ~9 min) and Debian's PREEMPT_RT;
#                   ends with "N passed, N failed, N skipped"
#   make check-quick  the same on Debian's kernel only (edit-test loop)
#   make check-debug  host + the debug kernel only
#   make check-rt     host + the PREEMPT_RT kernel only
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

.PHONY: all deps module lib tools tests vm check check-quick check-debug \
	check-rt check-run demo bench install clean help

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
# second make.  KERNELS: the guests check-run boots, in this order.
check: deps
	@$(MAKE) --no-print-directory check-run KERNELS="debian debug rt"

check-quick:
	@$(MAKE) --no-print-directory check-run KERNELS=debian

check-debug: deps
	@$(MAKE) --no-print-directory check-run KERNELS=debug

check-rt: deps
	@$(MAKE) --no-print-directory check-run KERNELS=rt

# Results: $(B)/results/{host,libsecmsg,libsecmsg_krb5}.tap and one directory per kernel
# (selftests/vm/check.sh: its .tap files, console.log, and a failing
# guest.tap if the guest died), and demo/ (the demo, on Debian's kernel, as
# one test).  summarize.sh sums them all.
KERNELS	?= debian
check-run: all
	@rm -rf $(B)/results && mkdir -p $(B)/results
	@bash selftests/host_checks.sh $(B) > $(B)/results/host.tap 2>&1; \
		cat $(B)/results/host.tap
	@$(MAKE) --no-print-directory -C libsecmsg O=$(B)/lib KSFT_INC=$(B)/kselftest \
		test > $(B)/results/libsecmsg.tap 2>&1; cat $(B)/results/libsecmsg.tap
	@$(MAKE) --no-print-directory -C libsecmsg O=$(B)/lib KSFT_INC=$(B)/kselftest \
		test-krb5 > $(B)/results/libsecmsg_krb5.tap 2>&1; \
		cat $(B)/results/libsecmsg_krb5.tap
	@for k in $(KERNELS); do bash selftests/vm/check.sh $$k $(B); done; true
	@case " $(KERNELS) " in *" debian "*) bash selftests/vm/demo_check.sh $(B);; esac; true
	@bash selftests/summarize.sh $(B)/results

demo: deps
	@$(MAKE) --no-print-directory module lib tools vm
	@$(VMRUN) -- bash tools/demo/run-demo.sh $(B)

bench: deps
	@$(MAKE) --no-print-directory module tests vm
	@$(VMRUN) -- bash selftests/bench/run_bench.sh $(B)

# The sample consumer module is a test: not installed.
install: module lib tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) SECMSG_CONSUMER= modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) SECMSG_CONSUMER= modules_install
	$(MAKE) -C libsecmsg O=$(B)/lib PREFIX=$(PREFIX) install
	$(MAKE) -C tools O=$(B)/tools PREFIX=$(PREFIX) install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)

# make fuzz: the in-guest fuzzer of the uapi for FUZZ_TIME seconds on the
# debug kernel (KCOV-guided; Debian's kernel if the debug one is missing).
# New-coverage and failing inputs: $(B)/fuzz/.  FUZZ_SEED picks the seed.
# First, libsecmsg's libFuzzer targets on the host (selftests/fuzz/lib), for
# FUZZ_TIME seconds shared among them; theirs go to $(B)/fuzz-lib/.
FUZZ_TIME ?= 600
fuzz: deps
	@$(MAKE) --no-print-directory module tests
	@bash selftests/fuzz/lib/run.sh fuzz $(B) $(FUZZ_TIME) $(FUZZ_SEED); lib=$$?; \
		bash selftests/fuzz/run-fuzz.sh $(B) $(FUZZ_TIME) $(FUZZ_SEED); \
		rc=$$?; [ $$rc -ne 0 ] && exit $$rc; exit $$lib
.PHONY: fuzz
