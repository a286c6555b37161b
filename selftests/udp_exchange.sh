#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# socat's child for udp_ask (lib.sh): stdout is the UDP socket, stdin its
# replies. Sends $CHAM_MSG and keeps the first reply of that length (or of
# $CHAM_REPLY_LEN bytes) in $CHAM_REPLY, then exits, so socat returns
# without waiting out a timeout.
printf '%s' "$CHAM_MSG"
head -c "${CHAM_REPLY_LEN:-${#CHAM_MSG}}" >"$CHAM_REPLY"
