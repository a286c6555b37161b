# SPDX-License-Identifier: GPL-2.0
#
# make          build the module, the BPF objects and the tools
# make demo     boot a VM and show udp_echo serving a real client
# make bench    boot VMs and run the benchmarks (fastpath, isolation, guest)
# make bench-copy  boot a VM and measure the packet copy kfuncs per byte
# make bench-slowpath  boot a VM and measure punts, the agent round trip, a victim
# make check    run every test (host and VM); the last line is "N passed, N failed"
# make install  install on a real host (DESTDIR, PREFIX)
#
# KDIR=...      build the module against another kernel's headers (>= 6.12)

DEPS		:= .deps
DEPS_READY	:= $(DEPS)/ready
KVER		?= $(shell cat $(DEPS)/kver 2>/dev/null)
KDIR		?= /lib/modules/$(KVER)/build
LINUX_SRC	:= $(DEPS)/linux-source
BPFTOOL		?= $(DEPS)/bin/bpftool
LIBBPF_DIR	:= $(LINUX_SRC)/tools/bpf/bpftool/libbpf
LIBBPF_A	:= $(LIBBPF_DIR)/libbpf.a
LIBBPF_INC	:= $(LIBBPF_DIR)/include

CLANG		?= clang
CC		?= gcc
PREFIX		?= /usr/local

BPF_CFLAGS	:= -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		   -I$(LIBBPF_INC) -I$(LINUX_SRC)/tools/include/uapi -Iuapi \
		   -I/usr/include/$(shell $(CC) -dumpmachine)
USER_CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		   -Iuapi -Iuser -I$(LIBBPF_INC)
USER_LDLIBS	:= $(LIBBPF_A) -lmnl -lelf -lz

# Tenant protocols and provider programs.
BPF_OBJS	:= bpf/cham_xdp.bpf.o bpf/cham_guest.bpf.o bpf/udp_echo.bpf.o \
		   bpf/udp_upper.bpf.o bpf/udp_echo_standalone.bpf.o bpf/burner.bpf.o \
		   bpf/guest_udp.bpf.o bpf/udp_kv.bpf.o bpf/udp_kv_v2.bpf.o \
		   bpf/template.bpf.o bpf/kv_cache.bpf.o
