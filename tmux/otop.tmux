#!/usr/bin/env bash
# otop's tmux plugin (TPM-compatible; also works as `run-shell /path/to/otop/tmux/otop.tmux`).
#   prefix + o            opens `otop pick` in a popup (key: @otop-key, size: @otop-popup-width/-height)
#   #{otop_status}        in status-left/status-right becomes the `otop status` segment
#   @otop-bin             path to otop when it is not on tmux's PATH
#   @otop-status-args     extra arguments for `otop status` (e.g. "--empty 'otop: 0'")
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
  local bin key width height status_args segment opt value new
  bin="$(quote "$(find_otop)")"
  key="$(option @otop-key o)"
  width="$(option @otop-popup-width 80%)"
  height="$(option @otop-popup-height 60%)"
  status_args="$(option @otop-status-args "")"

  # The popup has no $TMUX_PANE to guess the client from: pass the one that pressed the key.
  tmux bind-key "$key" display-popup -E -w "$width" -h "$height" \
    "$bin pick --client '#{client_name}'"

  segment="#($bin status${status_args:+ $status_args})"
  for opt in status-left status-right; do
    value="$(tmux show-option -gqv "$opt")"
    new="${value//\#\{otop_status\}/$segment}"
    if [ "$new" != "$value" ]; then
      tmux set-option -gq "$opt" "$new"
    fi
  done
}

main
