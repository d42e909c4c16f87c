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
#   @otop-restore         `on`: when the server starts, `otop restore --socket <this server>` starts
#                         again the opencode sessions otop recorded there (off by default)
# Options set after its line count too: it runs again when an option is set while a
# #{otop_status} is left or one of the options above differs from what it applied (hook
# after-set-option) or a session is created (hook session-created: at tmux's start, the first
# one, as tmux runs no after-hook while it loads its configuration, before any session exists).
# It touches only its own key binding (giving the key it took before back when @otop-key
# changes), the #{otop_status} placeholder (or the segment it put there), its two hooks (at
# index HOOK, leaving a user's own hooks alone) and its @otop-plugin-* options; running it
# again is harmless.
set -u
CURRENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

HOOK=7427
# Everything the plugin reads, as one tmux format.
READS='#{@otop-bin}|#{@otop-demo}|#{@otop-key}|#{@otop-popup-width}|#{@otop-popup-height}|#{@otop-status-args}|#{@otop-mode}|#{@otop-restore}'
# What makes the hooks run the plugin again, evaluated inside tmux (no process for the
# watcher's own writes): a placeholder left, or an option other than when it last ran.
PENDING="#{||:#{m:*##{otop_status#}*,#{status-left}#{status-right}},#{!=:$READS,#{@otop-plugin-applied}}}"

option() {
  local value
  value="$(tmux show-option -gqv "$1")"
  printf '%s' "${value:-$2}"
}

# Single-quotes a word for the shell tmux runs commands with.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# A value as one tmux argument: tmux takes an argument ending in `;` for a command separator.
arg() {
  case "$1" in
    *\;) printf '%s\\;' "${1%;}" ;;
    *) printf '%s' "$1" ;;
  esac
}

# A literal value inside a double-quoted argument of run-shell -C's line: `#` doubled (the line
# is expanded as a format first), then `\`, `"` and `$` escaped for tmux's parser.
tmux_lit() {
  local s="${1//\#/##}"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//\$/\\\$}"
  printf '%s' "$s"
}

# Where otop is: @otop-bin, tmux's PATH, then where `cargo install` and the README put it (a
# tmux started before PATH had ~/.cargo/bin does not see it there), then a build in this clone.
# Nothing when there is none.
find_otop() {
  local bin dir
  bin="$(option @otop-bin "")"
  if [ -n "$bin" ]; then
    printf '%s' "$bin"
    return
  fi
  if command -v otop >/dev/null 2>&1; then
    command -v otop
    return
  fi
  for dir in "${CARGO_HOME:-$HOME/.cargo}/bin" "$HOME/.local/bin" "$CURRENT_DIR/../target/release"; do
    if [ -x "$dir/otop" ]; then
      printf '%s' "$dir/otop"
      return
    fi
  done
}

# What prefix + KEY shows when there is no otop: where the plugin looked and how to install it.
missing() {
  local root
  root="$(cd "$CURRENT_DIR/.." && pwd)"
  printf '%s\n' "otop is not installed where tmux looks:" \
    "  PATH=$PATH, ~/.cargo/bin, ~/.local/bin" \
    "Install it from this plugin's clone (Rust 1.89 or newer):" \
    "  cargo install --path $root" \
    "or set -g @otop-bin /path/to/otop; then: tmux source ~/.tmux.conf" \
    "" "(enter closes this)"
}

ours() {
  case "$1" in *" pick --client "* | *"otop is not installed"*) return 0 ;; esac
  return 1
}

alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

