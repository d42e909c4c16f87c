//! `otop man`: one page for the whole tool, generated from the clap definition and the default
//! key tables, so it never drifts from the real flags and keys. Every command is a section of
//! this page (there are no `otop-sessions(1)` pages to refer to), followed by the keys, the
//! configuration, the environment and the files otop reads.

use clap::{Arg, Command, CommandFactory};
use roff::{Inline, Roff, bold, italic, roman};

use super::Cli;
use crate::config::Config;
use crate::monitor::state::keymap::Keymap;

/// The page, as roff.
pub fn page() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut r = Roff::new();
    let version = cmd.get_version().unwrap_or_default().to_string();
    r.control(
        "TH",
        ["OTOP", "1", "", &format!("otop {version}"), "User Commands"],
    );
    r.control("SH", ["NAME"]);
    r.text([roman(format!(
        "otop - {}",
        cmd.get_about().map(ToString::to_string).unwrap_or_default()
    ))]);

    r.control("SH", ["SYNOPSIS"]);
    let commands: Vec<&Command> = cmd
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .collect();
    synopsis(&mut r, &cmd, "otop");
    for c in &commands {
        r.control("br", []);
        synopsis(&mut r, c, &format!("otop {}", c.get_name()));
    }

    r.control("SH", ["DESCRIPTION"]);
    r.text([roman(
        "Without a command, otop opens the monitor: every running opencode session, two lines \
         each, most urgent first, with its state (waiting for you, error, working, idle, \
         stalled), what it is doing and the tmux pane it runs in. The commands below give the \
         same facts to status bars, pickers and scripts.",
    )]);

    r.control("SH", ["OPTIONS"]);
    r.text([roman(
        "These are accepted by every command; --interval by the monitor alone.",
    )]);
    options(&mut r, shown(&cmd, true));

    r.control("SH", ["COMMANDS"]);
    for c in &commands {
        r.control("SS", [format!("otop {}", c.get_name()).as_str()]);
        if let Some(about) = c.get_long_about().or_else(|| c.get_about()) {
            r.text([roman(about.to_string())]);
        }
        options(&mut r, shown(c, false));
        for sub in c.get_subcommands().filter(|s| s.get_name() != "help") {
            r.control("TP", []);
            r.text([bold(format!("otop {} {}", c.get_name(), sub.get_name()))]);
            r.text([roman(
                sub.get_about().map(ToString::to_string).unwrap_or_default(),
            )]);
        }
        if let Some(examples) = c.get_after_help() {
            r.control("PP", []);
            r.control("nf", []);
            r.text([roman(examples.to_string())]);
            r.control("fi", []);
        }
    }

    keys(&mut r);
    r.control("SH", ["CONFIGURATION"]);
    r.text([roman(
        "${XDG_CONFIG_HOME:-~/.config}/otop/config.toml, or the file $OTOP_CONFIG or --config \
         names. Every key is optional; flags override the file, and the file the defaults. \
         otop config --print-default prints a commented file holding every default; sections \
         are [monitor] (interval, sort, descending, columns, theme), [monitor.colours], \
         [monitor.keys.*], [status] (format, empty, plain; [status.symbols], \
         [status.colours]), [picker] (vim_keys; [picker.keys]), [clipboard] (method, command) \
         [tmux] (sockets), [notify] (on, hold_secs, desktop, tmux, command), [drive] \
         (end_grace: seconds an end from the views, or otop end without --grace, waits \
         before SIGKILL) and [[hosts]] \
         (name, ssh, ssh_args, otop, timeout: other machines read over ssh with otop serve; \
         --host NAME and --local narrow a command to some of them). A mistake is an error \
         naming the file, the line and the key; \
         only otop status, which must not break a status bar, falls back to the defaults.",
    )]);
    section(&mut r, "ENVIRONMENT", ENVIRONMENT);
    section(&mut r, "FILES", FILES);
    section(&mut r, "EXIT STATUS", EXIT_STATUS);
    r.control("SH", ["SEE ALSO"]);
    r.text([
        bold("tmux"),
        roman("(1), "),
        bold("opencode"),
        roman(" (https://opencode.ai); the README at https://github.com/otop-rs/otop"),
    ]);
    r.render()
}

