#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages and chamctl's bash completion, on the host: every page in
# Documentation/man is lint clean (mandoc) and renders without a warning
# (man -l); chamctl.8 has every usage line and option 'chamctl help'
# prints, so the page cannot fall behind the tool; the completion
# completes, against a stub chamctl; make install puts pages and
# completion in place. Prints "ok -" / "not ok -" lines (scripts/check.sh).
#
#	scripts/check-man.sh [--installed DIR]
#
# DIR is $(DESTDIR)$(PREFIX) of a make install already run (check-kit.sh
# makes one: "$root/usr/local"); without it, this script runs make install
# into a scratch directory itself. Needs chamctl built (make user).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
chamctl=$top/user/chamctl/chamctl
completion=$top/user/chamctl/chamctl.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

installed=
case "${1-}" in
--installed)
	installed=${2:?--installed needs a DIRECTORY}
	;;
"") ;;
*)
	echo "usage: $0 [--installed DIR]" >&2
	exit 2
	;;
esac

# result DESCRIPTION: ok when $tmp/why is empty, else not ok with it.
result() {
	if [ -s "$tmp/why" ]; then
		echo "not ok - $1"
		tail -n 12 "$tmp/why" | sed 's/^/# /'
	else
		echo "ok - $1"
	fi
	: >"$tmp/why"
}
: >"$tmp/why"

# --- each page: mandoc's lint, and man(1) as a reader runs it ------------
pages=("$top"/Documentation/man/*.[1-8])
for page in "${pages[@]}"; do
	name=${page##*/}
	if ! command -v mandoc >/dev/null; then
		echo "mandoc is not installed (scripts/deps.sh)" >>"$tmp/why"
	elif ! mandoc -T lint -W warning "$page" >>"$tmp/why" 2>&1; then
		echo "mandoc -T lint -W warning $name failed" >>"$tmp/why"
	fi
	# In an ASCII and a UTF-8 locale, 80 columns wide: what a reader sees.
	for locale in C C.UTF-8; do
		if ! LC_ALL=$locale MANWIDTH=80 man --warnings -l "$page" \
			>"$tmp/out" 2>"$tmp/err" || [ -s "$tmp/err" ] ||
			! [ -s "$tmp/out" ]; then
			echo "man -l $name in $locale:" >>"$tmp/why"
			cat "$tmp/err" >>"$tmp/why"
		fi
	done
	result "man: $name is lint clean and renders without warnings"
done

# --- chamctl.8 against 'chamctl help' ------------------------------------
# The page as text on one line, blanks squeezed; each usage line of
# 'chamctl help', blanks squeezed, must be in it, and each option too.
if [ ! -x "$chamctl" ]; then
	echo "$chamctl is not built (make user)" >>"$tmp/why"
elif ! "$chamctl" help >"$tmp/help" 2>&1; then
	echo "chamctl help failed:" >>"$tmp/why"
	cat "$tmp/help" >>"$tmp/why"
else
	LC_ALL=C MANWIDTH=1000 man -l "$top/Documentation/man/chamctl.8" 2>/dev/null |
		tr -s ' \t\n' '   ' >"$tmp/page"
	sed -n 's/^  chamctl //p' "$tmp/help" | tr -s ' \t' '  ' >"$tmp/usages"
	if ! [ -s "$tmp/usages" ]; then
		echo "no usage lines in chamctl help" >>"$tmp/why"
	fi
	while IFS= read -r usage; do
		grep -qF -- " $usage " "$tmp/page" ||
			echo "missing usage: $usage" >>"$tmp/why"
	done <"$tmp/usages"
	# "  -j, --json     print JSON": the words up to the first that is not
	# an option.
	sed -n 's/^  \(-[^ ,]*\(, *-[^ ,]*\)*\).*/\1/p' "$tmp/help" | tr ',' ' ' | tr ' ' '\n' |
		grep . >"$tmp/options"
	if ! [ -s "$tmp/options" ]; then
		echo "no options in chamctl help" >>"$tmp/why"
	fi
	while IFS= read -r option; do
		grep -qE -- "(^|[^[:alnum:]-])$option([^[:alnum:]-]|\$)" "$tmp/page" ||
			echo "missing option: $option" >>"$tmp/why"
	done <"$tmp/options"
fi
result "man: chamctl.8 has every usage line and option of chamctl help"

# --- the completion -------------------------------------------------------
# A stub chamctl on PATH: the real one's help (the completion reads the
# commands from it), fixed tenants and guests, or a failure as without the
# module.
mkdir -p "$tmp/bin" "$tmp/work/sub"
cat >"$tmp/bin/chamctl" <<EOF
#!/bin/sh
if [ -n "\${STUB_FAIL-}" ] && [ "\$1" = -j ]; then
	echo "chamctl: no module" >&2
	exit 1