main() {
  local bin key width height status_args segment old_segment opt value new mode socket
  local watch="" restore="" old_key was pid n popup found
  # Every option the plugin writes, written at the end in one tmux call with its hook off: a
  # write of its own never runs it again.
  local sets=()
  found="$(find_otop)"
  bin="$(quote "$found")"
  case "$(option @otop-demo off)" in
    on | 1 | yes | true) bin="$bin --demo" ;;
  esac
  key="$(option @otop-key o)"
  width="$(option @otop-popup-width 80%)"
  height="$(option @otop-popup-height 60%)"
  status_args="$(option @otop-status-args "")"
  mode="$(option @otop-mode status)"

  # A key it bound before (another @otop-key) gets back the binding it had.
  old_key="$(option @otop-plugin-key "")"
  if [ -n "$old_key" ] && [ "$old_key" != "$key" ] &&
    ours "$(tmux list-keys -T prefix "$old_key" 2>/dev/null)"; then
    was="$(option @otop-plugin-key-was "")"
    tmux unbind-key -T prefix "$old_key"
    [ -n "$was" ] && printf '%s\n' "$was" | tmux source-file -
  fi
  was="$(tmux list-keys -T prefix "$key" 2>/dev/null)"
  if [ "$old_key" != "$key" ] && ! ours "$was"; then
    sets+=(set-option -gq @otop-plugin-key-was "$(arg "$was")" \;)
  fi
  sets+=(set-option -gq @otop-plugin-key "$(arg "$key")" \;)
  # The popup has no $TMUX_PANE to guess the client from: pass the one that pressed the key.
  # tmux before 3.4 does not expand formats in display-popup's command, so run-shell -C (3.2,
  # as old as popups) expands #{client_name} and then runs the display-popup it produced.
  popup="display-popup -E -w \"$(tmux_lit "$width")\" -h \"$(tmux_lit "$height")\""

  if [ -z "$found" ]; then
    # No otop: the key and the bar say so instead of running nothing.
    tmux bind-key "$key" display-popup -w 90% -h 12 -E "printf '%s\\n' $(quote "$(missing)"); read -r _"
    segment="#[fg=red]otop not installed: prefix + ${key//\#/##}#[default]"
  elif [ "$mode" = watch ]; then
    socket="$(tmux display-message -p '#{socket_path}')"
    watch="exec $bin watch --tmux --socket $(quote "$socket")${status_args:+ $status_args} >/dev/null 2>&1"
    segment='#{@otop_status}'
  else
    segment="#($bin status${status_args:+ $status_args})"
  fi
  if [ -n "$found" ]; then
    tmux bind-key "$key" run-shell -C "$popup \"$(tmux_lit "$bin") pick --client '#{client_name}'\""
  fi
  # The placeholder, and the segment an earlier run put there when an option has changed since.
  old_segment="$(option @otop-plugin-segment "")"
  for opt in status-left status-right; do
    value="$(tmux show-option -gqv "$opt")"
    new="${value//\#\{otop_status\}/"$segment"}"
    if [ -n "$old_segment" ] && [ "$old_segment" != "$segment" ]; then
      new="${new//"$old_segment"/"$segment"}"
    fi
    if [ "$new" != "$value" ]; then
      sets+=(set-option -gq "$opt" "$(arg "$new")" \;)
    fi
  done

  # Once per server, when asked: the sessions recorded on this server, started again. A restore
  # that starts another server runs that server's plugin too; otop lets one restore act at a time.
  case "$(option @otop-restore off)" in
    on | 1 | yes | true)
      if [ -n "$found" ] && [ -z "$(option @otop-plugin-restored "")" ]; then
        socket="$(tmux display-message -p '#{socket_path}')"
        restore="$bin restore --socket $(quote "$socket") >/dev/null 2>&1"
        sets+=(set-option -gq @otop-plugin-restored 1 \;)
      fi
      ;;
  esac

  # One watcher per server: it records its pid in @otop-watch-pid (and steps aside if another
  # live watcher did). One this plugin started with other options is replaced.
  pid="$(option @otop-watch-pid "")"
  if [ -n "$watch" ] && alive "$pid" && [ "$(option @otop-plugin-watch "")" != "$watch" ]; then
    if [ -n "$(option @otop-plugin-watch "")" ]; then
      kill "$pid" 2>/dev/null
      for n in 1 2 3 4 5 6 7 8 9 10; do alive "$pid" && sleep 0.1; done
    fi
  fi
  if [ -n "$watch" ] && ! alive "$pid"; then
    sets+=(set-option -gq @otop-plugin-watch "$(arg "$watch")" \;)
  else
    watch=""
  fi

  tmux set-hook -gu "after-set-option[$HOOK]" \; "${sets[@]}" \
    set-option -gq @otop-plugin-segment "$(arg "$segment")" \; \
    set-option -gqF @otop-plugin-applied "$READS" \; \
    set-option -gq @otop-plugin-run "$(quote "$CURRENT_DIR/otop.tmux") >/dev/null 2>&1 || true" \; \
    set-hook -g "after-set-option[$HOOK]" "if-shell -F '$PENDING' { run-shell '#{@otop-plugin-run}' }" \; \
    set-hook -g "session-created[$HOOK]" "if-shell -F '$PENDING' { run-shell '#{@otop-plugin-run}' }"

  if [ -n "$restore" ]; then
    tmux run-shell -b "$restore"
  fi
  if [ -n "$watch" ]; then
    tmux run-shell -b "$watch"
    # Until it has claimed the server, so that the plugin, run again soon after, sees it.
    for n in $(seq 20); do
      alive "$(option @otop-watch-pid "")" && break
      sleep 0.1
    done
  fi
}

main
