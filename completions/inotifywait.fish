# fish completion for watchx(1) under the name inotifywait (make
# install-compat).  Install it as .../fish/vendor_completions.d/inotifywait.fish.

# The event names for the last item of the comma-separated list being typed.
function __inotifywait_events
    set -l token (commandline -ct)
    set -l opt (string match -r -- '^(?:--[a-z-]+=|-[cdhImPqrs]*e)' $token)
    set -l list (string replace -- "$opt" '' $token)
    set -l head (string match -r -- '^.*,' $list)
    for e in access modify attrib close_write close_nowrite close open \
            moved_from moved_to move move_self create delete delete_self \
            unmount all_events
        printf '%s%s\n' "$head" $e
    end
end

complete -c inotifywait -s h -l help -d 'Print usage and options, then exit'
complete -c inotifywait -s m -l monitor -d 'Print every event, not only the first'
complete -c inotifywait -s d -l daemon -d 'As -m, in the background once watching (needs -o)'
complete -c inotifywait -s r -l recursive -d 'Watch every directory below each path'
complete -c inotifywait -s e -l event -x -a '(__inotifywait_events)' -d 'Watch only these events'
complete -c inotifywait -s t -l timeout -x -d 'Exit 2 after this many seconds without an event'
complete -c inotifywait -s o -l outfile -r -F -d 'Append the events to this file'
complete -c inotifywait -s s -l syslog -d 'Messages to syslog, not stderr'
complete -c inotifywait -s q -l quiet -d 'No status messages; twice, no events either'
complete -c inotifywait -s c -l csv -d 'Print comma-separated values'
complete -c inotifywait -l format -x -d 'Print with this format (%w %f %e %Xe %c %T %0 %n)'
complete -c inotifywait -l no-newline -d 'No newline after the --format record'
complete -c inotifywait -l timefmt -x -d 'strftime(3) format of %T'
complete -c inotifywait -l exclude -x -d 'Print no event whose path matches this regex'
complete -c inotifywait -l excludei -x -d 'As --exclude, ignoring case'
complete -c inotifywait -l include -x -d 'Print only events on files matching this regex'
complete -c inotifywait -l includei -x -d 'As --include, ignoring case'
complete -c inotifywait -l fromfile -r -F -d 'Read more paths (and @paths) from this file'
complete -c inotifywait -s P -l no-dereference -d 'Watch a symbolic link itself'
complete -c inotifywait -s I -l inotify -d 'Accepted: watching is by inotify'
