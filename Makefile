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
#   make install    module, udev rule, library, headers, pkg-config file,
#                   secmsgctl, demo programs, man pages (DESTDIR, PREFIX,
#                   LIBDIR, KVER honoured); make uninstall takes them away
#   make dkms-install  the module's sources for DKMS, in
#                   $(DESTDIR)/usr/src/secmsg-$(VERSION)
#   make deb        the Debian packages, in build/deb/
#
# Everything generated goes to build/ (B=...).  CFLAGS, CPPFLAGS and
# LDFLAGS from the command line or the environment reach every user-space
# build; warnings are errors only in make check (WERROR=1).

B	?= $(CURDIR)/build
VM	:= $(B)/vm
VERSION	:= $(shell cat $(CURDIR)/VERSION)
# The kernel to build for: Debian's default flavour where its headers
# package is installed (the guest's kernel), else the running kernel.
ifeq ($(origin KVER),undefined)
KVER	:= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
ifeq ($(KVER),)
KVER	:= $(shell uname -r)
endif
endif
KDIR	?= $(firstword $(wildcard /usr/src/linux-headers-$(KVER)) /lib/modules/$(KVER)/build)
VMRUN	:= bash selftests/vm/run.sh --cache $(VM)

# Installation: GNU names; LIBDIR is multiarch where the compiler says so.
PREFIX	?= /usr/local
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR	?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
BINDIR	?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
# udev reads rules from its own directory only, whatever PREFIX is.
UDEVDIR	?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)
# The module: kbuild's modules_install under DESTDIR, in extra/.
MODDIR	:= /lib/modules/$(KVER)/extra
DKMSDIR	:= /usr/src/secmsg-$(VERSION)
INSTVARS = DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
	INCLUDEDIR=$(INCLUDEDIR) MANDIR=$(MANDIR) BINDIR=$(BINDIR) \
	LIBEXECDIR=$(LIBEXECDIR)

.PHONY: all deps module lib tools tests vm check check-quick check-debug \
	check-rt check-run demo bench install install-module install-lib \
	install-tools uninstall dkms-install deb clean help

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
	$(MAKE) -C tools O=$(B)/tools BUILD_LIBDIR=$(B)/lib

tests: lib
	$(MAKE) -C selftests OUTPUT=$(B)/selftests KSFT_INC=$(B)/kselftest
	$(MAKE) -C selftests/bench O=$(B)/bench
	$(MAKE) -C selftests/bench/floor O=$(B)/bench

vm:
	@bash selftests/vm/kernel.sh $(VM)

# The package install has to happen before KVER can be read, hence the
# second make.  KERNELS: the guests check-run boots, in this order.
check: deps
	@$(MAKE) --no-print-directory check-run KERNELS="debian debug rt" WERROR=1

check-quick:
	@$(MAKE) --no-print-directory check-run KERNELS=debian WERROR=1 PKG_GUEST=0

check-debug: deps
	@$(MAKE) --no-print-directory check-run KERNELS=debug WERROR=1

check-rt: deps
	@$(MAKE) --no-print-directory check-run KERNELS=rt WERROR=1

# Results: $(B)/results/{host,packaging,libsecmsg,libsecmsg_krb5}.tap and
# one directory per kernel (selftests/vm/check.sh: its .tap files,
# console.log, and a failing guest.tap if the guest died), demo/ (the demo,
# on Debian's kernel, as one test) and pkg/ (the packages installed in a
# Debian-kernel guest, selftests/pkg/guest_pkg.sh; PKG_GUEST=0 leaves it
# out, as check-quick does: that guest takes about 9 minutes, DKMS
# compiling the module under TCG).
# summarize.sh sums them all.
KERNELS	?= debian
check-run: all
	@rm -rf $(B)/results && mkdir -p $(B)/results
	@bash selftests/host_checks.sh $(B) > $(B)/results/host.tap 2>&1; \
		cat $(B)/results/host.tap
	@bash selftests/pkg/host_pkg.sh $(B) > $(B)/results/packaging.tap 2>&1; \
		cat $(B)/results/packaging.tap
	@$(MAKE) --no-print-directory -C libsecmsg O=$(B)/lib KSFT_INC=$(B)/kselftest \
		test > $(B)/results/libsecmsg.tap 2>&1; cat $(B)/results/libsecmsg.tap
	@$(MAKE) --no-print-directory -C libsecmsg O=$(B)/lib KSFT_INC=$(B)/kselftest \
		test-krb5 > $(B)/results/libsecmsg_krb5.tap 2>&1; \
		cat $(B)/results/libsecmsg_krb5.tap
	@for k in $(KERNELS); do bash selftests/vm/check.sh $$k $(B); done; true
	@case " $(KERNELS) " in *" debian "*) bash selftests/vm/demo_check.sh $(B);; esac; true
	@case " $(KERNELS) " in *" debian "*) [ "$(PKG_GUEST)" = 0 ] || \
		bash selftests/vm/pkg_check.sh $(B);; esac; true
	@bash selftests/summarize.sh $(B)/results

demo: deps
	@$(MAKE) --no-print-directory module lib tools vm
	@$(VMRUN) -- bash tools/demo/run-demo.sh $(B)

bench: deps
	@$(MAKE) --no-print-directory module tests vm
	@$(VMRUN) -- bash selftests/bench/run_bench.sh $(B)
	@bash selftests/bench/plot.sh $(B)/results/bench

# The sample consumer module is a test: not installed.  Without DESTDIR
# (a real install) depmod makes the module known at once; with it, the
# packaging's postinst does (or DKMS).
install: install-module install-lib install-tools

# Built from kmod/ alone (its Kbuild stands by itself), so that kbuild
# installs it as extra/secmsg.ko.
install-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra DEPMOD=true \
		modules_install
	install -D -m 0644 kmod/60-secmsg.rules \
		$(DESTDIR)$(UDEVDIR)/rules.d/60-secmsg.rules
	install -D -m 0644 kmod/secmsg.4 $(DESTDIR)$(MANDIR)/man4/secmsg.4
	$(if $(DESTDIR),,depmod -a $(KVER))

install-lib: lib
	$(MAKE) -C libsecmsg O=$(B)/lib $(INSTVARS) install

install-tools: tools
	$(MAKE) -C tools O=$(B)/tools $(INSTVARS) install

# Everything install puts down, and nothing else.  Under DESTDIR (a staging
# tree) the directories left empty go too; on a live system they stay.
uninstall:
	rm -f $(DESTDIR)$(MODDIR)/secmsg.ko \
		$(DESTDIR)$(UDEVDIR)/rules.d/60-secmsg.rules \
		$(DESTDIR)$(MANDIR)/man4/secmsg.4
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C libsecmsg O=$(B)/lib $(INSTVARS) uninstall
	$(MAKE) -C tools O=$(B)/tools $(INSTVARS) uninstall
	$(if $(DESTDIR),find $(DESTDIR) -mindepth 1 -depth -type d -empty -delete)

# DKMS builds the module from these (dkms.conf says how) for every kernel.
DKMS_FILES := Kbuild VERSION dkms.conf $(wildcard kmod/*.c kmod/*.h) \
	kmod/Kbuild uapi/linux/secmsg.h \
	include/linux/secmsg_kernel.h
dkms-install:
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit; \
	done
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' \
		$(DESTDIR)$(DKMSDIR)/dkms.conf

dkms-uninstall:
	rm -rf $(DESTDIR)$(DKMSDIR)

# The packages, built from a copy of the tracked files (the tree stays as
# it is; dpkg-buildpackage writes next to the source it builds).
deb: deps
	@bash debian/build-deb.sh $(B)/deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
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
