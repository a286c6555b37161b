// SPDX-License-Identifier: GPL-2.0
/*
 * cham_warn: a test-only module that makes the kernel WARN once, as it
 * loads.
 *
 * scripts/vm.sh must fail a run whose kernel warned even when the command
 * succeeded, and must not fail one whose command merely printed the words
 * a warning contains. Debian's cloud kernel has no lkdtm to provoke a real
 * warning, so scripts/check.sh loads this module in a VM of its own and
 * expects the runner to report it.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init cham_warn_init(void)
{
	/*
	 * A real WARN (the "cut here" banner, "WARNING: CPU: ...", the
	 * registers and the call trace) from a kernel record. Loading
	 * succeeds: the runner must catch the warning from the kernel log,
	 * not from a failing command.
	 */
	WARN(1, "cham_warn: a deliberate warning for the VM runner's test\n");
	return 0;
}

static void __exit cham_warn_exit(void)
{
}

module_init(cham_warn_init);
module_exit(cham_warn_exit);

MODULE_DESCRIPTION("Chamelio selftest: WARN once on load (test only)");
MODULE_LICENSE("GPL");
