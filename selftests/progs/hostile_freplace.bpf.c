// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a program of type EXT (freplace) to put over pick_verdict() of
 * selftests/progs/freplace_target.bpf.c, a function of a registered
 * protocol's rx handler. It is verified as an extension, without the
 * module's allow-list or its check for unbounded calls, so it could loop
 * for as long as may_goto lets it. 6.12 refuses to load it (the target is
 * not global); the module also seals a bound protocol's programs against
 * extension (kmod/proto.c, cham_proto_seal()).
 */
#include "chamelio.bpf.h"

SEC("freplace/pick_verdict")
int replaced_verdict(int len)
{
	return CHAM_VERDICT_PASS;
}
