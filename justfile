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

# Fuzz every parser of untrusted text for SECS seconds each (nightly and cargo-fuzz), starting
# from the corpora in tests/fuzz/corpus; new inputs go to a scratch corpus, crashes to
# tests/fuzz/artifacts. Keep a crash as a unit test and its input in the corpus.
fuzz SECS="60":
    for t in $(ls tests/fuzz/fuzz_targets | sed 's/\.rs$//'); do \
        mkdir -p tests/fuzz/target/corpus/$t && \
        cargo +nightly fuzz run -s none -a --fuzz-dir tests/fuzz $t tests/fuzz/target/corpus/$t tests/fuzz/corpus/$t -- -max_total_time={{SECS}} -max_len=65536 || exit 1; \
    done