/// `otop sessions [--json] [-a|--all]`: every flag with its value name, positionals last.
fn synopsis(r: &mut Roff, cmd: &Command, name: &str) {
    let mut line = vec![bold(name)];
    let args: Vec<&Arg> = shown(cmd, name == "otop").collect();
    for a in args.iter().filter(|a| !a.is_positional()) {
        if a.is_required_set() {
            line.push(roman(" "));
            line.extend(flag(a, "|"));
        } else {
            line.push(roman(" ["));
            line.extend(flag(a, "|"));
            line.push(roman("]"));
        }
    }
    for a in args.iter().filter(|a| a.is_positional()) {
        let value = value_name(a);
        line.push(roman(" "));
        if a.is_required_set() {
            line.push(italic(value));
        } else {
            line.extend([roman("["), italic(value), roman("]")]);
        }
    }
    let subs: Vec<&str> = cmd
        .get_subcommands()
        .map(Command::get_name)
        .filter(|n| *n != "help")
        .collect();
    if name == "otop" {
        line.extend([roman(" ["), italic("COMMAND"), roman("]")]);
    } else if !subs.is_empty() {
        line.extend([roman(" "), bold(subs.join("|"))]);
    }
    r.text(line);
}

/// The arguments a command documents: not hidden, not help and version (but the top level's),
/// not the global ones (but at the top level, where they are defined).
fn shown(cmd: &Command, top: bool) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments().filter(move |a| {
        let builtin = matches!(a.get_id().as_str(), "help" | "version");
        !a.is_hide_set() && (top || !(a.is_global_set() || builtin))
    })
}

/// `-a, --all` (`-a|--all` in a synopsis, `between` `|`) or `--db PATH`.
fn flag(a: &Arg, between: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    if let Some(s) = a.get_short() {
        out.push(bold(format!("-{s}")));
        if a.get_long().is_some() {
            out.push(roman(between));
        }
    }
    if let Some(l) = a.get_long() {
        out.push(bold(format!("--{l}")));
    }
    if a.get_action().takes_values() {
        out.extend([roman(" "), italic(value_name(a))]);
    }
    out
}

fn value_name(a: &Arg) -> String {
    a.get_value_names()
        .and_then(|v| v.first())
        .map_or_else(|| a.get_id().as_str().to_uppercase(), ToString::to_string)
}

/// A tagged paragraph per argument: its flag, help, default and environment variable.
fn options<'a>(r: &mut Roff, args: impl Iterator<Item = &'a Arg>) {
    for a in args {
        r.control("TP", []);
        if a.is_positional() {
            r.text([italic(value_name(a))]);
        } else {
            r.text(flag(a, ", "));
        }
        let mut help = a.get_help().map(ToString::to_string).unwrap_or_default();
        // A switch's `false` says nothing.
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty() && a.get_action().takes_values())
            .collect();
        if !defaults.is_empty() {
            help.push_str(&format!(" [default: {}]", defaults.join(", ")));
        }
        if let Some(env) = a.get_env() {
            help.push_str(&format!(" [env: {}]", env.to_string_lossy()));
        }
        r.text([roman(help)]);
    }
}

