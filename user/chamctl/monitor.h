/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chamctl monitor: each object's notifications are printed by the file
 * that shows the object, with the same parsing and the same JSON, so that
 * monitor and show cannot disagree. @event is the JSON "event" value
 * ("tenant-add", ...), @verb the text line's first word ("added", ...).
 */
#ifndef CHAMCTL_MONITOR_H
#define CHAMCTL_MONITOR_H

#include "nl.h"

int tenant_event_print(const struct nlmsghdr *nlh, const char *event,
		       const char *verb);
int rule_event_print(const struct nlmsghdr *nlh, const char *event,
		     const char *verb);
int guest_event_print(const struct nlmsghdr *nlh, const char *event,
		      const char *verb);
int config_event_print(const struct nlmsghdr *nlh, const char *event,
		       const char *verb);

#endif /* CHAMCTL_MONITOR_H */
