#!/usr/bin/env bash
# TPM runs the *.tmux files at a plugin's root; the plugin itself lives in tmux/.
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tmux/otop.tmux" "$@"