# Built into both chamctl and libchamagent: one reading of the kernel's acks.
NL_ACK_SRCS	:= user/common/nl_ack.c
CHAMCTL_SRCS	:= $(wildcard user/chamctl/*.c) $(NL_ACK_SRCS)
# The guest library (plain <linux/if_xdp.h>, no libbpf) and its programs.
LIBCHAMGUEST	:= user/libchamguest/libchamguest.a
LIBCHAMGUEST_SRCS := $(wildcard user/libchamguest/*.c)
GUEST_BINS	:= user/guest/guest_echo user/guest/guest_client
# The agent library (a tenant's slow path, over libmnl) and the example agent.
LIBCHAMAGENT	:= user/libchamagent/libchamagent.a
LIBCHAMAGENT_SRCS := $(wildcard user/libchamagent/*.c) $(NL_ACK_SRCS)
AGENT_BINS	:= user/agent/kv_agent
SELFTEST_BINS	:= $(patsubst %.c,%,$(wildcard selftests/*.c))
# Test-only protocols: the contract's edges (see selftests/progs/).
SELFTEST_BPF	:= selftests/progs/sleepable.bpf.o selftests/progs/fixed_punt.bpf.o \
		   selftests/progs/fixed_bad.bpf.o selftests/progs/fixed_noredirect.bpf.o \
		   selftests/progs/xdp_pass.bpf.o selftests/progs/unwired_flow.bpf.o \
		   selftests/progs/relay.bpf.o selftests/progs/ecn_count.bpf.o \
		   selftests/progs/hostile_probe_read.bpf.o \
		   selftests/progs/hostile_printk.bpf.o selftests/progs/spoof.bpf.o \
		   selftests/progs/redirect_any.bpf.o selftests/progs/vlan_rewrite.bpf.o \
		   selftests/progs/nolink.bpf.o selftests/progs/forged_rx.bpf.o \
		   selftests/progs/devmap_rx.bpf.o selftests/progs/hostile_ksym.bpf.o \
		   selftests/progs/hostile_pin.bpf.o selftests/progs/hostile_ksym_var.bpf.o \
		   selftests/progs/resize.bpf.o selftests/progs/copy_cost.bpf.o \
		   selftests/progs/guest_steal.bpf.o selftests/progs/verifier_reject.bpf.o \
		   selftests/progs/stack_spy.bpf.o selftests/progs/hostile_ctxbuf.bpf.o \
		   selftests/progs/slowpath.bpf.o selftests/progs/fixed_drop.bpf.o \
		   selftests/progs/hostile_foreign_ops.bpf.o selftests/progs/hostile_timer_storm.bpf.o \
		   selftests/progs/hostile_loop.bpf.o selftests/progs/hostile_iter.bpf.o \
		   selftests/progs/hostile_may_goto.bpf.o selftests/progs/hostile_global.bpf.o \
		   selftests/progs/hostile_freplace.bpf.o selftests/progs/freplace_target.bpf.o
# What a tenant protocol may include from libbpf (make install).
KIT_BPF_HEADERS	:= bpf_helpers.h bpf_helper_defs.h bpf_endian.h bpf_tracing.h \
		   bpf_core_read.h
# Benchmark tools that run in the VM.
BENCH_BINS	:= scripts/bench/udp_rtt scripts/bench/flood

.PHONY: all deps module bpf user selftests check demo install clean bench \
	bench-fastpath bench-isolation bench-guest bench-copy bench-slowpath

all: module bpf user selftests $(BENCH_BINS)

deps: $(DEPS_READY)

$(DEPS_READY): scripts/deps.sh scripts/patches/bpftool-module-struct-ops.patch
	scripts/deps.sh
	touch $@

module: $(DEPS_READY)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

bpf: $(BPF_OBJS)

bpf/%.bpf.o: bpf/%.bpf.c bpf/chamelio.bpf.h uapi/linux/chamelio.h $(DEPS_READY)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Version 2 of the key-value store: the same source, one command more.
bpf/udp_kv_v2.bpf.o: bpf/udp_kv.bpf.c bpf/chamelio.bpf.h uapi/linux/chamelio.h $(DEPS_READY)
	$(CLANG) $(BPF_CFLAGS) -DKV_VERSION=2 -c $< -o $@

user/cham_xdp.skel.h: bpf/cham_xdp.bpf.o
	$(BPFTOOL) gen skeleton $< name cham_xdp > $@

user/cham_guest.skel.h: bpf/cham_guest.bpf.o
	$(BPFTOOL) gen skeleton $< name cham_guest > $@

user: user/chamctl/chamctl $(LIBCHAMGUEST) $(GUEST_BINS) $(LIBCHAMAGENT) $(AGENT_BINS)

user/chamctl/chamctl: $(CHAMCTL_SRCS) $(wildcard user/chamctl/*.h) user/common/nl_ack.h \
		user/cham_xdp.skel.h user/cham_guest.skel.h uapi/linux/chamelio.h \
		$(LIBCHAMAGENT)
	$(CC) $(USER_CFLAGS) -Iuser/libchamagent -o $@ $(CHAMCTL_SRCS) $(LIBCHAMAGENT) \
		$(USER_LDLIBS)

$(LIBCHAMGUEST): $(LIBCHAMGUEST_SRCS) $(wildcard user/libchamguest/*.h) uapi/linux/chamelio.h
	rm -f $@
	for f in $(LIBCHAMGUEST_SRCS); do \
		$(CC) $(USER_CFLAGS) -Iuser/libchamguest -c $$f -o $${f%.c}.o || exit 1; \
	done
	$(AR) rcs $@ $(LIBCHAMGUEST_SRCS:.c=.o)

user/guest/%: user/guest/%.c $(wildcard user/guest/*.h) $(LIBCHAMGUEST)
	$(CC) $(USER_CFLAGS) -Iuser/libchamguest -o $@ $(filter %.c,$^) $(LIBCHAMGUEST)

$(LIBCHAMAGENT): $(LIBCHAMAGENT_SRCS) $(wildcard user/libchamagent/*.h) user/common/nl_ack.h \
		uapi/linux/chamelio.h
	rm -f $@
	for f in $(LIBCHAMAGENT_SRCS); do \
		$(CC) $(USER_CFLAGS) -Iuser/libchamagent -c $$f -o $${f%.c}.o || exit 1; \
	done
	$(AR) rcs $@ $(LIBCHAMAGENT_SRCS:.c=.o)

# The example's two halves share the punt codes and message layout.
bpf/kv_cache.bpf.o: bpf/kv_cache.h

user/agent/%: user/agent/%.c bpf/kv_cache.h $(LIBCHAMAGENT)
	$(CC) $(USER_CFLAGS) -Iuser/libchamagent -Ibpf -o $@ $(filter %.c,$^) $(LIBCHAMAGENT) -lmnl

selftests: $(SELFTEST_BINS) $(SELFTEST_BPF)

selftests/progs/%.bpf.o: selftests/progs/%.bpf.c bpf/chamelio.bpf.h $(DEPS_READY)
	$(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@

selftests/progs/fixed_%.bpf.o: selftests/progs/fixed_verdict.bpf.c bpf/chamelio.bpf.h $(DEPS_READY)
	$(CLANG) $(BPF_CFLAGS) -Ibpf -DFIXED_NAME='"fixed_$*"' \
		-DFIXED_VERDICT=$(FIXED_VERDICT_$*) -c $< -o $@

FIXED_VERDICT_punt := CHAM_VERDICT_PUNT
FIXED_VERDICT_drop := CHAM_VERDICT_DROP
FIXED_VERDICT_bad := 42
FIXED_VERDICT_noredirect := CHAM_VERDICT_REDIRECT

selftests/%: selftests/%.c selftests/tap.h uapi/linux/chamelio.h $(DEPS_READY)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^) $(USER_LDLIBS)

# The test agent of the slow-path tests, on libchamagent.
selftests/agent_probe: selftests/agent_probe.c $(LIBCHAMAGENT) uapi/linux/chamelio.h
	$(CC) $(USER_CFLAGS) -Iuser/libchamagent -o $@ $< $(LIBCHAMAGENT) -lmnl

# The frame table labels frames with chamctl's names for the counters.
selftests/cham_frames: user/chamctl/names.c

# A host test (scripts/check.sh runs it) of the module's budget arithmetic:
# plain C, no libbpf, undefined behaviour fatal.
selftests/budget_test: selftests/budget_test.c selftests/tap.h kmod/budget.h uapi/linux/chamelio.h
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iuapi \
		-fsanitize=undefined -fno-sanitize-recover=all -o $@ $<

# The same for the steering index (kmod/steer.h) against a linear scan.
selftests/steer_test: selftests/steer_test.c selftests/tap.h kmod/steer.h
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iuapi \
		-fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $<

check: all
	scripts/check.sh

demo: all
	scripts/vm.sh -- scripts/demo.sh

# A plain C program without libraries: the closed-loop client of the
# isolation benchmark.
scripts/bench/udp_rtt: scripts/bench/udp_rtt.c
	$(CC) $(USER_CFLAGS) -o $@ $<

# The isolation benchmark's flood: paced bursts on an AF_PACKET socket,
# no libraries either.
scripts/bench/flood: scripts/bench/flood.c
	$(CC) $(USER_CFLAGS) -o $@ $<

# One after the other, even under -j: each boots a VM and times it. The
# fast-path benchmark runs under QEMU's icount (guest time = executed
# instructions) unless BENCH_MODE=tcg; so does the isolation benchmark, on
# three vCPUs, unless ICOUNT=0.
bench: all
	scripts/bench/fastpath.sh
	scripts/bench/isolation.sh
	scripts/bench/guest.sh
	scripts/bench/slowpath.sh

bench-fastpath: all
	scripts/bench/fastpath.sh

bench-isolation: all
	scripts/bench/isolation.sh

bench-guest: all
	scripts/bench/guest.sh

# Per-call cost of bpf_cham_load_bytes/store_bytes/compare_bytes, under
# icount unless BENCH_MODE=tcg (not part of make bench).
bench-copy: all
	scripts/bench/copycost.sh

bench-slowpath: all
	scripts/bench/slowpath.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		INSTALL_MOD_PATH=$(DESTDIR) modules_install
	install -D -m 0755 user/chamctl/chamctl $(DESTDIR)$(PREFIX)/sbin/chamctl
	install -d $(DESTDIR)$(PREFIX)/lib/chamelio/bpf $(DESTDIR)$(PREFIX)/include/chamelio/linux \
		$(DESTDIR)$(PREFIX)/bin
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/chamelio/bpf/
	install -m 0644 bpf/chamelio.bpf.h $(DESTDIR)$(PREFIX)/include/chamelio/
	install -m 0644 uapi/linux/chamelio.h $(DESTDIR)$(PREFIX)/include/chamelio/linux/
	@# The tenant's kit: libbpf's BPF headers and the kernel's BPF ABI of
	@# this build, so that a protocol builds with nothing from the tree.
	install -d $(DESTDIR)$(PREFIX)/include/chamelio/bpf $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0644 $(addprefix $(LIBBPF_INC)/bpf/,$(KIT_BPF_HEADERS)) \
		$(DESTDIR)$(PREFIX)/include/chamelio/bpf/
	install -m 0644 $(LINUX_SRC)/tools/include/uapi/linux/bpf.h \
		$(LINUX_SRC)/tools/include/uapi/linux/bpf_common.h \
		$(DESTDIR)$(PREFIX)/include/chamelio/linux/
	sed 's|@PREFIX@|$(PREFIX)|' scripts/chamelio.pc.in \
		>$(DESTDIR)$(PREFIX)/lib/pkgconfig/chamelio.pc
	install -d $(DESTDIR)$(PREFIX)/share/chamelio/examples
	install -m 0644 bpf/template.bpf.c bpf/udp_echo.bpf.c bpf/udp_upper.bpf.c \
		bpf/udp_kv.bpf.c bpf/guest_udp.bpf.c bpf/kv_cache.bpf.c bpf/kv_cache.h \
		user/agent/kv_agent.c $(DESTDIR)$(PREFIX)/share/chamelio/examples/
	install -m 0644 user/libchamguest/chamguest.h $(DESTDIR)$(PREFIX)/include/chamelio/
	install -D -m 0644 $(LIBCHAMGUEST) $(DESTDIR)$(PREFIX)/lib/libchamguest.a
	install -m 0755 $(GUEST_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 user/libchamagent/chamagent.h $(DESTDIR)$(PREFIX)/include/chamelio/
	install -D -m 0644 $(LIBCHAMAGENT) $(DESTDIR)$(PREFIX)/lib/libchamagent.a
	install -m 0755 $(AGENT_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 $(wildcard Documentation/man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(wildcard Documentation/man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 user/chamctl/chamctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/chamctl

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -f bpf/*.o user/chamctl/chamctl user/*.skel.h $(SELFTEST_BINS) $(SELFTEST_BPF) \
		$(BENCH_BINS) $(LIBCHAMGUEST) user/libchamguest/*.o $(GUEST_BINS) selftests/kit/*.o \
		$(LIBCHAMAGENT) user/libchamagent/*.o user/common/*.o $(AGENT_BINS)
