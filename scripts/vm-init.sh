#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the Chamelio test VM (busybox sh). scripts/vm.sh copies this file
# into the initramfs as /init, together with:
#
#   /cmd                     the command to run (absent or empty: selftests)
#   /shell                   present with --shell: interactive shell afterwards
#   /lib/modules/extra/      decompressed .ko files and "load-order"
#   /chamelio                the project tree with its built artefacts
#
# The command is handed over in a file rather than on the kernel command line
# because the command line is short, mangles quoting and is parsed by the
# kernel before we ever see it.
#
# /bin/sh is dash (see vm.sh on why not busybox sh); busybox provides the
# other utilities.
#
# This script runs as PID 1: if it exits, the kernel panics. So there is no
# "set -e" here, every step reports its own failure, and every path ends in
# power_off. The host finds the command's status in the console line
# "CHAMELIO-VM-EXIT=<status>"; a run without that line is a failed run.

export PATH=/chamelio/user/chamctl:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
export TERM="${TERM:-linux}"

say() { echo "chamelio-vm: $*"; }

power_off() {
	sync
	# The marker was written to the tty, which transmits asynchronously:
	# give the UART a moment to drain before the machine disappears.
	sleep 0.3
	poweroff -f
	# poweroff -f should not return; if it does, ask the kernel directly.
	echo o > /proc/sysrq-trigger
	sleep 10
}

# mnt TYPE DIR [OPTIONS]: mount a pseudo file system, complaining on failure.
mnt() {
	mkdir -p "$2"
	mount -t "$1" ${3:+-o "$3"} "$1" "$2" || say "warning: cannot mount $1 on $2"
}

mnt proc /proc
mnt sysfs /sys
mnt devtmpfs /dev
mnt devpts /dev/pts
mnt tmpfs /dev/shm
mnt tmpfs /tmp mode=1777
mnt tmpfs /run mode=755
mnt bpf /sys/fs/bpf
mnt debugfs /sys/kernel/debug
# tracefs gives bpf_printk output at /sys/kernel/tracing/trace_pipe.
mnt tracefs /sys/kernel/tracing
mnt cgroup2 /sys/fs/cgroup

# Keep going on Ctrl-C in a child; PID 1 must never die.
trap '' INT

say "init started at $(cut -d' ' -f1 /proc/uptime)s guest uptime, kernel $(uname -r)"

hostname chamelio-vm
ip link set lo up || say "warning: cannot bring lo up"

# Load the modules vm.sh packed (veth and --append-modules), dependencies
# first; busybox insmod needs plain .ko files, so vm.sh decompressed them.
if [ -f /lib/modules/extra/load-order ]; then
	while read -r ko; do
		[ -n "$ko" ] || continue
		insmod "/lib/modules/extra/$ko" ||
			say "warning: insmod $ko failed"
	done < /lib/modules/extra/load-order
fi

cmd=
[ -f /cmd ] && cmd=$(cat /cmd)
if [ -z "$cmd" ] && [ ! -f /shell ]; then
	cmd=/chamelio/selftests/run.sh
fi

status=0
if [ -n "$cmd" ]; then
	say "running: $cmd"
	# stdin is /dev/null: nobody types into a batch run, and a test that
	# reads stdin by mistake should see EOF rather than hang until timeout.
	# The subshell keeps the command's "cd" and "exit" away from us.
	(cd /chamelio && exec sh -c "$cmd") < /dev/null
	status=$?
	say "command exited with status $status"
fi

if [ -f /shell ]; then
	say "interactive shell; the VM powers off when it exits"
	# cttyhack makes the console a controlling tty, so Ctrl-C and job
	# control work; setsid gives the shell its own session for that.
	# bash for line editing; like the batch command, it finds real
	# tools (ip, tc) before busybox applets.
	(cd /chamelio && setsid cttyhack bash -l)
fi

# A kernel splat is a failure even if the command passed. With "quiet" the
# console shows only messages more severe than KERN_WARNING, which hides
# WARN() reports (oopses raise the console level themselves), so look in the
# kernel log and replay it on the console for the host to see.
if dmesg | grep -qE 'BUG:|Oops|WARNING: CPU|Call Trace'; then
	say "the kernel log has an oops or a warning; full kernel log follows"
	dmesg | sed 's/^/dmesg: /'
fi

echo "CHAMELIO-VM-EXIT=$status"
power_off
