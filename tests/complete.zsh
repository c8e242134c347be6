# zsh tests/complete.zsh COMPDIR LINE WANT: in an interactive zsh on a pty
# (zpty) with COMPDIR first in fpath and compinit run, type LINE and a TAB,
# then print what the command line becomes, escape sequences removed, once
# it contains WANT (a pattern), or after 5 seconds; exit 0 if it did.
zmodload zsh/zpty zsh/datetime
setopt extendedglob
zpty z zsh -f -i
zpty -w z "PS1=''; PROMPT_EOL_MARK=''; unsetopt zle_bracketed_paste"
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "print -r -- READY\$((6*7))"
out= chunk=
end=$((EPOCHREALTIME + 5))
while (( EPOCHREALTIME < end )) && [[ $out != *READY42* ]]; do
	zpty -r -t z chunk && out+=$chunk || sleep 0.02
done
zpty -w -n z "$2"$'\t'
out=
while (( EPOCHREALTIME < end )); do
	if zpty -r -t z chunk; then
		out+=$chunk
		clean=${out//$'\e'\[[0-9;?]#[a-zA-Z]/}
		[[ $clean == *$~3* ]] && break
	else
		sleep 0.02
	fi
done
zpty -d z
clean=${out//$'\e'\[[0-9;?]#[a-zA-Z]/}
clean=${clean//$'\r'/}
print -r -- "$clean"
[[ $clean == *$~3* ]]
