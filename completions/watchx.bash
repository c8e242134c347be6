# bash completion for watchx(1), and for watchx under the names inotifywait
# and inotifywatch.
#
# Plain bash: it needs nothing from the bash-completion package.  Install it
# as .../bash-completion/completions/watchx (and, for the other names, as
# .../completions/inotifywait and inotifywatch, as make install-compat
# does), or source it from ~/.bashrc.

# _watchx_events prefix list
#	Complete the last item of a comma-separated event list.  The items
#	before it, and prefix (an option glued to the list, as in `-e' of
#	`-ecreate'), are kept in front of every candidate, so `-e create,mo'
#	offers `create,modify', `create,move', `create,move_self'...
_watchx_events()
{
	local prefix=$1 item=$2 head w
	local -a words

	# Sorted, so the candidates come out in order.
	words=(access all attrib change close close_nowrite close_write create
	    delete delete_self ignored modify move move_self moved_from moved_to
	    open unmount)
	if [[ $item == *,* ]]; then
		head=${item%,*},
		item=${item##*,}
	else
		head=
	fi
	# Names are case-insensitive and take an optional IN_ prefix: follow
	# the case the user started with.
	case $item in
	[A-Z]*)
		words=("${words[@]^^}")
		words+=("${words[@]/#/IN_}")
		;;
	[iI][nN]_*)
		words=("${words[@]/#/${item:0:3}}")
		;;
	esac

	COMPREPLY=()
	for w in "${words[@]}"; do
		if [[ $w == "$item"* ]]; then
			COMPREPLY+=("$prefix$head$w")
		fi
	done
}

# _watchx_files word
#	Complete file and directory names, quoting them as bash would.
_watchx_files()
{
	local cur=$1 line

	COMPREPLY=()
	# compopt fails outside a completion (when called by hand): harmless.
	compopt -o filenames 2>/dev/null || :
	while IFS= read -r line; do
		COMPREPLY+=("$line")
	done < <(compgen -f -- "$cur")
}

# _watchx_when word
#	Complete the argument of --color.
_watchx_when()
{
	mapfile -t COMPREPLY < <(compgen -W 'always auto never' -- "$1")
}

# _watchx_overflow word
#	Complete the argument of --on-overflow.
_watchx_overflow()
{
	mapfile -t COMPREPLY < <(compgen -W 'exit rescan' -- "$1")
}

# _watchx_sort word
#	Complete the argument of inotifywatch's -a and -d: total, or one event.
_watchx_sort()
{
	mapfile -t COMPREPLY < <(compgen -W 'total access modify attrib
	    close_write close_nowrite open moved_from moved_to move_self create
	    delete delete_self unmount' -- "$1")
}

# _watchx_kind option
#	The kind of argument the option (a short letter, or a full long name)
#	takes: event, number, file, when, overflow, sort, free; nothing if it
#	takes none.
_watchx_kind()
{
	case $1 in
	a | d | ascending | descending) echo sort ;;
	e | x | event | exit-on) echo event ;;
	b | n | t | block | count | timeout | deadline | ready-fd) echo number ;;
	o | outfile | fromfile) echo file ;;
	color) echo when ;;
	on-overflow) echo overflow ;;
	f | format | timefmt | include | exclude) echo free ;;
	includei | excludei) echo free ;;
	esac
}

# _watchx_takes word
#	Print the kind of argument (see _watchx_kind) the option word takes
#	in the next word.  getopt_long takes any unambiguous prefix of a long
#	option, and short options may be bundled, as in `-qe'.
_watchx_takes()
{
	local w=$1 o
	local -a found

	if [[ $w =~ ^-[$_watchx_flags]*([$_watchx_argopts])$ ]]; then
		_watchx_kind "${BASH_REMATCH[1]}"
	elif [[ $w == --?* && $w != *=* ]]; then
		for o in $_watchx_longopts; do
			if [[ $o == "$w" ]]; then
				found=("$o")
				break
			fi
			[[ $o == "$w"* ]] && found+=("$o")
		done
		((${#found[@]} == 1)) && _watchx_kind "${found[0]#--}"
	fi
}

# _watchx_arg kind prefix word
#	Complete word, the argument of an option that takes kind, with
#	prefix (the option glued to it) in front of every candidate.
_watchx_arg()
{
	local kind=$1 prefix=$2 word=$3 i

	case $kind in
	event)
		_watchx_events "$prefix" "$word"
		;;
	file)
		_watchx_files "$word"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		;;
	when)
		_watchx_when "$word"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		;;
	overflow | sort)
		"_watchx_$kind" "$word"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		;;
	*)
		# A number, a format or a glob: nothing sensible to offer.
		COMPREPLY=()
		;;
	esac
}

