# fish completion for watchx(1).
# Install it as .../fish/vendor_completions.d/watchx.fish.

# Print the event names for the last item of the comma-separated list being
# typed, each after the items already typed: `create,mo' gives
# `create,modify', `create,move'...
function __watchx_events
    set -l token (commandline -ct)
    # The token may still hold its option: `--event=cre', `-ecre'.
    set -l opt (string match -r -- '^(?:--[a-z-]+=|-[0jPqrhV]*[ex])' $token)
    set -l list (string replace -- "$opt" '' $token)
    set -l head (string match -r -- '^.*,' $list)
    for e in access\t'file was read' \
            modify\t'file was written' \
            attrib\t'metadata changed' \
            close_write\t'file opened for writing was closed' \
            close_nowrite\t'file opened read-only was closed' \
            open\t'file or directory was opened' \
            moved_from\t'entry renamed away' \
            moved_to\t'entry renamed in' \
            create\t'entry created' \
            delete\t'entry deleted' \
            delete_self\t'watched object was deleted' \
            move_self\t'watched object was renamed' \
            unmount\t'file system was unmounted' \
            ignored\t'watch was removed' \
            close\t'close_write and close_nowrite' \
            move\t'moved_from and moved_to' \
            change\t'every event that changes the file system, no reads' \
            all\t'every event from access to move_self'
        printf '%s%s\n' "$head" $e
    end
end

complete -c watchx -s h -l help -d 'Print usage and options, then exit'
complete -c watchx -s V -l version -d 'Print version, then exit'
complete -c watchx -s P -l no-dereference -d 'Watch a symbolic link itself'
complete -c watchx -s H -l human -d 'For a person: time, names, path, a move as old -> new'
complete -c watchx -s m -l monitor -d 'Accepted for inotifywait habits: always monitors'
complete -c watchx -s q -l quiet -d 'No status messages on stderr'
complete -c watchx -s r -l recursive -d 'Watch every directory below each path'
complete -c watchx -l no-tick -d 'Print no empty tick records'
complete -c watchx -l tick -d 'Print empty tick records wherever output goes'
complete -c watchx -s 0 -l null -d 'End records with NUL, write names raw'
complete -c watchx -s j -l json -d 'Print one JSON object per event'
complete -c watchx -l pair-moves -d 'Print a move as one record with the old path'
complete -c watchx -l stats -d 'Print no events: count them, one table at the end'
complete -c watchx -l ready-fd -x -d 'Write a line to this descriptor once watching'
complete -c watchx -s f -l format -x -d 'Print with this format: %d %m %x %c %l %e %w %f %p %P %T %%'
complete -c watchx -l timefmt -x -d 'strftime(3) format of %T and the JSON time'
complete -c watchx -s o -l outfile -r -F -d 'Append to this file instead of stdout'
complete -c watchx -l fromfile -r -F -d 'Read more paths from this file (- for stdin)'
complete -c watchx -l include -x -d 'Print only events whose path matches this pattern (gitignore syntax)'
complete -c watchx -l exclude -x -d 'Print no event whose path matches this pattern (gitignore syntax)'
complete -c watchx -l gitignore -d 'Under -r, leave out what git ignores, and .git'
complete -c watchx -l color -x -a 'auto\t"colour on a terminal, unless NO_COLOR" always\t"colour even into pipes and files" never\t"no colour"' -d 'Colour the event names'
complete -c watchx -l on-overflow -x -a 'exit\t"exit 3 (the default)" rescan\t"list the tree again, report what changed (-r)"' -d 'What to do after a queue overflow'
complete -c watchx -s b -l block -x -d 'Length of an idle cycle (seconds)'
complete -c watchx -s n -l count -x -d 'Exit 0 after this many events'
complete -c watchx -s t -l timeout -x -d 'Exit 2 after this long without an event (seconds)'
complete -c watchx -l deadline -x -d 'Exit 2 this long after start, events or not (seconds)'
complete -c watchx -s e -l event -x -a '(__watchx_events)' -d 'Watch and print only these events'
complete -c watchx -s x -l exit-on -x -a '(__watchx_events)' -d 'Exit 0 after the first of these events'
complete -c watchx -l by-name -d 'Follow each path by its name: replaced, re-created, not there yet'
complete -c watchx -l wait-exists -d 'Exit 0 once every path exists'
complete -c watchx -l wait-gone -d 'Exit 0 once no path exists'
complete -c watchx -l wait-written -d 'Exit 0 once every path exists and nobody writes it'
complete -c watchx -F
