# SPDX-License-Identifier: GPL-2.0
#
# bash completion for chamctl(8); make install puts it in
# $(PREFIX)/share/bash-completion/completions/chamctl.
#
# The objects, commands, keywords and keyword values come from the usage
# lines 'chamctl help' prints, read from the very chamctl being completed,
# so the completion follows the tool it completes. Only what the usage
# lines abbreviate is listed here: the knobs behind BUDGET and SLOWPATH,
# and the OBJECTs of 'monitor'. Tenant and guest names come from
# 'chamctl -j OBJECT show'; when that fails (no module, not allowed),
# they are silently not offered.
#
# Words are split on blanks only, not on bash's COMP_WORDBREAKS, so that
# IPv6 prefixes and MAC addresses count as one word; quotes are not
# interpreted.

# The knobs of [BUDGET...] and [SLOWPATH...] (chamctl tenant add --help),
# each with its value as a usage line writes it.
declare -gA _chamctl_group_knobs=(
	[share]=PCT [burst]=DURATION [policy]='drop|ecn'
	[ecn-threshold]=PCT [accounting]='on|off' [enforcement]='on|off'
	[ceiling]='DURATION|none' [eject-after]='N|never'
	[insn-limit]='N|none' [punt-queue]=N [timers]=N
)
declare -ga _chamctl_budget=(share burst policy ecn-threshold accounting
	enforcement ceiling eject-after insn-limit)
declare -ga _chamctl_slowpath=(punt-queue timers)
# What 'chamctl monitor [OBJECT...]' can watch.
declare -ga _chamctl_monitor_objects=(tenant rule port guest proto config agent all)

# _chamctl_usages PROG: the usage lines of 'PROG help', without "chamctl ".
_chamctl_usages()
{
	local line

	while IFS= read -r line; do
		[[ $line == '  chamctl '* ]] && printf '%s\n' "${line#  chamctl }"
	done < <("$1" help 2>/dev/null)
}

# _chamctl_options PROG: the global options of 'PROG help' ("-j", "--json").
_chamctl_options()
{
	local line word

	while IFS= read -r line; do
		[[ $line == '  -'* ]] || continue
		for word in $line; do
			word=${word%,}
			[[ $word == -* ]] || break
			printf '%s\n' "$word"
		done
	done < <("$1" help 2>/dev/null)
}

# _chamctl_names PROG OBJECT: the names 'PROG -j OBJECT show' lists.
_chamctl_names()
{
	local json re

	json=$("$1" -j "$2" show 2>/dev/null) || return 0
	if type -P jq >/dev/null; then
		jq -r '.[]?.name // empty' <<<"$json" 2>/dev/null
		return 0
	fi
	# Without jq: each object of the array starts with its id and name
	# (names are letters, digits, '_' and '-'); nested objects do not.
	re='\{"id":[0-9]+,"name":"([A-Za-z0-9_-]+)"'
	while [[ $json =~ $re ]]; do
		printf '%s\n' "${BASH_REMATCH[1]}"
		json=${json#*"${BASH_REMATCH[0]}"}
	done
}

# _chamctl_add WORD...: the WORDs that start with $cur.
_chamctl_add()
{
	local word

	for word in "$@"; do
		[[ $word == "$cur"* ]] && COMPREPLY+=("$word")
	done
}

# _chamctl_compgen OPTION...: adds what 'compgen OPTION... -- $cur' finds.
_chamctl_compgen()
{
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "$@" -- "$cur")
}

# _chamctl_files [PATTERN]: files (those matching PATTERN) and directories.
_chamctl_files()
{
	compopt -o filenames 2>/dev/null
	if [[ -n ${1-} ]]; then
		_chamctl_compgen -f -X "!$1"
		_chamctl_compgen -d
	else
		_chamctl_compgen -f
	fi
}

