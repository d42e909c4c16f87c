//! The README stays true: every command in it runs.
//!
//! - ```` ```sh runnable ```` blocks run as bash scripts (`set -e`, so every line must succeed)
//!   with `otop` on PATH being the binary under test, in a world of their own: a temporary
//!   HOME and XDG directories, a fixture opencode database, and a private default tmux server
//!   directory (`TMUX_TMPDIR`).
//! - ```` ```sh fullscreen ```` lines run in a private tmux server's pane; each must take over
//!   the screen and quit with status 0 on `q`.
//! - ```` ```tmux ```` blocks are complete `~/.tmux.conf` files, sourced exactly as written
//!   into a private tmux server (this checkout where the README clones it, a stand-in for
//!   TPM's script): `#{otop_status}` filled in, the picker's key bound, watch mode watching,
//!   and `otop doctor` content with that server.
//! - Any other shell block's lines must be in [`EXCLUDED`], with the reason.
//! - Every `otop …` in code (inline or in a block) names real subcommands and flags.
//! - Every key the README's key tables list is one the monitor or the picker binds.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use otop::config::keys::KeySpec;
use otop::testkit::fixture::{Fixture, Schema};
use support::world::{Running, running, session};
use support::{TmuxServer, have_tmux};

/// Commands in the README's shell blocks that no test runs, and why.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "cargo install --path .",
        "writes into ~/.cargo/bin; the tests run the binary cargo built for them",
    ),
    (
        "git clone https://github.com/otop-rs/otop ~/.tmux/plugins/otop",
        "needs the network; the tmux tests put this checkout there instead",
    ),
    ("cargo test", "the test suite itself"),
    (
        "otop reply ses_4f2a… once          # allow the asked command this once (or: always, reject)",
        "answers a live opencode session: the end-to-end suite runs `otop reply`",
    ),
    (
        "otop reply 12345 --option 2        # the question's second option",
        "answers a live opencode session: the end-to-end suite runs `otop reply`",
    ),
    (
        "otop reply %5 --text 'use the staging database'",
        "answers a live opencode session: the end-to-end suite runs `otop reply`",
    ),
    (
        "otop wait %5 --until done && otop send %5 'now run the tests'",
        "drives a live opencode session: the end-to-end suite runs this very line on its TUI's pane",
    ),
    (
        "otop send ses_4f2a… - < review.md    # the message from standard input (or --file F)",
        "drives a live opencode session: the end-to-end suite runs `otop send`",
    ),
    (
        "otop interrupt %5                    # stop the running turn, as esc esc in its TUI",
        "drives a live opencode session: the end-to-end suite runs `otop interrupt`",
    ),
    (
        "otop end 12345                       # SIGTERM, SIGKILL after --grace SECS (5); --signal for another",
        "ends a live opencode process: the end-to-end suite runs `otop end`",
    ),
    (
        "otop wait %5 --until idle && make deploy",
        "needs an opencode session in pane %5 (tests/notify.rs runs `otop wait`)",
    ),
];

