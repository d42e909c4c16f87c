# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_otop_global_optspecs
    string join \n db= config= demo host= local interval= no-notify h/help V/version
end

function __fish_otop_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_otop_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_otop_using_subcommand
    set -l cmd (__fish_otop_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c otop -n "__fish_otop_needs_command" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_needs_command" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_needs_command" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_needs_command" -l interval -d 'Seconds between refreshes [default: 2, or monitor.interval in the config file]' -r
complete -c otop -n "__fish_otop_needs_command" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_needs_command" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_needs_command" -l no-notify -d 'Send no notifications (the [notify] channels), whatever the configuration file says'
complete -c otop -n "__fish_otop_needs_command" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_needs_command" -s V -l version -d 'Print version'
complete -c otop -n "__fish_otop_needs_command" -f -a "sessions" -d 'List running opencode sessions (a table, or --json for scripts)'
complete -c otop -n "__fish_otop_needs_command" -f -a "status" -d 'A compact segment for the tmux status bar (never fails loudly)'
complete -c otop -n "__fish_otop_needs_command" -f -a "watch" -d 'Keep tmux options current for a status bar that spawns nothing (@otop_status, @otop_state)'
complete -c otop -n "__fish_otop_needs_command" -f -a "pick" -d 'Pick a session in a compact list and jump to its tmux pane (made for display-popup)'
complete -c otop -n "__fish_otop_needs_command" -f -a "jump" -d 'Jump to a session\'s tmux pane without any UI'
complete -c otop -n "__fish_otop_needs_command" -f -a "reply" -d 'Answer a session\'s pending permission or question (exit 0 once opencode took it)'
complete -c otop -n "__fish_otop_needs_command" -f -a "send" -d 'Send a session a message, as its user\'s next prompt (exit 0 once opencode took it)'
complete -c otop -n "__fish_otop_needs_command" -f -a "interrupt" -d 'Interrupt a session\'s running turn, as esc esc in its TUI (exit 0 once the turn is over)'
complete -c otop -n "__fish_otop_needs_command" -f -a "end" -d 'End the opencode process running a session (SIGTERM, then SIGKILL after a grace)'
complete -c otop -n "__fish_otop_needs_command" -f -a "wait" -d 'Wait until a session is idle, waiting, done, in error or gone (exit 0; 124 on --timeout)'
complete -c otop -n "__fish_otop_needs_command" -f -a "plugin" -d 'The companion opencode plugin: exact session mapping and live waiting/retry state'
complete -c otop -n "__fish_otop_needs_command" -f -a "doctor" -d 'Check the setup: database, opencode processes, tmux, plugin, terminal'
complete -c otop -n "__fish_otop_needs_command" -f -a "config" -d 'The configuration file: where it is, and a commented default one'
complete -c otop -n "__fish_otop_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c otop -n "__fish_otop_needs_command" -f -a "restore" -d 'Start again, in tmux, the recorded opencode sessions that are not running (after a reboot or a lost tmux server)'
complete -c otop -n "__fish_otop_needs_command" -f -a "report" -d 'Where the time went: per session and project, time working, waiting for you and in error; messages, tokens and spend; the longest waits (today, or --since)'
complete -c otop -n "__fish_otop_needs_command" -f -a "serve" -d 'Print this machine\'s snapshots as JSON lines, for another otop reading it over ssh'
complete -c otop -n "__fish_otop_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c otop -n "__fish_otop_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otop -n "__fish_otop_using_subcommand sessions" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand sessions" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand sessions" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand sessions" -l json -d 'Print JSON (an array of objects; field names are stable)'
complete -c otop -n "__fish_otop_using_subcommand sessions" -s a -l all -d 'Also show unmatched processes, `opencode run`, subagents and helper processes'
complete -c otop -n "__fish_otop_using_subcommand sessions" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand sessions" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand sessions" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand status" -s f -l format -d 'Template: {waiting} {error} {working} {idle} {stalled} {total}, {sym:STATE}, {fg:STATE}, {reset}, {title}, {?STATE:TEXT} (TEXT only when that count is non-zero)' -r
complete -c otop -n "__fish_otop_using_subcommand status" -l empty -d 'What to print when no session runs (default: nothing, or status.empty in the config)' -r
complete -c otop -n "__fish_otop_using_subcommand status" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand status" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand status" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand status" -l plain -d 'No tmux styles (#[…]): for other status bars'
complete -c otop -n "__fish_otop_using_subcommand status" -l json -d 'Counts, sessions and spend as JSON (for sketchybar, waybar, SwiftBar scripts)'
complete -c otop -n "__fish_otop_using_subcommand status" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand status" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand status" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand watch" -l socket -d 'tmux server socket (default: the one in $TMUX)' -r
complete -c otop -n "__fish_otop_using_subcommand watch" -s f -l format -d 'Template for @otop_status, as `otop status --format`' -r
complete -c otop -n "__fish_otop_using_subcommand watch" -l empty -d '@otop_status when no session runs (default: empty)' -r
complete -c otop -n "__fish_otop_using_subcommand watch" -l interval -d 'Seconds between refreshes' -r
complete -c otop -n "__fish_otop_using_subcommand watch" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand watch" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand watch" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand watch" -l tmux -d 'Keep tmux user options up to date: global @otop_status, per-pane @otop_state'
complete -c otop -n "__fish_otop_using_subcommand watch" -l plain -d 'No tmux styles (#[…]) in @otop_status'
complete -c otop -n "__fish_otop_using_subcommand watch" -l no-notify -d 'Send no notifications (the [notify] channels), whatever the configuration file says'
complete -c otop -n "__fish_otop_using_subcommand watch" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand watch" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand watch" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand pick" -l client -d 'tmux client to move (the popup binding passes #{client_name})' -r
complete -c otop -n "__fish_otop_using_subcommand pick" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand pick" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand pick" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand pick" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand pick" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand pick" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand jump" -l tty -d 'The session whose opencode runs on this terminal (/dev/pts/3 or pts/3)' -r
complete -c otop -n "__fish_otop_using_subcommand jump" -l next -d 'The next session in this state after the current pane (cycles)' -r -f -a "waiting\t''
error\t''
working\t''
idle\t''
stalled\t''"
complete -c otop -n "__fish_otop_using_subcommand jump" -l client -d 'tmux client to move (default: the current one)' -r
complete -c otop -n "__fish_otop_using_subcommand jump" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand jump" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand jump" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand jump" -l any-client -d 'Outside tmux, move the client tmux picks (the one active last) instead of printing where the session is (what a jump from another machine asks for)'
complete -c otop -n "__fish_otop_using_subcommand jump" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand jump" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand jump" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand reply" -l option -d 'Choose the question\'s option N (from 1)' -r
complete -c otop -n "__fish_otop_using_subcommand reply" -l text -d 'Answer the question with this text (where it takes a typed answer)' -r
complete -c otop -n "__fish_otop_using_subcommand reply" -l request -d 'Answer only this request (its id, from `otop sessions --json`): refused once it is no longer pending' -r
complete -c otop -n "__fish_otop_using_subcommand reply" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand reply" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand reply" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand reply" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand reply" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand reply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otop -n "__fish_otop_using_subcommand send" -l file -d 'Read the message from this file' -r -F
complete -c otop -n "__fish_otop_using_subcommand send" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand send" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand send" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand send" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand send" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand send" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand interrupt" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand interrupt" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand interrupt" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand interrupt" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand interrupt" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand interrupt" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand end" -l signal -d 'The first signal' -r -f -a "term\t''
int\t''
hup\t''
quit\t''
kill\t''"
complete -c otop -n "__fish_otop_using_subcommand end" -l grace -d 'Seconds to wait before SIGKILL when the process still runs (default: `[drive] end_grace` in the configuration file, 5)' -r
complete -c otop -n "__fish_otop_using_subcommand end" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand end" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand end" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand end" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand end" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand end" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand wait" -l until -d 'The state to wait for' -r -f -a "idle\t'Idle, whatever the reason (finished, aborted, a new session)'
waiting\t'Waiting for you: a question or a permission request'
done\t'Idle after a turn that finished normally after `otop wait` started'
error\t'In error (a failed turn, a failing provider)'
gone\t'No session matches any more (its opencode ended)'"
complete -c otop -n "__fish_otop_using_subcommand wait" -l timeout -d 'Give up after this many seconds, exiting 124' -r
complete -c otop -n "__fish_otop_using_subcommand wait" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand wait" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand wait" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand wait" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand wait" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -f -a "install" -d 'Install the plugin into opencode\'s global plugin directory'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -f -a "uninstall" -d 'Remove it (only a file otop wrote)'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -f -a "status" -d 'Say whether it is installed and which running opencode processes use it'
complete -c otop -n "__fish_otop_using_subcommand plugin; and not __fish_seen_subcommand_from install uninstall status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install the plugin into opencode\'s global plugin directory'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove it (only a file otop wrote)'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say whether it is installed and which running opencode processes use it'
complete -c otop -n "__fish_otop_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otop -n "__fish_otop_using_subcommand doctor" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand doctor" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand doctor" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand doctor" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand doctor" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand config" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand config" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand config" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand config" -l print-default -d 'Print a commented configuration file holding every default'
complete -c otop -n "__fish_otop_using_subcommand config" -l path -d 'Print where otop looks for its configuration file'
complete -c otop -n "__fish_otop_using_subcommand config" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand config" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand config" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand completions" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand completions" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand completions" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand completions" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand completions" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand completions" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand restore" -l socket -d 'Only the sessions of the tmux server at this socket' -r
complete -c otop -n "__fish_otop_using_subcommand restore" -l session -d 'Only the sessions of this tmux session' -r
complete -c otop -n "__fish_otop_using_subcommand restore" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand restore" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand restore" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand restore" -s n -l dry-run -d 'Print what would be done and change nothing'
complete -c otop -n "__fish_otop_using_subcommand restore" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand restore" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand restore" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand report" -l since -d 'Since TIME: a span ago (`90m`, `2h`, `1d`), a time today (`09:00`), or a date (`2026-12-07`, from its local midnight)' -r
complete -c otop -n "__fish_otop_using_subcommand report" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand report" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand report" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand report" -l today -d 'Since local midnight (the default)'
complete -c otop -n "__fish_otop_using_subcommand report" -l json -d 'Print JSON (one object: total, projects, sessions, longest_waits, notes)'
complete -c otop -n "__fish_otop_using_subcommand report" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand report" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand report" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand serve" -l interval -d 'Seconds between snapshots, until the reader goes away' -r
complete -c otop -n "__fish_otop_using_subcommand serve" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand serve" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand serve" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand serve" -l once -d 'One snapshot, then exit'
complete -c otop -n "__fish_otop_using_subcommand serve" -l light -d 'Only what the status line needs (no tmux, log, history or CPU%)'
complete -c otop -n "__fish_otop_using_subcommand serve" -l reply -d 'Read one answer order (JSON) on stdin and answer it as `otop reply` does: how another otop answers a session here'
complete -c otop -n "__fish_otop_using_subcommand serve" -l drive -d 'Read one drive order (JSON) on stdin and act on it as `otop send|interrupt|end` do: how another otop drives a session here'
complete -c otop -n "__fish_otop_using_subcommand serve" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand serve" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand serve" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand man" -l db -d 'opencode database to read (default: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)' -r -F
complete -c otop -n "__fish_otop_using_subcommand man" -l config -d 'Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)' -r -F
complete -c otop -n "__fish_otop_using_subcommand man" -l host -d 'Only this [[hosts]] entry\'s sessions (repeatable); with --local, this machine\'s too' -r
complete -c otop -n "__fish_otop_using_subcommand man" -l demo -d 'Every command shows a simulated fleet instead of the real sessions, and acts on nothing (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off'
complete -c otop -n "__fish_otop_using_subcommand man" -l local -d 'Only this machine\'s sessions (with --host, this machine\'s and those hosts\')'
complete -c otop -n "__fish_otop_using_subcommand man" -s h -l help -d 'Print help'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "sessions" -d 'List running opencode sessions (a table, or --json for scripts)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "status" -d 'A compact segment for the tmux status bar (never fails loudly)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "watch" -d 'Keep tmux options current for a status bar that spawns nothing (@otop_status, @otop_state)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "pick" -d 'Pick a session in a compact list and jump to its tmux pane (made for display-popup)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "jump" -d 'Jump to a session\'s tmux pane without any UI'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "reply" -d 'Answer a session\'s pending permission or question (exit 0 once opencode took it)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "send" -d 'Send a session a message, as its user\'s next prompt (exit 0 once opencode took it)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "interrupt" -d 'Interrupt a session\'s running turn, as esc esc in its TUI (exit 0 once the turn is over)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "end" -d 'End the opencode process running a session (SIGTERM, then SIGKILL after a grace)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "wait" -d 'Wait until a session is idle, waiting, done, in error or gone (exit 0; 124 on --timeout)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "plugin" -d 'The companion opencode plugin: exact session mapping and live waiting/retry state'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "doctor" -d 'Check the setup: database, opencode processes, tmux, plugin, terminal'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "config" -d 'The configuration file: where it is, and a commented default one'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "completions" -d 'Print a shell completion script'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "restore" -d 'Start again, in tmux, the recorded opencode sessions that are not running (after a reboot or a lost tmux server)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "report" -d 'Where the time went: per session and project, time working, waiting for you and in error; messages, tokens and spend; the longest waits (today, or --since)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "serve" -d 'Print this machine\'s snapshots as JSON lines, for another otop reading it over ssh'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "man" -d 'Print the man page (roff)'
complete -c otop -n "__fish_otop_using_subcommand help; and not __fish_seen_subcommand_from sessions status watch pick jump reply send interrupt end wait plugin doctor config completions restore report serve man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otop -n "__fish_otop_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "install" -d 'Install the plugin into opencode\'s global plugin directory'
complete -c otop -n "__fish_otop_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "uninstall" -d 'Remove it (only a file otop wrote)'
complete -c otop -n "__fish_otop_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "status" -d 'Say whether it is installed and which running opencode processes use it'
