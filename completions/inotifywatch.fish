# fish completion for watchx(1) under the name inotifywatch (make
# install-compat).  Install it as .../fish/vendor_completions.d/inotifywatch.fish.

# The event names for the last item of the comma-separated list being typed.
function __inotifywatch_events
    set -l token (commandline -ct)
    set -l opt (string match -r -- '^(?:--[a-z-]+=|-[hIPqrvz]*e)' $token)
    set -l list (string replace -- "$opt" '' $token)
    set -l head (string match -r -- '^.*,' $list)
    for e in access modify attrib close_write close_nowrite close open \
            moved_from moved_to move move_self create delete delete_self \
            unmount all_events
        printf '%s%s\n' "$head" $e
    end
end

set -l __inotifywatch_keys total access modify attrib close_write \
    close_nowrite open moved_from moved_to move_self create delete \
    delete_self unmount

complete -c inotifywatch -s h -l help -d 'Print usage and options, then exit'
complete -c inotifywatch -s r -l recursive -d 'Watch every directory below each path'
complete -c inotifywatch -s e -l event -x -a '(__inotifywatch_events)' -d 'Count only these events'
complete -c inotifywatch -s t -l timeout -x -d 'Count for this many seconds in all (0: until Ctrl-C)'
complete -c inotifywatch -s a -l ascending -x -a "$__inotifywatch_keys" -d 'Sort by this count, fewest first'
complete -c inotifywatch -s d -l descending -x -a "$__inotifywatch_keys" -d 'Sort by this count, most first'
complete -c inotifywatch -s z -l zero -d 'Print rows and columns of zeros too'
complete -c inotifywatch -l exclude -x -d 'Count no event whose path matches this regex'
complete -c inotifywatch -l excludei -x -d 'As --exclude, ignoring case'
complete -c inotifywatch -l include -x -d 'Count only events on files matching this regex'
complete -c inotifywatch -l includei -x -d 'As --include, ignoring case'
complete -c inotifywatch -l fromfile -r -F -d 'Read more paths (and @paths) from this file'
complete -c inotifywatch -s P -l no-dereference -d 'Watch a symbolic link itself'
complete -c inotifywatch -s q -l quiet -d 'No status messages'
complete -c inotifywatch -s v -l verbose -d 'Accepted'
complete -c inotifywatch -s I -l inotify -d 'Accepted: watching is by inotify'
