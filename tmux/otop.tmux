#!/usr/bin/env bash
# otop's tmux plugin (TPM-compatible; also works as `run-shell /path/to/otop/otop.tmux`).
#   prefix + o            opens `otop pick` in a popup (key: @otop-key, size: @otop-popup-width/-height);
#                         the default o replaces tmux's own prefix + o ("next pane")
#   #{otop_status}        in status-left/status-right becomes the `otop status` segment
#   @otop-bin             path to otop when it is not on tmux's PATH
#   @otop-status-args     extra arguments for `otop status` (e.g. "--empty 'otop: 0'")
#   @otop-mode            `status` (default): #{otop_status} runs `otop status` every status-interval;
#                         `watch`: one `otop watch --tmux` per server keeps @otop_status (and a
#                         per-pane @otop_state) current and #{otop_status} reads it, spawning nothing
#   @otop-demo            `on`: the status bar and the picker show otop's simulated fleet
# It reads these options and fills in #{otop_status} once, when it runs: its line goes after
# them in ~/.tmux.conf (last, as TPM's run line is); `otop doctor` says when it was not.
# It touches only its own key binding and the #{otop_status} placeholder; sourcing it twice is
# harmless.
set -u
CURRENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

option() {
  local value
  value="$(tmux show-option -gqv "$1")"
  printf '%s' "${value:-$2}"
}

# Single-quotes a word for the shell tmux runs commands with.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

find_otop() {
  local bin
  bin="$(option @otop-bin "")"
  if [ -n "$bin" ]; then
    printf '%s' "$bin"
  elif command -v otop >/dev/null 2>&1; then
    command -v otop
  elif [ -x "$CURRENT_DIR/../target/release/otop" ]; then
    printf '%s' "$CURRENT_DIR/../target/release/otop"
  else
    printf 'otop'
  fi
}

main() {
  local bin key width height status_args segment opt value new mode pid socket
  bin="$(quote "$(find_otop)")"
  case "$(option @otop-demo off)" in
    on | 1 | yes | true) bin="$bin --demo" ;;
  esac
  key="$(option @otop-key o)"
  width="$(option @otop-popup-width 80%)"
  height="$(option @otop-popup-height 60%)"
  status_args="$(option @otop-status-args "")"

  # The popup has no $TMUX_PANE to guess the client from: pass the one that pressed the key.
  tmux bind-key "$key" display-popup -E -w "$width" -h "$height" \
    "$bin pick --client '#{client_name}'"

  mode="$(option @otop-mode status)"
  if [ "$mode" = watch ]; then
    # One watcher per server: it records its pid in @otop-watch-pid (and steps aside if another
    # live watcher did), so sourcing this file again starts nothing.
    pid="$(tmux show-option -gqv @otop-watch-pid)"
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      socket="$(tmux display-message -p '#{socket_path}')"
      tmux run-shell -b "exec $bin watch --tmux --socket $(quote "$socket")${status_args:+ $status_args} >/dev/null 2>&1"
    fi
    segment='#{@otop_status}'
  else
    segment="#($bin status${status_args:+ $status_args})"
  fi
  for opt in status-left status-right; do
    value="$(tmux show-option -gqv "$opt")"
    new="${value//\#\{otop_status\}/$segment}"
    if [ "$new" != "$value" ]; then
      tmux set-option -gq "$opt" "$new"
    fi
  done
}

main