fi
case "\$*" in
"-j tenant show")
	echo '[{"id":1,"name":"alpha","proto":{"name":"p_proto","handlers":[{"name":"rx"}]}},{"id":2,"name":"beta","proto":null}]' ;;
"-j guest show")
	echo '[{"id":1,"name":"g1","tenant":"alpha"}]' ;;
*)
	exec "$chamctl" "\$@" ;;
esac
EOF
chmod +x "$tmp/bin/chamctl"
touch "$tmp/work/echo.bpf.o" "$tmp/work/notes.txt"
cat >"$tmp/helpers.sh" <<'EOF'
# complete LINE: COMPREPLY for LINE, as bash sets it up, one per line.
complete_line() {
	COMP_LINE=$1
	COMP_POINT=${#1}
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_chamctl chamctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
# expect LINE WORD...: each WORD is offered for LINE.
expect() {
	local line=$1 got word
	shift
	got=$(complete_line "$line")
	for word in "$@"; do
		grep -qx -- "$word" <<<"$got" ||
			echo "'$line<TAB>' does not offer $word (offers: $(echo $got))"
	done
}
# expect_not LINE WORD...: no WORD is offered for LINE.
expect_not() {
	local line=$1 got word
	shift
	got=$(complete_line "$line")
	for word in "$@"; do
		grep -qx -- "$word" <<<"$got" &&
			echo "'$line<TAB>' offers $word (offers: $(echo $got))"
	done
	return 0
}
EOF
cat >"$tmp/complete.sh" <<'EOF'
source "$1" || echo "sourcing $1 failed"
source "$2"
complete -p chamctl >/dev/null || echo "no completion registered for chamctl"
expect "chamctl pro" proto
expect_not "chamctl pro" port tenant
expect "chamctl " tenant rule port guest stats proto map config monitor agent help
expect "chamctl -" -j --json -v --verbose -h --help
expect "chamctl proto " load unload show replace reinstate serve
expect "chamctl monitor " tenant
expect "chamctl stats " alpha beta
expect_not "chamctl stats " p_proto rx
expect "chamctl proto unload " alpha tenant
expect "chamctl proto load " echo.bpf.o sub
expect_not "chamctl proto load " notes.txt
expect "chamctl rule add alpha dst 2001:db8::/64 proto " udp tcp any
expect "chamctl tenant set beta " owner source ports share ceiling punt-queue
expect "chamctl tenant set beta policy " drop ecn
expect "chamctl guest del " g1
expect "chamctl agent inject alpha " port guest file hex
expect "chamctl -j tenant sh" show
EOF
if ! bash -n "$completion" 2>>"$tmp/why"; then
	echo "bash -n $completion failed" >>"$tmp/why"
elif [ ! -x "$chamctl" ]; then
	echo "$chamctl is not built (make user)" >>"$tmp/why"
else
	(cd "$tmp/work" && PATH=$tmp/bin:$PATH bash --norc --noprofile \
		"$tmp/complete.sh" "$completion" "$tmp/helpers.sh") >>"$tmp/why" 2>&1
	# Without the module: no names, and not a word on the terminal.
	(cd "$tmp/work" && STUB_FAIL=1 PATH=$tmp/bin:$PATH bash --norc --noprofile -c '
		source "$1" && source "$2"
		got=$(complete_line "chamctl stats " 2>&1)
		[ -z "$got" ] || echo "without the module, chamctl stats<TAB> gives: $got"
		' check "$completion" "$tmp/helpers.sh") >>"$tmp/why" 2>&1
fi
result "completion: user/chamctl/chamctl.bash parses and completes objects, commands, keywords, tenants and files"

# --- make install ---------------------------------------------------------
if [ -z "$installed" ]; then
	installed=$tmp/root/usr/local
	make -C "$top" -s install DESTDIR="$tmp/root" PREFIX=/usr/local \
		>"$tmp/install.log" 2>&1 ||
		{ echo "make install failed:"; tail -n 8 "$tmp/install.log"; } >>"$tmp/why"
fi
for page in "${pages[@]}"; do
	name=${page##*/}
	to=$installed/share/man/man${name##*.}/$name
	cmp -s "$page" "$to" || echo "$to is missing or differs from $page" >>"$tmp/why"
done
cmp -s "$completion" "$installed/share/bash-completion/completions/chamctl" ||
	echo "$installed/share/bash-completion/completions/chamctl is missing or differs" >>"$tmp/why"
# man finds the page where it was installed.
[ "$(man -M "$installed/share/man" -w chamctl 2>/dev/null)" = \
	"$installed/share/man/man8/chamctl.8" ] ||
	echo "man -M $installed/share/man -w chamctl does not find chamctl.8" >>"$tmp/why"
result "install: make install puts the man pages and the completion in place"
