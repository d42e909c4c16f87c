//! The shell glue shipped in shell/ stays in sync with the real CLI, and every command's help
//! teaches by example.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use otop::cli::Cli;
use otop::cli::generate::completions;

#[test]
fn shipped_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shell/completions");
    for (shell, file) in [
        (Shell::Bash, "otop.bash"),
        (Shell::Zsh, "otop.zsh"),
        (Shell::Fish, "otop.fish"),
    ] {
        let shipped = std::fs::read(dir.join(file)).expect("completion file");
        assert!(
            shipped == completions(shell),
            "shell/completions/{file} is stale: regenerate with `otop completions {shell} > shell/completions/{file}`"
        );
    }
}

#[test]
fn completions_offer_every_subcommand() {
    let bash = String::from_utf8(completions(Shell::Bash)).expect("utf-8");
    for sub in Cli::command().get_subcommands() {
        assert!(
            bash.contains(sub.get_name()),
            "bash completion lacks {}",
            sub.get_name()
        );
    }
}

#[test]
fn every_subcommand_help_shows_an_example() {
    let mut cmd = Cli::command();
    let top = cmd.render_long_help().to_string();
    assert!(top.contains("Examples:"), "{top}");
    fn check(cmd: &mut clap::Command, path: &str) {
        for sub in cmd.get_subcommands_mut() {
            if sub.get_name() == "help" {
                continue;
            }
            let path = format!("{path} {}", sub.get_name());
            let help = sub.render_long_help().to_string();
            assert!(help.contains("Example"), "`{path} --help` has no example");
            check(sub, &path);
        }
    }
    check(&mut cmd, "otop");
}

#[test]
fn bash_glue_is_valid_and_binds_the_picker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["shell/otop.bash", "shell/otop-pane", "tmux/otop.tmux"] {
        let out = std::process::Command::new("bash")
            .arg("-n")
            .arg(root.join(f))
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let glue = std::fs::read_to_string(root.join("shell/otop.bash")).expect("read");
    assert!(glue.contains("otop pick"));
}

#[test]
fn the_config_file_is_read_and_flags_override_it() {
    use std::process::Command;
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("config.toml");
    // An empty database for every process: opencode running elsewhere on the machine must not
    // change what this test sees.
    let db = dir.path().join("empty.db");
    drop(
        otop::testkit::fixture::Fixture::create(&db, otop::testkit::fixture::Schema::Current)
            .expect("db"),
    );
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_otop"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .env("OTOP_CONFIG", &conf)
            .env("XDG_DATA_HOME", dir.path())
            .env_remove("OPENCODE_DB")
            .output()
            .expect("otop");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The printed default file is a valid config.
    let (code, default, _) = run(&["config", "--print-default"]);
    assert_eq!(code, Some(0));
    std::fs::write(&conf, &default).expect("write");
    assert_eq!(run(&["status", "--empty", "x"]).1.trim(), "x");
    // The file's `empty` applies when no flag says otherwise; the flag wins.
    std::fs::write(&conf, "[status]\nempty = \"otop: 0\"\n").expect("write");
    assert_eq!(run(&["status"]).1.trim(), "otop: 0");
    assert_eq!(run(&["status", "--empty", "none"]).1.trim(), "none");
    // A bad key: a clear error naming file, line and key, for every command but the status line.
    std::fs::write(&conf, "[status]\nempty = \"\"\ncolour = 1\n").expect("write");
    let (code, _, err) = run(&["sessions"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!("{}:3: `status.colour`", conf.display())),
        "{err}"
    );
    assert_eq!(
        run(&["status", "--empty", "ok"]),
        (Some(0), "ok\n".into(), String::new())
    );
    // doctor carries on, names the mistake in its config line, and fails for it.
    let (code, out, _) = run(&["doctor"]);
    assert_eq!(code, Some(1));
    let line = out.lines().find(|l| l.contains("config")).unwrap_or("");
    assert!(
        line.starts_with("!!") && line.contains(":3: `status.colour`"),
        "{out}"
    );
}
