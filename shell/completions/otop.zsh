#compdef otop

autoload -U is-at-least

_otop() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--interval=[Seconds between refreshes \[default\: 2, or monitor.interval in the config file\]]:SECS:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'--no-notify[Send no notifications (the \[notify\] channels), whatever the configuration file says]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_otop_commands" \
"*::: :->otop" \
&& ret=0
    case $state in
    (otop)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:otop-command-$line[1]:"
        case $line[1] in
            (sessions)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--json[Print JSON (an array of objects; field names are stable)]' \
'-a[Also show unmatched processes, \`opencode run\`, subagents and helper processes]' \
'--all[Also show unmatched processes, \`opencode run\`, subagents and helper processes]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
'-f+[Template\: {waiting} {error} {working} {idle} {stalled} {total}, {sym\:STATE}, {fg\:STATE}, {reset}, {title}, {?STATE\:TEXT} (TEXT only when that count is non-zero)]:FORMAT:_default' \
'--format=[Template\: {waiting} {error} {working} {idle} {stalled} {total}, {sym\:STATE}, {fg\:STATE}, {reset}, {title}, {?STATE\:TEXT} (TEXT only when that count is non-zero)]:FORMAT:_default' \
'--empty=[What to print when no session runs (default\: nothing, or status.empty in the config)]:TEXT:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--plain[No tmux styles (#\[…\])\: for other status bars]' \
'(-f --format --plain)--json[Counts, sessions and spend as JSON (for sketchybar, waybar, SwiftBar scripts)]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
'--socket=[tmux server socket (default\: the one in \$TMUX)]:PATH:_default' \
'-f+[Template for @otop_status, as \`otop status --format\`]:FORMAT:_default' \
'--format=[Template for @otop_status, as \`otop status --format\`]:FORMAT:_default' \
'--empty=[@otop_status when no session runs (default\: empty)]:TEXT:_default' \
'--interval=[Seconds between refreshes]:SECONDS:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--tmux[Keep tmux user options up to date\: global @otop_status, per-pane @otop_state]' \
'--plain[No tmux styles (#\[…\]) in @otop_status]' \
'--no-notify[Send no notifications (the \[notify\] channels), whatever the configuration file says]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(pick)
_arguments "${_arguments_options[@]}" : \
'--client=[tmux client to move (the popup binding passes #{client_name})]:NAME:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(jump)
_arguments "${_arguments_options[@]}" : \
'--tty=[The session whose opencode runs on this terminal (/dev/pts/3 or pts/3)]:TTY:_default' \
'--next=[The next session in this state after the current pane (cycles)]:STATE:(waiting error working idle stalled)' \
'--client=[tmux client to move (default\: the current one)]:NAME:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'(--client)--any-client[Outside tmux, move the client tmux picks (the one active last) instead of printing where the session is (what a jump from another machine asks for)]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
'::target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
&& ret=0
;;
(reply)
_arguments "${_arguments_options[@]}" : \
'--option=[Choose the question'\''s option N (from 1)]:N:_default' \
'--text=[Answer the question with this text (where it takes a typed answer)]:TEXT:_default' \
'--request=[Answer only this request (its id, from \`otop sessions --json\`)\: refused once it is no longer pending]:ID:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
'::reply -- The answer to a permission:((once\:"Allow it this once"
always\:"Allow it, and what matches it, until opencode restarts"
reject\:"Reject it"))' \
&& ret=0
;;
(send)
_arguments "${_arguments_options[@]}" : \
'--file=[Read the message from this file]:F:_files' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
':target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
'*::text -- The message (its words joined by spaces); `-` reads it from standard input:_default' \
&& ret=0
;;
(interrupt)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
':target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
&& ret=0
;;
(end)
_arguments "${_arguments_options[@]}" : \
'--signal=[The first signal]:SIGNAL:(term int hup quit kill)' \
'--grace=[Seconds to wait before SIGKILL when the process still runs (default\: \`\[drive\] end_grace\` in the configuration file, 5)]:SECS:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
':target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
&& ret=0
;;
(wait)
_arguments "${_arguments_options[@]}" : \
'--until=[The state to wait for]:UNTIL:((idle\:"Idle, whatever the reason (finished, aborted, a new session)"
waiting\:"Waiting for you\: a question or a permission request"
done\:"Idle after a turn that finished normally after \`otop wait\` started"
error\:"In error (a failed turn, a failing provider)"
gone\:"No session matches any more (its opencode ended)"))' \
'--timeout=[Give up after this many seconds, exiting 124]:SECS:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':target -- A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty:_default' \
&& ret=0
;;
(plugin)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_otop__subcmd__plugin_commands" \
"*::: :->plugin" \
&& ret=0

    case $state in
    (plugin)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:otop-plugin-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(uninstall)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_otop__subcmd__plugin__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:otop-plugin-help-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(uninstall)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(config)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'(--path)--print-default[Print a commented configuration file holding every default]' \
'--path[Print where otop looks for its configuration file]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
':shell -- bash, zsh, fish, elvish or powershell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(restore)
_arguments "${_arguments_options[@]}" : \
'--socket=[Only the sessions of the tmux server at this socket]:PATH:_default' \
'--session=[Only the sessions of this tmux session]:NAME:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'-n[Print what would be done and change nothing]' \
'--dry-run[Print what would be done and change nothing]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
'--since=[Since TIME\: a span ago (\`90m\`, \`2h\`, \`1d\`), a time today (\`09\:00\`), or a date (\`2026-12-07\`, from its local midnight)]:TIME:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'(--since)--today[Since local midnight (the default)]' \
'--json[Print JSON (one object\: total, projects, sessions, longest_waits, notes)]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(serve)
_arguments "${_arguments_options[@]}" : \
'--interval=[Seconds between snapshots, until the reader goes away]:SECS:_default' \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'(--interval)--once[One snapshot, then exit]' \
'--light[Only what the status line needs (no tmux, log, history or CPU%)]' \
'(--once --light)--reply[Read one answer order (JSON) on stdin and answer it as \`otop reply\` does\: how another otop answers a session here]' \
'(--once --light --reply)--drive[Read one drive order (JSON) on stdin and act on it as \`otop send|interrupt|end\` do\: how another otop drives a session here]' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--db=[opencode database to read (default\: \$OPENCODE_DB, else \${XDG_DATA_HOME\:-~/.local/share}/opencode/opencode.db)]:PATH:_files' \
'--config=[Configuration file (default\: \$OTOP_CONFIG, else \${XDG_CONFIG_HOME\:-~/.config}/otop/config.toml)]:PATH:_files' \
'*--host=[Only this \[\[hosts\]\] entry'\''s sessions (repeatable); with --local, this machine'\''s too]:NAME:_default' \
'--demo[Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off]' \
'--local[Only this machine'\''s sessions (with --host, this machine'\''s and those hosts'\'')]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_otop__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:otop-help-command-$line[1]:"
        case $line[1] in
            (sessions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(pick)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(jump)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reply)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(send)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(interrupt)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(end)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(wait)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(plugin)
_arguments "${_arguments_options[@]}" : \
":: :_otop__subcmd__help__subcmd__plugin_commands" \
"*::: :->plugin" \
&& ret=0

    case $state in
    (plugin)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:otop-help-plugin-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(uninstall)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(config)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(restore)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(serve)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_otop_commands] )) ||
_otop_commands() {
    local commands; commands=(
'sessions:List running opencode sessions (a table, or --json for scripts)' \
'status:A compact segment for the tmux status bar (never fails loudly)' \
'watch:Keep tmux options current for a status bar that spawns nothing (@otop_status, @otop_state)' \
'pick:Pick a session in a compact list and jump to its tmux pane (made for display-popup)' \
'jump:Jump to a session'\''s tmux pane without any UI' \
'reply:Answer a session'\''s pending permission or question (exit 0 once opencode took it)' \
'send:Send a session a message, as its user'\''s next prompt (exit 0 once opencode took it)' \
'interrupt:Interrupt a session'\''s running turn, as esc esc in its TUI (exit 0 once the turn is over)' \
'end:End the opencode process running a session (SIGTERM, then SIGKILL after a grace)' \
'wait:Wait until a session is idle, waiting, done, in error or gone (exit 0; 124 on --timeout)' \
'plugin:The companion opencode plugin\: exact session mapping and live waiting/retry state' \
'doctor:Check the setup\: database, opencode processes, tmux, plugin, terminal' \
'config:The configuration file\: where it is, and a commented default one' \
'completions:Print a shell completion script' \
'restore:Start again, in tmux, the recorded opencode sessions that are not running (after a reboot or a lost tmux server)' \
'report:Where the time went\: per session and project, time working, waiting for you and in error; messages, tokens and spend; the longest waits (today, or --since)' \
'serve:Print this machine'\''s snapshots as JSON lines, for another otop reading it over ssh' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'otop commands' commands "$@"
}
(( $+functions[_otop__subcmd__completions_commands] )) ||
_otop__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'otop completions commands' commands "$@"
}
(( $+functions[_otop__subcmd__config_commands] )) ||
_otop__subcmd__config_commands() {
    local commands; commands=()
    _describe -t commands 'otop config commands' commands "$@"
}
(( $+functions[_otop__subcmd__doctor_commands] )) ||
_otop__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'otop doctor commands' commands "$@"
}
(( $+functions[_otop__subcmd__end_commands] )) ||
_otop__subcmd__end_commands() {
    local commands; commands=()
    _describe -t commands 'otop end commands' commands "$@"
}
(( $+functions[_otop__subcmd__help_commands] )) ||
_otop__subcmd__help_commands() {
    local commands; commands=(
'sessions:List running opencode sessions (a table, or --json for scripts)' \
'status:A compact segment for the tmux status bar (never fails loudly)' \
'watch:Keep tmux options current for a status bar that spawns nothing (@otop_status, @otop_state)' \
'pick:Pick a session in a compact list and jump to its tmux pane (made for display-popup)' \
'jump:Jump to a session'\''s tmux pane without any UI' \
'reply:Answer a session'\''s pending permission or question (exit 0 once opencode took it)' \
'send:Send a session a message, as its user'\''s next prompt (exit 0 once opencode took it)' \
'interrupt:Interrupt a session'\''s running turn, as esc esc in its TUI (exit 0 once the turn is over)' \
'end:End the opencode process running a session (SIGTERM, then SIGKILL after a grace)' \
'wait:Wait until a session is idle, waiting, done, in error or gone (exit 0; 124 on --timeout)' \
'plugin:The companion opencode plugin\: exact session mapping and live waiting/retry state' \
'doctor:Check the setup\: database, opencode processes, tmux, plugin, terminal' \
'config:The configuration file\: where it is, and a commented default one' \
'completions:Print a shell completion script' \
'restore:Start again, in tmux, the recorded opencode sessions that are not running (after a reboot or a lost tmux server)' \
'report:Where the time went\: per session and project, time working, waiting for you and in error; messages, tokens and spend; the longest waits (today, or --since)' \
'serve:Print this machine'\''s snapshots as JSON lines, for another otop reading it over ssh' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'otop help commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__completions_commands] )) ||
_otop__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'otop help completions commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__config_commands] )) ||
_otop__subcmd__help__subcmd__config_commands() {
    local commands; commands=()
    _describe -t commands 'otop help config commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__doctor_commands] )) ||
_otop__subcmd__help__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'otop help doctor commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__end_commands] )) ||
_otop__subcmd__help__subcmd__end_commands() {
    local commands; commands=()
    _describe -t commands 'otop help end commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__help_commands] )) ||
_otop__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'otop help help commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__interrupt_commands] )) ||
_otop__subcmd__help__subcmd__interrupt_commands() {
    local commands; commands=()
    _describe -t commands 'otop help interrupt commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__jump_commands] )) ||
_otop__subcmd__help__subcmd__jump_commands() {
    local commands; commands=()
    _describe -t commands 'otop help jump commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__man_commands] )) ||
_otop__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'otop help man commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__pick_commands] )) ||
_otop__subcmd__help__subcmd__pick_commands() {
    local commands; commands=()
    _describe -t commands 'otop help pick commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__plugin_commands] )) ||
_otop__subcmd__help__subcmd__plugin_commands() {
    local commands; commands=(
'install:Install the plugin into opencode'\''s global plugin directory' \
'uninstall:Remove it (only a file otop wrote)' \
'status:Say whether it is installed and which running opencode processes use it' \
    )
    _describe -t commands 'otop help plugin commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__plugin__subcmd__install_commands] )) ||
_otop__subcmd__help__subcmd__plugin__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'otop help plugin install commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__plugin__subcmd__status_commands] )) ||
_otop__subcmd__help__subcmd__plugin__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'otop help plugin status commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__plugin__subcmd__uninstall_commands] )) ||
_otop__subcmd__help__subcmd__plugin__subcmd__uninstall_commands() {
    local commands; commands=()
    _describe -t commands 'otop help plugin uninstall commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__reply_commands] )) ||
_otop__subcmd__help__subcmd__reply_commands() {
    local commands; commands=()
    _describe -t commands 'otop help reply commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__report_commands] )) ||
_otop__subcmd__help__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'otop help report commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__restore_commands] )) ||
_otop__subcmd__help__subcmd__restore_commands() {
    local commands; commands=()
    _describe -t commands 'otop help restore commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__send_commands] )) ||
_otop__subcmd__help__subcmd__send_commands() {
    local commands; commands=()
    _describe -t commands 'otop help send commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__serve_commands] )) ||
_otop__subcmd__help__subcmd__serve_commands() {
    local commands; commands=()
    _describe -t commands 'otop help serve commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__sessions_commands] )) ||
_otop__subcmd__help__subcmd__sessions_commands() {
    local commands; commands=()
    _describe -t commands 'otop help sessions commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__status_commands] )) ||
_otop__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'otop help status commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__wait_commands] )) ||
_otop__subcmd__help__subcmd__wait_commands() {
    local commands; commands=()
    _describe -t commands 'otop help wait commands' commands "$@"
}
(( $+functions[_otop__subcmd__help__subcmd__watch_commands] )) ||
_otop__subcmd__help__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'otop help watch commands' commands "$@"
}
(( $+functions[_otop__subcmd__interrupt_commands] )) ||
_otop__subcmd__interrupt_commands() {
    local commands; commands=()
    _describe -t commands 'otop interrupt commands' commands "$@"
}
(( $+functions[_otop__subcmd__jump_commands] )) ||
_otop__subcmd__jump_commands() {
    local commands; commands=()
    _describe -t commands 'otop jump commands' commands "$@"
}
(( $+functions[_otop__subcmd__man_commands] )) ||
_otop__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'otop man commands' commands "$@"
}
(( $+functions[_otop__subcmd__pick_commands] )) ||
_otop__subcmd__pick_commands() {
    local commands; commands=()
    _describe -t commands 'otop pick commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin_commands] )) ||
_otop__subcmd__plugin_commands() {
    local commands; commands=(
'install:Install the plugin into opencode'\''s global plugin directory' \
'uninstall:Remove it (only a file otop wrote)' \
'status:Say whether it is installed and which running opencode processes use it' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'otop plugin commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__help_commands] )) ||
_otop__subcmd__plugin__subcmd__help_commands() {
    local commands; commands=(
'install:Install the plugin into opencode'\''s global plugin directory' \
'uninstall:Remove it (only a file otop wrote)' \
'status:Say whether it is installed and which running opencode processes use it' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'otop plugin help commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__help__subcmd__help_commands] )) ||
_otop__subcmd__plugin__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin help help commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__help__subcmd__install_commands] )) ||
_otop__subcmd__plugin__subcmd__help__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin help install commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__help__subcmd__status_commands] )) ||
_otop__subcmd__plugin__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin help status commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__help__subcmd__uninstall_commands] )) ||
_otop__subcmd__plugin__subcmd__help__subcmd__uninstall_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin help uninstall commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__install_commands] )) ||
_otop__subcmd__plugin__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin install commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__status_commands] )) ||
_otop__subcmd__plugin__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin status commands' commands "$@"
}
(( $+functions[_otop__subcmd__plugin__subcmd__uninstall_commands] )) ||
_otop__subcmd__plugin__subcmd__uninstall_commands() {
    local commands; commands=()
    _describe -t commands 'otop plugin uninstall commands' commands "$@"
}
(( $+functions[_otop__subcmd__reply_commands] )) ||
_otop__subcmd__reply_commands() {
    local commands; commands=()
    _describe -t commands 'otop reply commands' commands "$@"
}
(( $+functions[_otop__subcmd__report_commands] )) ||
_otop__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'otop report commands' commands "$@"
}
(( $+functions[_otop__subcmd__restore_commands] )) ||
_otop__subcmd__restore_commands() {
    local commands; commands=()
    _describe -t commands 'otop restore commands' commands "$@"
}
(( $+functions[_otop__subcmd__send_commands] )) ||
_otop__subcmd__send_commands() {
    local commands; commands=()
    _describe -t commands 'otop send commands' commands "$@"
}
(( $+functions[_otop__subcmd__serve_commands] )) ||
_otop__subcmd__serve_commands() {
    local commands; commands=()
    _describe -t commands 'otop serve commands' commands "$@"
}
(( $+functions[_otop__subcmd__sessions_commands] )) ||
_otop__subcmd__sessions_commands() {
    local commands; commands=()
    _describe -t commands 'otop sessions commands' commands "$@"
}
(( $+functions[_otop__subcmd__status_commands] )) ||
_otop__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'otop status commands' commands "$@"
}
(( $+functions[_otop__subcmd__wait_commands] )) ||
_otop__subcmd__wait_commands() {
    local commands; commands=()
    _describe -t commands 'otop wait commands' commands "$@"
}
(( $+functions[_otop__subcmd__watch_commands] )) ||
_otop__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'otop watch commands' commands "$@"
}

if [ "$funcstack[1]" = "_otop" ]; then
    _otop "$@"
else
    compdef _otop otop
fi
