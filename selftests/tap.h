/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' C tools report each check as a line "ok - WHAT" or
 * "not ok - WHAT", which selftests/run.sh and scripts/check.sh count.
 */
#ifndef CHAM_SELFTESTS_TAP_H
#define CHAM_SELFTESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

__attribute__((format(printf, 2, 3)))
static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Lines must not be lost or reordered if the tool dies. */
	fflush(stdout);
	if (!ok)
		failures++;
}

#endif /* CHAM_SELFTESTS_TAP_H */