_watchx_shortopts='-0 -b -e -f -H -h -j -m -n -o -P -q -r -t -V -x'
_watchx_longopts='--block --by-name --color --count --deadline --event --exclude --exit-on
    --format --fromfile --gitignore --help --human --include --json --monitor --no-dereference --no-tick
    --null --on-overflow --outfile --pair-moves --quiet --ready-fd
    --recursive --stats
    --tick --timefmt --timeout
    --version --wait-exists --wait-gone --wait-written'

# The command line under the name inotifywait (see watchx(1)).
_watchx_iw_shortopts='-c -d -e -h -I -m -o -P -q -r -s -t'
_watchx_iw_longopts='--csv --daemon --event --exclude --excludei --format
    --fromfile --help --include --includei --inotify --monitor
    --no-dereference --no-newline --outfile --quiet --recursive --syslog
    --timefmt --timeout'

# The command line under the name inotifywatch (see watchx(1)).
_watchx_iwatch_shortopts='-a -d -e -h -I -P -q -r -t -v -z'
_watchx_iwatch_longopts='--ascending --descending --event --exclude
    --excludei --fromfile --help --include --includei --inotify
    --no-dereference --quiet --recursive --timeout --verbose --zero'

_watchx()
{
	local cur prev i kind
	# Short options without a value, and those with one, for the regexes.
	local _watchx_flags=0HjmPqrhV _watchx_argopts=befnotx

	if [[ ${COMP_WORDS[0]##*/} == inotifywait ]]; then
		local _watchx_shortopts=$_watchx_iw_shortopts
		local _watchx_longopts=$_watchx_iw_longopts
		_watchx_flags=cdhImPqrs
		_watchx_argopts=eot
	elif [[ ${COMP_WORDS[0]##*/} == inotifywatch ]]; then
		local _watchx_shortopts=$_watchx_iwatch_shortopts
		local _watchx_longopts=$_watchx_iwatch_longopts
		_watchx_flags=hIPqrvz
		_watchx_argopts=adet
	fi

	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	if ((COMP_CWORD > 0)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	# After `--' every word is a path.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			_watchx_files "$cur"
			return 0
		fi
	done

	# bash splits `--event=cre' at the `=' (see COMP_WORDBREAKS): the
	# option is then two words back and `prev' is the `=' itself.
	if [[ $cur == = && $prev == --* ]]; then
		prev=$prev=
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}=
	fi

	# The argument of an option, in a word of its own.
	kind=$(_watchx_takes "${prev%=}")
	if [[ -n $kind ]]; then
		_watchx_arg "$kind" "" "$cur"
		return 0
	fi
	# A `=' after any other option: nothing sensible to offer.
	if [[ $prev == --*= ]]; then
		COMPREPLY=()
		return 0
	fi

	# The argument glued to its option: `--event=cre', `-ecre', `-t5',
	# `-ofile'.
	if [[ $cur =~ ^(--[a-z-]+=)(.*)$ ]]; then
		_watchx_arg "$(_watchx_takes "${BASH_REMATCH[1]%=}")" \
		    "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		return 0
	fi
	if [[ $cur =~ ^(-[$_watchx_flags]*[$_watchx_argopts])(.+)$ ]]; then
		_watchx_arg "$(_watchx_takes "${BASH_REMATCH[1]}")" \
		    "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		return 0
	fi

	case $cur in
	--*)
		mapfile -t COMPREPLY < <(compgen -W "$_watchx_longopts" -- "$cur")
		;;
	-*)
		mapfile -t COMPREPLY < <(compgen -W \
		    "$_watchx_shortopts $_watchx_longopts" -- "$cur")
		;;
	*)
		_watchx_files "$cur"
		;;
	esac
	return 0
}

complete -F _watchx watchx inotifywait inotifywatch
