//! `otop doctor` on a real terminal (a pane of a private tmux server, 80 columns): long lines
//! wrap at word boundaries under their text, `ok` and `!!` are coloured, and `NO_COLOR` or a
//! pipe turns colour off.

#![allow(clippy::unwrap_used)]

mod support;

use support::{TmuxServer, have_tmux};

const INDENT: &str = "              ";

/// Runs `cmd` in the pane and returns what it drew, escapes included (`capture-pane -e`).
/// `n` tells this run's end from an earlier one's still on screen.
fn run(srv: &TmuxServer, cmd: &str, n: u32) -> String {
    // The marker is not in the command line as typed, only in what it prints.
    srv.type_text(
        "t",
        &format!("clear; {cmd}; printf 'doctor-%s\\n' \"{n}-exit=$?\"\n"),
    );
    srv.wait_text("t", &format!("doctor-{n}-exit="));
    srv.ok(&["capture-pane", "-e", "-p", "-t", "t"])
}

#[test]
fn doctor_wraps_and_colours_on_a_terminal_only() {
    if !have_tmux() {
        return;
    }
    let srv = TmuxServer::shell(80, 40);
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_otop");
    // A missing database: a `!!` line, long enough to wrap.
    let db = tmp.path().join("nowhere/opencode.db");
    let doctor = format!("TERM=xterm-256color {bin} --db {} doctor", db.display());

    let screen = run(&srv, &doctor, 1);
    assert!(screen.contains("\u{1b}[32mok"), "no green ok:\n{screen}");
    assert!(screen.contains("\u{1b}[31m!!"), "no red !!:\n{screen}");
    let plain = srv.screen("t");
    let lines: Vec<&str> = plain.lines().collect();
    let continued = lines
        .iter()
        .filter(|l| l.starts_with(INDENT) && !l[INDENT.len()..].starts_with(' '))
        .count();
    assert!(continued > 0, "nothing wrapped under its text:\n{plain}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= 80),
        "a line runs past the edge:\n{plain}"
    );
    // Broken at spaces: the path stays whole on a line.
    assert!(plain.contains(&db.display().to_string()), "{plain}");

    let screen = run(&srv, &format!("NO_COLOR=1 {doctor}"), 2);
    assert!(
        !screen.contains("\u{1b}[32m"),
        "colour despite NO_COLOR:\n{screen}"
    );
    let screen = run(&srv, &format!("{doctor} | cat"), 3);
    assert!(
        !screen.contains("\u{1b}[32m"),
        "colour into a pipe:\n{screen}"
    );
    let piped = srv.screen("t");
    assert!(
        !piped.lines().any(|l| l.starts_with(INDENT)),
        "piped output wrapped:\n{piped}"
    );
}