/// The monitor's and the picker's default keys, from the same tables the views use.
fn keys(r: &mut Roff) {
    r.control("SH", ["KEYS"]);
    r.text([roman(
        "The monitor's keys (each can be changed in [monitor.keys.*] of the configuration \
         file; ? lists them as configured):",
    )]);
    for (action, specs) in Keymap::default().help() {
        let Some(what) = action.describe() else {
            continue;
        };
        let keys: Vec<String> = specs.iter().map(ToString::to_string).collect();
        r.control("TP", []);
        r.text([bold(keys.join(", "))]);
        r.text([roman(what)]);
    }
    r.control("PP", []);
    r.text([roman(
        "The picker's keys ([picker.keys]); with vim_keys off, letters type into the filter:",
    )]);
    let config = Config::default();
    for (action, keys) in config.picker.keys.actions() {
        let keys: Vec<String> = keys.0.iter().map(ToString::to_string).collect();
        r.control("TP", []);
        r.text([bold(keys.join(", "))]);
        r.text([roman(action.replace('_', " "))]);
    }
}

/// A section of tagged paragraphs.
fn section(r: &mut Roff, name: &str, items: &[(&str, &str)]) {
    r.control("SH", [name]);
    for (tag, text) in items {
        r.control("TP", []);
        r.text([bold(*tag)]);
        r.text([roman(*text)]);
    }
}

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "OTOP_DEMO",
        "1, true, yes or on: every command shows the simulated fleet (as --demo).",
    ),
    ("OTOP_CONFIG", "the configuration file (as --config)."),
    (
        "OTOP_INTERVAL",
        "the monitor's refresh interval in seconds.",
    ),
    (
        "OPENCODE_DB",
        "opencode's database, as opencode itself reads it (--db overrides it).",
    ),
    (
        "XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_STATE_HOME, HOME",
        "where opencode's data and configuration and otop's configuration are found.",
    ),
    (
        "TMUX, TMUX_PANE, TMUX_TMPDIR",
        "the tmux server and pane otop runs in, and where tmux keeps its sockets.",
    ),
    ("NO_COLOR", "set and not empty: no colours."),
];

const FILES: &[(&str, &str)] = &[
    (
        "${XDG_CONFIG_HOME:-~/.config}/otop/config.toml",
        "otop's configuration file.",
    ),
    (
        "${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db",
        "opencode's database, opened read-only (processes that use another one are read from \
         theirs).",
    ),
    (
        "${XDG_DATA_HOME:-~/.local/share}/opencode/log/",
        "opencode's logs, read to tell which process runs which session.",
    ),
    (
        "${XDG_CONFIG_HOME:-~/.config}/opencode/plugins/otop.js",
        "the companion opencode plugin (otop plugin install).",
    ),
    (
        "${XDG_DATA_HOME:-~/.local/share}/opencode/otop/PID.json",
        "what the companion plugin reports for each opencode process.",
    ),
    (
        "${XDG_STATE_HOME:-~/.local/state}/otop/timeline.jsonl",
        "the spells of waiting and error the monitor and otop watch --tmux saw, which opencode \
         keeps no time of (otop report, the timelines); three days at most.",
    ),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "success; otop status always exits 0, and otop sessions with nothing running too.",
    ),
    (
        "1",
        "an error; otop doctor: a check failed; otop sessions: a database could not be read.",
    ),
    ("2", "the command line is wrong."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_refers_to_no_other_page_and_has_every_section() {
        let page = page();
        assert!(
            !page.contains("otop-"),
            "refers to a page that does not exist"
        );
        for section in [
            "SYNOPSIS",
            "OPTIONS",
            "COMMANDS",
            "KEYS",
            "CONFIGURATION",
            "ENVIRONMENT",
            "FILES",
            "EXIT STATUS",
        ] {
            let quoted = format!(".SH \"{section}\"");
            assert!(
                page.contains(&format!(".SH {section}\n")) || page.contains(&quoted),
                "{section}"
            );
        }
        // The synopsis names the values flags take.
        assert!(page.contains(r"\fB\-\-db\fR \fIPATH\fR"), "{page}");
        assert!(page.contains(r"\fBotop jump\fR"), "{page}");
        for sub in Cli::command().get_subcommands() {
            if sub.get_name() != "help" {
                assert!(page.contains(&format!(".SS \"otop {}\"", sub.get_name())));
            }
        }
    }
}
