# bash completion for watchx(1).
#
# Plain bash: it needs nothing from the bash-completion package.  Install it
# as .../bash-completion/completions/watchx, or source it from ~/.bashrc.

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
	words=(access all attrib close close_nowrite close_write create delete
	    delete_self ignored modify move move_self moved_from moved_to open
	    unmount)
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

# _watchx_takes word
#	Print `event' if word is an option whose argument is an event list,
#	`number' if its argument is a number.  getopt_long takes any
#	unambiguous prefix of a long option, and short options may be
#	bundled, as in `-qe'.
_watchx_takes()
{
	local w=$1

	if [[ $w =~ ^-[PqrhV]*[ex]$ ]]; then
		echo event
	elif [[ $w =~ ^-[PqrhV]*[bnt]$ ]]; then
		echo number
	elif ((${#w} >= 3)); then
		case $w in
		--*=*) ;;
		--e*) [[ --event == "$w"* || --exit-on == "$w"* ]] && echo event ;;
		--b*) [[ --block == "$w"* ]] && echo number ;;
		--c*) [[ --count == "$w"* ]] && echo number ;;
		--t*) [[ --timeout == "$w"* ]] && echo number ;;
		esac
	fi
}

_watchx()
{
	local cur prev i
	local shortopts='-b -e -h -n -P -q -r -t -V -x'
	local longopts='--block --count --event --exit-on --help
	    --no-dereference --no-tick --quiet --recursive --timeout --version'

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
	case $(_watchx_takes "${prev%=}") in
	event)
		_watchx_events "" "$cur"
		return 0
		;;
	number)
		COMPREPLY=()
		return 0
		;;
	esac
	# A `=' after any other option: nothing sensible to offer.
	if [[ $prev == --*= ]]; then
		COMPREPLY=()
		return 0
	fi

	# The argument glued to its option: `--event=cre', `-ecre', `-t5'.
	if [[ $cur =~ ^(--[a-z-]+=)(.*)$ ]]; then
		case $(_watchx_takes "${BASH_REMATCH[1]%=}") in
		event)	_watchx_events "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" ;;
		*)	COMPREPLY=() ;;
		esac
		return 0
	fi
	if [[ $cur =~ ^(-[PqrhV]*[ex])(.+)$ ]]; then
		_watchx_events "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		return 0
	fi
	if [[ $cur =~ ^-[PqrhV]*[bnt]. ]]; then
		COMPREPLY=()
		return 0
	fi

	case $cur in
	--*)
		mapfile -t COMPREPLY < <(compgen -W "$longopts" -- "$cur")
		;;
	-*)
		mapfile -t COMPREPLY < <(compgen -W "$shortopts $longopts" -- "$cur")
		;;
	*)
		_watchx_files "$cur"
		;;
	esac
	return 0
}

complete -F _watchx watchx
