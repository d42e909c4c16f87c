# otop for fish: copy to ~/.config/fish/conf.d/otop.fish.
#   Alt-o opens the session picker (inside tmux it jumps to the chosen pane).
# Completions: copy shell/completions/otop.fish to ~/.config/fish/completions/.
if type -q otop
    bind \eo 'otop pick </dev/tty; commandline -f repaint'
end