# _chamctl_value SPEC [more]: what a usage line's value SPEC ("pass|drop",
# "TENANT", "PREFIX...|none", "OBJECT.bpf.o") may be; with "more", what
# one more element of a list may be (not "none"). Uses $prog, $object
# and $command.
_chamctl_value()
{
	local -a alts
	local alt

	IFS='|' read -ra alts <<<"$1"
	for alt in "${alts[@]}"; do
		alt=${alt%...}
		case $alt in
		[a-z]*)
			[[ ${2-} == more ]] || _chamctl_add "$alt"
			;;
		TENANT)
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(
				_chamctl_names "$prog" tenant | while read -r name; do
					[[ $name == "$cur"* ]] && printf '%s\n' "$name"
				done)
			;;
		NAME | GUEST)
			# An existing tenant's or guest's, unless it is added.
			[[ $command == add && $alt == NAME ]] && continue
			local what=$object
			[[ $alt == GUEST ]] && what=guest
			[[ $what == tenant || $what == guest ]] || continue
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(
				_chamctl_names "$prog" "$what" | while read -r name; do
					[[ $name == "$cur"* ]] && printf '%s\n' "$name"
				done)
			;;
		*.bpf.o)
			_chamctl_files '*.bpf.o'
			;;
		FILE | PATH)
			_chamctl_files
			;;
		DIR)
			compopt -o filenames 2>/dev/null
			_chamctl_compgen -d
			;;
		IFNAME | IFACE | DEV)
			local dev
			for dev in /sys/class/net/*; do
				[[ -e $dev ]] && _chamctl_add "${dev##*/}"
			done
			;;
		NS)
			local ns
			for ns in /run/netns/*; do
				[[ -e $ns ]] && _chamctl_add "${ns##*/}"
			done
			;;
		USER)
			_chamctl_compgen -u
			;;
		OBJECT)
			[[ $object == monitor ]] &&
				_chamctl_add "${_chamctl_monitor_objects[@]}"
			;;
		esac
	done
}

