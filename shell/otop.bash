# otop for bash: source this from ~/.bashrc.
#   Alt-o opens the session picker (inside tmux it jumps to the chosen pane; outside it prints
#   where the session is).
# Completions: `source <(otop completions bash)` or copy shell/completions/otop.bash.
if [[ $- == *i* ]] && command -v otop >/dev/null 2>&1; then
  bind -x '"\eo": otop pick </dev/tty'
fi
