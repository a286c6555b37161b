#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the Chamelio test VM (busybox sh). scripts/vm.sh copies this file
# into the initramfs as /init, together with:
#
#   /cmd                     the command to run (absent or empty: selftests)
#   /shell                   present with --shell: interactive shell afterwards
#   /splat-re                what marks an oops or a warning in a kernel
#                            record (an extended regular expression)
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
# Just before it comes "CHAMELIO-VM-KERNEL-SPLATS=<n>", the number of the
# kernel's own records that report an oops or a warning ("unknown" if the
# kernel log could not be read), after the kernel's records between
# CHAMELIO-VM-KERNEL-LOG-BEGIN and -END lines when there are any.

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

# The kernel's log, followed from boot for the check after the command.
# /dev/kmsg rather than dmesg at the end: tests clear the syslog buffer
# with "dmesg -c", which does not touch what /dev/kmsg readers see, and a
# reader that keeps up loses nothing when the ring buffer wraps. If cat
# ever falls so far behind that records were overwritten, its read fails
# (EPIPE) and it starts again from the oldest record: records repeat, with
# their sequence numbers, and none is lost that was still there.
klog_dir=/run/chamelio-vm
klog=$klog_dir/kmsg
mkdir -p "$klog_dir"
if [ -c /dev/kmsg ]; then
	(while :; do cat /dev/kmsg; sleep 1; done) >"$klog" 2>/dev/null &
else
	say "warning: no /dev/kmsg; the kernel log cannot be checked"
fi

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

# check_kernel_log: report the kernel's records that show an oops or a
# warning (see the header). A kernel splat is a failure even if the command
# passed, but only the kernel's own records count: in /dev/kmsg every
# record carries its syslog facility, and the kernel files whatever user
# space writes there under "user" (1) whatever prefix it asks for, so a
# command that prints or logs "Oops" is no splat. The log, unlike the
# console under "quiet", holds WARN()s (KERN_WARNING) too.
check_kernel_log() {
	if [ ! -c /dev/kmsg ] || [ ! -r /splat-re ]; then
		echo "CHAMELIO-VM-KERNEL-SPLATS=unknown"
		return
	fi
	# The reader has every record up to now once it has this one:
	# records come out in order.
	end="chamelio-vm: end of the kernel log check at $(cut -d' ' -f1 /proc/uptime)s"
	echo "$end" >/dev/kmsg
	i=0
	while ! grep -qF ";$end" "$klog" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			say "warning: the kernel log reader did not catch up in 30s"
			echo "CHAMELIO-VM-KERNEL-SPLATS=unknown"
			return
		fi
		sleep 0.1
	done
	# A record is "PRIO,SEQ,USEC,FLAGS[,...];TEXT", PRIO being
	# facility * 8 + level, followed by " KEY=value" lines. Keep the
	# kernel's (facility 0) once each, up to the end mark, with the
	# timestamp the console would give them.
	awk -v end="$end" '
		/^ / { next }
		{
			i = index($0, ";")
			if (i == 0)
				next
			split(substr($0, 1, i - 1), h, ",")
			text = substr($0, i + 1)
			if (text == end)
				exit
			if (int(h[1] / 8) != 0 || (h[2] in seen))
				next
			seen[h[2]] = 1
			printf "[%5d.%06d] %s\n", int(h[3] / 1000000), h[3] % 1000000, text
		}' "$klog" >"$klog_dir/kernel.log"
	n=$(grep -cE -f /splat-re "$klog_dir/kernel.log")
	if [ "$n" -gt 0 ]; then
		say "the kernel log has $n oops or warning lines; the kernel's records follow"
		echo "CHAMELIO-VM-KERNEL-LOG-BEGIN"
		cat "$klog_dir/kernel.log"
		echo "CHAMELIO-VM-KERNEL-LOG-END"
	fi
	echo "CHAMELIO-VM-KERNEL-SPLATS=$n"
}

check_kernel_log
echo "CHAMELIO-VM-EXIT=$status"
power_off
