# otop for zsh: source this from ~/.zshrc.
#   Alt-o opens the session picker (inside tmux it jumps to the chosen pane).
# Completions: put shell/completions/otop.zsh on $fpath as _otop (or `otop completions zsh`).
if (( $+commands[otop] )); then
  otop-pick-widget() {
    otop pick </dev/tty
    zle reset-prompt
  }
  zle -N otop-pick-widget
  bindkey '^[o' otop-pick-widget
fi