struct Block {
    /// The README line of the opening fence.
    line: usize,
    info: Vec<String>,
    body: String,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// Fenced code blocks, in order.
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                open = Some(Block {
                    line: i + 1,
                    info: info.split_whitespace().map(str::to_string).collect(),
                    body: String::new(),
                });
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => {
                b.body.push_str(line);
                b.body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The README's blocks that `keep` selects.
fn readme_blocks(keep: impl Fn(&Block) -> bool) -> Vec<Block> {
    blocks(&readme()).into_iter().filter(|b| keep(b)).collect()
}

fn kind(b: &Block) -> (&str, Option<&str>) {
    let lang = b.info.first().map_or("", String::as_str);
    (lang, b.info.get(1).map(String::as_str))
}

fn is_shell(lang: &str) -> bool {
    matches!(lang, "sh" | "bash" | "shell" | "console")
}

/// The lines of a block that are commands (no blanks, no comments).
fn commands(b: &Block) -> Vec<&str> {
    b.body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// A private world: HOME and XDG directories in a temporary directory, a fixture database
/// where opencode keeps it, `otop` on PATH.
struct Home {
    tmp: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home { tmp };
        for d in [
            ".config",
            ".local/share/opencode",
            ".local/state",
            "bin",
            "tmux",
            "proj",
        ] {
            std::fs::create_dir_all(home.home().join(d)).unwrap();
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_otop"), home.home().join("bin/otop"))
            .unwrap();
        let mut fx = Fixture::create(
            &home.home().join(".local/share/opencode/opencode.db"),
            Schema::Current,
        )
        .unwrap();
        let t = otop::collect::now_ms();
        let sid = session(
            &mut fx,
            "ses_readme",
            "Readme",
            &home.home().join("proj"),
            t,
        );
        running(&mut fx, &sid, t, Running::Question);
        home
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().to_path_buf()
    }

    /// The environment every README command runs in.
    fn env(&self) -> Vec<(&'static str, String)> {
        let h = self.home();
        let path = format!(
            "{}:{}",
            h.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let at = |p: &str| h.join(p).display().to_string();
        vec![
            ("HOME", h.display().to_string()),
            ("PATH", path),
            ("XDG_CONFIG_HOME", at(".config")),
            ("XDG_DATA_HOME", at(".local/share")),
            ("XDG_STATE_HOME", at(".local/state")),
            ("TMUX_TMPDIR", at("tmux")),
            ("TERM", "xterm-256color".into()),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.home());
        for k in [
            "OPENCODE_DB",
            "OTOP_CONFIG",
            "OTOP_DEMO",
            "OTOP_INTERVAL",
            "TMUX",
            "TMUX_PANE",
            "NO_COLOR",
        ] {
            cmd.env_remove(k);
        }
        cmd.envs(self.env());
        cmd
    }

    /// An `export` line per variable, for scripts typed into a tmux pane.
    fn exports(&self) -> String {
        let mut s = String::from("unset OPENCODE_DB OTOP_CONFIG OTOP_DEMO OTOP_INTERVAL\n");
        for (k, v) in self.env() {
            s.push_str(&format!("export {k}='{v}'\n"));
        }
        s.push_str(&format!("cd '{}'\n", self.home().display()));
        s
    }
}

/// Runs `script` with bash; returns (success, what it printed) or fails after `limit`.
fn run_script(home: &Home, script: &str, limit: Duration) -> (bool, String) {
    // Into files, not pipes: a pipe nobody reads until the end fills at 64 KiB (the JSON of
    // a machine running many opencode processes) and the script then never ends.
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let mut child = home
        .command("bash")
        .args(["-e", "-o", "pipefail", "-x", "-c", script])
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut bytes).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (status.success(), format!("{}{}", read(out), read(err)))
}

#[test]
fn runnable_blocks_run() {
    let home = Home::new();
    let runnable = readme_blocks(|b| kind(b) == ("sh", Some("runnable")));
    assert!(runnable.len() >= 5, "the README lost its runnable blocks");
    let mut failures = Vec::new();
    for b in &runnable {
        let (ok, out) = run_script(&home, &b.body, Duration::from_secs(60));
        if !ok {
            failures.push(format!("README.md:{}:\n{}\n{out}", b.line, b.body));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn every_shell_block_is_run_or_excluded_with_a_reason() {
    let text = readme();
    let mut unrun = Vec::new();
    for b in blocks(&text) {
        let (lang, mark) = kind(&b);
        if !is_shell(lang) || matches!(mark, Some("runnable" | "fullscreen")) {
            continue;
        }
        for c in commands(&b) {
            if !EXCLUDED.iter().any(|(e, _)| *e == c) {
                unrun.push(format!("README.md:{}: `{c}`", b.line));
            }
        }
    }
    assert!(
        unrun.is_empty(),
        "shell commands no test runs: mark their block `sh runnable` (or `sh fullscreen`), \
         or add them to EXCLUDED with the reason:\n{}",
        unrun.join("\n")
    );
    for (c, _) in EXCLUDED {
        assert!(
            text.contains(c),
            "EXCLUDED names `{c}`, which the README no longer has"
        );
    }
}

#[test]
fn fullscreen_commands_draw_and_quit() {
    if !have_tmux() {
        return;
    }
    let home = Home::new();
    let lines: Vec<(usize, String)> = readme_blocks(|b| kind(b) == ("sh", Some("fullscreen")))
        .iter()
        .flat_map(|b| commands(b).into_iter().map(|c| (b.line, c.to_string())))
        .collect();
    assert!(!lines.is_empty(), "the README lost its fullscreen block");
    let srv = TmuxServer::shell(120, 40);
    for (i, (line, cmd)) in lines.iter().enumerate() {
        let script = home.home().join(format!("fullscreen-{i}.sh"));
        std::fs::write(&script, format!("{}{cmd}\n", home.exports())).unwrap();
        srv.type_text(
            "t",
            &format!("clear; bash {}; echo readme-exit=$?\n", script.display()),
        );
        let on = support::wait_for(Duration::from_secs(15), || {
            (srv.display("t", "#{alternate_on}") == "1").then_some(())
        });
        assert!(
            on.is_some(),
            "README.md:{line}: `{cmd}` did not take over the screen:\n{}",
            srv.screen("t")
        );
        srv.send("t", &["q"]);
        let s = srv.wait_screen("t", "the command to end", |s| s.contains("readme-exit="));
        assert!(
            s.contains("readme-exit=0"),
            "README.md:{line}: `{cmd}` did not quit cleanly on q:\n{s}"
        );
    }
}

/// A stand-in for TPM's `tpm` script: runs every installed plugin's `*.tmux` files, as TPM's
/// `source_plugins.sh` does. (Installing them, `prefix + I`, is TPM's and needs the network: the
/// test puts this checkout where TPM would clone it.)
const TPM: &str = r#"#!/usr/bin/env bash
for plugin in "$HOME"/.tmux/plugins/*/; do
  [ "$(basename "$plugin")" = tpm ] && continue
  for file in "$plugin"*.tmux; do
    [ -x "$file" ] && "$file" >/dev/null 2>&1
  done
done
"#;

impl Home {
    /// otop where the README's `git clone` (or TPM) puts it, and TPM's stand-in.
    fn install_tmux_plugin(&self) {
        let plugins = self.home().join(".tmux/plugins");
        std::fs::create_dir_all(plugins.join("tpm")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_MANIFEST_DIR"), plugins.join("otop")).unwrap();
        let tpm = plugins.join("tpm/tpm");
        std::fs::write(&tpm, TPM).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tpm, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A private tmux server whose global environment is this world's (run-shell, and so the
    /// plugin, run in it), with `config` sourced as the user's ~/.tmux.conf would be.
    fn tmux_with(&self, config: &str) -> TmuxServer {
        let srv = TmuxServer::start("readme", &self.home(), "sh");
        for (k, v) in self.env() {
            srv.ok(&["set-environment", "-g", k, &v]);
        }
        let file = self.home().join(".tmux.conf");
        std::fs::write(&file, config).unwrap();
        let out = srv.tmux(&["source-file", &file.display().to_string()]);
        assert!(
            out.status.success(),
            "tmux refuses:\n{config}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        srv
    }

    /// `otop ARGS` run as from a pane of `srv` (`$TMUX` names it).
    fn otop_in(&self, srv: &TmuxServer, args: &[&str]) -> (i32, String) {
        let pid = srv.ok(&["display-message", "-p", "#{pid}"]);
        let out = self
            .command("otop")
            .args(args)
            .env("TMUX", format!("{},{},0", srv.socket_str(), pid.trim()))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// doctor's line for `srv`.
fn doctor_line(out: &str, srv: &TmuxServer) -> String {
    out.lines()
        .find(|l| l.contains(&srv.socket_str()))
        .unwrap_or_default()
        .to_string()
}

/// Each tmux block is a complete ~/.tmux.conf, sourced exactly as written (TPM's line through
/// the stand-in, `run-shell ~/.tmux/plugins/otop/otop.tmux` on this checkout): the status bar
/// shows otop, the key opens the picker, watch mode runs its watcher, doctor finds no fault.
#[test]
fn tmux_blocks_work_as_written() {
    if !have_tmux() {
        return;
    }
    let home = Home::new();
    home.install_tmux_plugin();
    let tmux_blocks = readme_blocks(|b| kind(b).0 == "tmux");
    assert!(tmux_blocks.len() >= 4, "the README lost its tmux blocks");
    for b in &tmux_blocks {
        let at = format!("README.md:{}", b.line);
        let srv = home.tmux_with(&b.body);
        let right = srv.ok(&["show", "-gv", "status-right"]);
        assert!(
            !right.contains("#{otop_status}") && right.contains("otop"),
            "{at}: the plugin left status-right as {right}"
        );
        let keys = srv.ok(&["list-keys", "-T", "prefix"]);
        assert!(
            keys.lines()
                .any(|l| l.contains(" o ") && l.contains("otop") && l.contains(" pick")),
            "{at}: prefix + o does not open the picker:\n{keys}"
        );
        if let Some(cmd) = right.split("#(").nth(1).and_then(|c| c.split(')').next()) {
            // What tmux runs for the bar, as it runs it.
            let out = home.command("sh").args(["-c", cmd]).output().unwrap();
            assert!(out.status.success(), "{at}: `{cmd}` fails");
            if b.body.contains("@otop-demo on") {
                // This world runs no opencode: anything shown is the demo's.
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(!text.trim().is_empty(), "{at}: no demo counts");
            }
        }
        if b.body.contains("@otop-mode watch") {
            assert!(right.contains("#{@otop_status}"), "{at}: {right}");
            let watcher = support::wait_for(Duration::from_secs(10), || {
                let pid = srv.ok(&["show", "-gqv", "@otop-watch-pid"]);
                let pid = pid.trim().to_string();
                (!pid.is_empty()).then_some(pid)
            });
            assert!(watcher.is_some(), "{at}: no watcher started");
        }
        let (_, out) = home.otop_in(&srv, &["doctor"]);
        let line = doctor_line(&out, &srv);
        assert!(
            line.starts_with("ok") && line.contains("(otop runs here)"),
            "{at}: doctor says:\n{out}"
        );
    }
}

/// The README's watch block with its plugin line moved first works as well (the plugin picks up
/// what is set after it); without its plugin line, doctor says the bar and the watcher miss it,
/// fails, and says how to fix it.
#[test]
fn the_plugin_line_first_works_and_no_plugin_line_is_caught_by_doctor() {
    if !have_tmux() {
        return;
    }
    let home = Home::new();
    home.install_tmux_plugin();
    let watch = readme_blocks(|b| kind(b).0 == "tmux" && b.body.contains("@otop-mode watch"));
    let body = &watch.first().expect("the watch block").body;
    let (plugin, rest): (Vec<&str>, Vec<&str>) = body.lines().partition(|l| l.starts_with("run"));
    assert_eq!(plugin.len(), 1, "{body}");

    let first = home.tmux_with(&format!("{}\n{}\n", plugin.join("\n"), rest.join("\n")));
    let right = first.ok(&["show", "-gv", "status-right"]);
    assert!(right.contains("#{@otop_status}"), "{right}");
    let watcher = support::wait_for(Duration::from_secs(10), || {
        let pid = first.ok(&["show", "-gqv", "@otop-watch-pid"]);
        (!pid.trim().is_empty()).then_some(())
    });
    assert!(watcher.is_some(), "no watcher started");
    let (_, out) = home.otop_in(&first, &["doctor"]);
    assert!(doctor_line(&out, &first).starts_with("ok"), "{out}");

    let none = home.tmux_with(&format!("{}\n", rest.join("\n")));
    let (code, out) = home.otop_in(&none, &["doctor"]);
    assert_eq!(code, 1, "{out}");
    let line = doctor_line(&out, &none);
    assert!(line.starts_with("!!"), "{out}");
    for says in [
        "still holds #{otop_status}",
        "has not run",
        "~/.tmux.conf",
        "no watcher runs",
    ] {
        assert!(line.contains(says), "doctor does not say {says:?}:\n{out}");
    }
}

/// `man otop` finds the installed page as the README says: with `~/.local/bin` on PATH, or
/// with the README's MANPATH line; and the page renders without a warning.
#[test]
fn man_finds_the_page_where_the_readme_says() {
    if Command::new("man").arg("-w").arg("man").output().is_err() {
        eprintln!("skipping: no man");
        return;
    }
    let text = readme();
    let export = text
        .split('`')
        .find(|c| c.starts_with("export MANPATH="))
        .expect("the README's MANPATH line");
    let install = readme_blocks(|b| kind(b) == ("sh", Some("runnable")))
        .into_iter()
        .find(|b| b.body.contains("otop man >"))
        .expect("the README's man page block");
    let home = Home::new();
    let (ok, out) = run_script(&home, &install.body, Duration::from_secs(60));
    assert!(ok, "{out}");
    let h = home.home().display().to_string();
    for (how, script) in [
        ("no hint", "man -w otop".to_string()),
        (
            "~/.local/bin on PATH",
            format!("mkdir -p {h}/.local/bin; PATH={h}/.local/bin:/usr/bin:/bin man -w otop"),
        ),
        (
            "MANPATH",
            format!("{export}; PATH=/usr/bin:/bin man -w otop"),
        ),
    ] {
        let (found, out) = run_script(&home, &script, Duration::from_secs(20));
        if how == "no hint" {
            assert!(!found, "man found it without a hint: {out}");
        } else {
            assert!(found && out.contains("otop.1"), "{how}: {out}");
        }
    }
    if Command::new("groff").arg("-v").output().is_ok() {
        let page = home.home().join(".local/share/man/man1/otop.1");
        let out = Command::new("groff")
            .args(["-k", "-man", "-ww", "-z"])
            .arg(&page)
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        // Glyphs the default font lacks (◆ in an example) are the terminal's business.
        let real: Vec<&str> = warnings
            .lines()
            .filter(|l| !l.contains("can't find special character"))
            .collect();
        assert!(real.is_empty(), "{warnings}");
    }
}

/// `otop …` invocations in code: inline spans and code blocks, with their README line.
fn otop_invocations(text: &str) -> Vec<(usize, String)> {
    let mut code: Vec<(usize, String)> = Vec::new();
    // Inside a block: Some(whether it holds commands); pictures and output (`text`) do not.
    let mut block: Option<bool> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            let lang = info.split_whitespace().next().unwrap_or("");
            block = match block {
                Some(_) => None,
                None => Some(is_shell(lang) || lang == "tmux"),
            };
            continue;
        }
        if let Some(commands) = block {
            if commands {
                code.push((i + 1, line.to_string()));
            }
        } else {
            code.extend(
                line.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(|span| (i + 1, span.to_string())),
            );
        }
    }
    let mut found = Vec::new();
    for (line, c) in code {
        let words: Vec<&str> = c.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_start_matches(['(', '"', '\'', '#']);
            if w != "otop" && w != "otop)" {
                continue;
            }
            let args: Vec<&str> = words[i + 1..]
                .iter()
                .copied()
                .take_while(|a| !a.starts_with(['>', ';', '#', '&']) && *a != "|")
                .collect();
            found.push((line, args.join(" ")));
        }
    }
    found
}

/// Checks words after `otop` against the clap definition: subcommands exist, long flags
/// exist on the command they are given to.
fn check_invocation(args: &str) -> Result<(), String> {
    let mut cmd = otop::cli::Cli::command();
    cmd.build();
    let mut cur = &cmd;
    let mut path = String::from("otop");
    let mut after_value = false;
    for w in args.split_whitespace() {
        let w = w.replace("\\|", "|");
        let w = w.trim_end_matches([')', '"', '\'', ',', '.']);
        if after_value {
            after_value = false;
            continue;
        }
        if let Some(flag) = w.strip_prefix("--") {
            let name = flag.split('=').next().unwrap_or(flag);
            let arg = cur
                .get_arguments()
                .find(|a| a.get_long() == Some(name))
                .ok_or_else(|| format!("`{path}` has no --{name}"))?;
            after_value = arg.get_action().takes_values() && !flag.contains('=');
            continue;
        }
        if w.starts_with('-') || cur.get_subcommands().next().is_none() {
            continue;
        }
        let alternatives: Vec<&str> = w.split('|').collect();
        let subs: Vec<&clap::Command> = alternatives
            .iter()
            .filter_map(|a| cur.find_subcommand(a))
            .collect();
        if subs.len() != alternatives.len() {
            return Err(format!("`{w}` is not a subcommand of `{path}`"));
        }
        match subs.as_slice() {
            [one] => {
                cur = one;
                path = format!("{path} {w}");
            }
            _ => break,
        }
    }
    Ok(())
}

#[test]
fn every_otop_command_in_the_readme_names_real_subcommands_and_flags() {
    let found = otop_invocations(&readme());
    assert!(found.len() > 20, "{found:?}");
    let bad: Vec<String> = found
        .iter()
        .filter_map(|(line, args)| {
            check_invocation(args)
                .err()
                .map(|e| format!("README.md:{line}: `otop {args}`: {e}"))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The checker itself catches a renamed flag and subcommand.
    assert!(check_invocation("status --plainn").is_err());
    assert!(check_invocation("session --json").is_err());
    assert!(check_invocation("--db x.db sessions --json").is_ok());
}

/// The keys in backticks in the first column of the table under `header`.
fn table_keys(text: &str, header: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header)).skip(2);
    let mut keys = Vec::new();
    while let Some(l) = lines.next().filter(|l| l.starts_with('|')) {
        let first = l.split('|').nth(1).unwrap_or("");
        keys.extend(first.split('`').skip(1).step_by(2).map(str::to_string));
    }
    keys
}

fn event(spec: &KeySpec) -> crossterm::event::KeyEvent {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut m = KeyModifiers::NONE;
    if spec.ctrl {
        m |= KeyModifiers::CONTROL;
    }
    if spec.alt {
        m |= KeyModifiers::ALT;
    }
    if matches!(spec.code, KeyCode::Char(c) if c.is_uppercase()) {
        m |= KeyModifiers::SHIFT;
    }
    KeyEvent::new(spec.code, m)
}

#[test]
fn the_key_tables_list_only_bound_keys() {
    use otop::monitor::state::action::from_key;
    use otop::monitor::state::{App, View};
    use otop::pick::keymap::Keymap;
    use otop::pick::state::Mode;

    let text = readme();
    let monitor = table_keys(&text, "| key | does |");
    assert!(monitor.len() > 15, "{monitor:?}");
    let list = App::new(0, otop::tui::theme::Theme::default());
    let mut detail = App::new(0, otop::tui::theme::Theme::default());
    detail.view = View::Detail;
    for k in &monitor {
        let spec = KeySpec::parse(k).unwrap_or_else(|e| panic!("README monitor key: {e}"));
        let ev = event(&spec);
        assert!(
            from_key(&list, ev).is_some() || from_key(&detail, ev).is_some(),
            "the README lists `{k}`, which the monitor does not bind"
        );
    }
    let picker = table_keys(&text, "| picker key | does |");
    assert!(picker.len() >= 8, "{picker:?}");
    let keymap = Keymap::default();
    for k in &picker {
        let spec = KeySpec::parse(k).unwrap_or_else(|e| panic!("README picker key: {e}"));
        assert!(
            keymap.action(Mode::Navigate, spec).is_some(),
            "the README lists picker key `{k}`, which is not bound by default"
        );
    }
}

#[test]
fn the_doctor_sample_has_the_topics_doctor_prints() {
    let text = readme();
    let sample = blocks(&text)
        .into_iter()
        .skip_while(|b| !b.body.starts_with("otop doctor"))
        .find(|b| kind(b).0 == "text")
        .map(|b| b.body)
        .unwrap_or_default();
    // A topic may take several lines (a database or tmux server each; continued lines are
    // indented): the topics in order, each once.
    let topics = |s: &str| -> Vec<String> {
        let mut t: Vec<String> = s
            .lines()
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_whitespace().nth(1))
            .map(str::to_string)
            .collect();
        t.dedup();
        t
    };
    let home = Home::new();
    let out = home.command("otop").arg("doctor").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        topics(&sample),
        topics(&printed),
        "the README's doctor sample is out of date:\n{printed}"
    );
}