# _chamctl_args USAGE WORD...: completes the argument $cur of the command
# whose usage (after the command word) is USAGE; WORDs are the arguments
# before $cur.
_chamctl_args()
{
	local -a tokens pos_spec=() pos_at=() pos_optional=() alts
	local -A spec=() at=() used=() fills=()
	local tok t expect='' expect_kw='' n k alt
	local -a group
	local usage=$1

	shift
	# The usage, read into keywords (with the SPEC of their value, empty
	# for a flag) and positional arguments, each with its place.
	read -ra tokens <<<"$usage"
	for ((n = 0; n < ${#tokens[@]}; n++)); do
		tok=${tokens[n]}
		t=${tok//[\[\]]/}
		[[ -z $t || $t == '|' ]] && continue
		if [[ -n $expect ]]; then
			spec[$expect]=$t
			expect=
			# "port DEV|guest GUEST": guest is a keyword too, whose
			# value is the next token; in "udp|tcp|NUM]" and
			# "PREFIX...|none]" the words are values.
			[[ $tok != *']' && ${tokens[n + 1]-} == *[A-Z]* &&
				$t == *[A-Z]* ]] || continue
			IFS='|' read -ra alts <<<"$t"
			spec[$expect_kw]=
			for alt in "${alts[@]}"; do
				if [[ $alt == *[A-Z]* ]]; then
					spec[$expect_kw]+=${spec[$expect_kw]:+|}$alt
				else
					spec[$alt]=
					at[$alt]=$n
					expect=$alt
				fi
			done
			continue
		fi
		if [[ $t == [a-z]* ]]; then
			IFS='|' read -ra alts <<<"$t"
			for alt in "${alts[@]}"; do
				spec[$alt]=
				at[$alt]=$n
			done
			# "[replace]", "[tenant]": a flag; "[owner" takes a value.
			if [[ ${#alts[@]} == 1 && $tok != *']' ]]; then
				expect=$t
				expect_kw=$t
			fi
		elif [[ $t == BUDGET... || $t == SLOWPATH... ]]; then
			if [[ $t == BUDGET... ]]; then
				group=("${_chamctl_budget[@]}")
			else
				group=("${_chamctl_slowpath[@]}")
			fi
			for k in "${group[@]}"; do
				spec[$k]=${_chamctl_group_knobs[$k]}
				at[$k]=$n
			done
		else
			# "TENANT|link ID": a positional, or keyword link with
			# the next token as its value in the positional's place.
			local placeholders=
			IFS='|' read -ra alts <<<"$t"
			for alt in "${alts[@]}"; do
				if [[ $alt == *[A-Z]* || $tok == *']' ||
					${tokens[n + 1]-} != *[A-Z]* ]]; then
					placeholders+=${placeholders:+|}$alt
				else
					spec[$alt]=
					at[$alt]=$n
					fills[$alt]=${#pos_spec[@]}
					expect=$alt
					expect_kw=$alt
				fi
			done
			pos_spec+=("$placeholders")
			pos_at+=("$n")
			pos_optional+=("$([[ $tok == '['* ]] && echo 1)")
		fi
	done

	# The arguments so far: which positional comes next, and whether
	# $cur is the value of a keyword, or one more element of a list.
	local p=0 list='' word
	expect=
	for word in "$@"; do
		if [[ -n $expect ]]; then
			[[ ${spec[$expect]} == *...* ]] && list=$expect
			expect=
		elif [[ -n ${spec[$word]+set} ]]; then
			used[$word]=1
			list=
			[[ -n ${fills[$word]-} ]] && ((p <= fills[$word])) &&
				p=$((fills[$word] + 1))
			[[ -n ${spec[$word]} ]] && expect=$word
		elif [[ -z $list ]] && ((p < ${#pos_spec[@]})); then
			[[ ${pos_spec[p]} == *... ]] || p=$((p + 1))
		fi
	done

	if [[ $cur == -* ]]; then
		_chamctl_add -h --help
		return
	fi
	if [[ -n $expect ]]; then
		_chamctl_value "${spec[$expect]}"
		return
	fi
	# Keywords between the last positional given and the next one that
	# is required: "proto unload [tenant] TENANT|link ID" offers tenant
	# and link first, neither after the tenant.
	local after=-1 before=$n
	((p > 0)) && after=${pos_at[p - 1]}
	if ((p < ${#pos_spec[@]})); then
		_chamctl_value "${pos_spec[p]}"
		[[ -z ${pos_optional[p]} ]] && before=$((pos_at[p] + 1))
	fi
	[[ -n $list ]] && _chamctl_value "${spec[$list]}" more
	for k in "${!spec[@]}"; do
		[[ -z ${used[$k]-} ]] && ((at[$k] > after && at[$k] < before)) &&
			_chamctl_add "$k"
	done
}

_chamctl()
{
	local line=${COMP_LINE:0:COMP_POINT} cur='' prog object command
	local -a words usages commands
	local i=1 u

	COMPREPLY=()
	read -ra words <<<"$line"
	[[ $line == *[[:blank:]] || ${#words[@]} == 0 ]] || {
		cur=${words[-1]}
		unset 'words[-1]'
	}
	prog=${words[0]:-chamctl}
	# A chamctl given by a path with ~ is run as the shell would run it.
	# shellcheck disable=SC2088 # the ~ as typed, not expanded
	[[ $prog == '~/'* ]] && prog=$HOME/${prog#'~/'}

	# Global options, then OBJECT.
	while ((i < ${#words[@]})); do
		case ${words[i]} in
		-b | -batch | --batch)
			((i + 1 == ${#words[@]})) && _chamctl_files
			return 0
			;;
		--)
			i=$((i + 1))
			break
			;;
		-*) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	if ((i == ${#words[@]})); then
		if [[ $cur == -* && ${words[i - 1]} != -- ]]; then
			mapfile -t options < <(_chamctl_options "$prog")
			_chamctl_add "${options[@]}"
		else
			mapfile -t usages < <(_chamctl_usages "$prog")
			for u in "${usages[@]}"; do
				_chamctl_add "${u%% *}"
			done
			_chamctl_add help
		fi
		_chamctl_unique
		return 0
	fi

	object=${words[i]}
	mapfile -t usages < <(_chamctl_usages "$prog")
	if [[ $object == help ]]; then
		if ((i + 1 == ${#words[@]})); then
			for u in "${usages[@]}"; do
				_chamctl_add "${u%% *}"
			done
			_chamctl_unique
		fi
		return 0
	fi
	# This object's usages, without the object; and its command words.
	local -a mine=()
	for u in "${usages[@]}"; do
		[[ ${u%% *} == "$object" ]] || continue
		u=${u#"$object"}
		mine+=("${u# }")
		[[ ${u# } =~ ^[a-z][a-z-]*($| ) ]] && commands+=("${u# }")
	done
	((${#mine[@]})) || return 0
	if ((${#commands[@]} == 0)); then
		# An object without command words: stats, monitor, status.
		command=
		_chamctl_args "${mine[0]}" "${words[@]:i+1}"
	elif ((i + 1 == ${#words[@]})); then
		for u in "${commands[@]}"; do
			_chamctl_add "${u%% *}"
		done
		_chamctl_add help
	else
		command=${words[i + 1]}
		for u in "${commands[@]}"; do
			if [[ ${u%% *} == "$command" ]]; then
				u=${u#"$command"}
				_chamctl_args "${u# }" "${words[@]:i+2}"
				break
			fi
		done
	fi
	_chamctl_unique
	# bash replaces only what follows the last COMP_WORDBREAKS character.
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local strip=${cur%"${cur##*:}"}
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$strip"}
		done
	fi
	return 0
}

# Each candidate once, in the order found.
_chamctl_unique()
{
	local -A seen=()
	local -a out=()
	local c

	for c in "${COMPREPLY[@]}"; do
		[[ -n ${seen[$c]-} ]] && continue
		seen[$c]=1
		out+=("$c")
	done
	COMPREPLY=("${out[@]}")
}

complete -F _chamctl chamctl
