# otop's everyday commands (https://github.com/casey/just).

default: check

# Format the code.
fmt:
    cargo fmt

# Lints, as CI runs them.
lint:
    cargo fmt --check
    cargo clippy --all-targets --locked -- -D warnings

# The README's test command.
test:
    cargo test

# Only the README's commands (tests/readme.rs).
readme:
    cargo test --test readme

# Everything CI runs.
check: lint test

# Benchmarks (criterion).
bench:
    cargo bench

# Regenerate the shipped shell completions after changing the CLI.
completions:
    cargo build
    for sh in bash zsh fish; do ./target/debug/otop completions $sh > shell/completions/otop.$sh; done

# The monitor on the simulated fleet.
demo:
    cargo run -- --demo
