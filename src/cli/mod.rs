//! Command-line interface: clap definitions and one `run` per subcommand.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::collect::{Focus, Snapshot, Source, now_ms};
use crate::error::{Error, Result};

use clap::{Parser, Subcommand};

pub mod doctor;
pub mod drive;
pub mod generate;
pub mod jump;
pub mod man;
pub mod monitor;
pub mod pick;
pub mod plugin;
pub mod reply;
pub mod report;
mod report_text;
pub mod restore;
pub mod serve;
pub mod sessions;
pub mod status;
pub mod table;
pub mod wait;
pub mod watch;

#[cfg(test)]
mod formats;

const EXAMPLES: &str = "\
Examples:
  otop                      open the monitor
  otop sessions --json      the same facts for scripts
  otop --db ~/other/opencode.db sessions";

/// htop for opencode: every running opencode session, its status and its tmux pane.
#[derive(Debug, Parser)]
#[command(name = "otop", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// opencode database to read (default: $OPENCODE_DB, else
    /// ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Configuration file (default: $OTOP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Every command shows a simulated fleet instead of the real sessions, and acts on nothing
    /// (a jump says where it would go). OTOP_DEMO takes 1/true/yes/on or 0/false/no/off
    #[arg(long, global = true, env = "OTOP_DEMO", value_parser = switch)]
    pub demo: bool,

    /// Only this [[hosts]] entry's sessions (repeatable); with --local, this machine's too
    #[arg(long = "host", global = true, value_name = "NAME")]
    pub hosts: Vec<String>,

    /// Only this machine's sessions (with --host, this machine's and those hosts')
    #[arg(long, global = true)]
    pub local: bool,

    #[command(flatten)]
    pub monitor: monitor::Args,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List running opencode sessions (a table, or --json for scripts).
    #[command(
        after_help = "Examples:\n  otop sessions\n  otop sessions --json | jq '.[] | select(.state == \"waiting\")'\n  otop sessions --all"
    )]
    Sessions(sessions::Args),
    /// A compact segment for the tmux status bar (never fails loudly)
    #[command(
        after_help = "Examples:\n  set -g status-right '#(otop status) %H:%M'\n  otop status --plain\n  otop status --format '{?waiting:{waiting} waiting}'\n  otop status --json"
    )]
    Status(status::Args),
    /// Keep tmux options current for a status bar that spawns nothing (@otop_status, @otop_state)
    #[command(
        after_help = "Examples:\n  otop watch --tmux &\n  set -g status-right '#{@otop_status} %H:%M'\n  set -g window-status-format '#I:#W#{?#{==:#{@otop_state},waiting}, ◆,}'\n  otop watch --tmux --socket /tmp/tmux-1000/default --plain"
    )]
    Watch(watch::Args),
    /// Pick a session in a compact list and jump to its tmux pane (made for display-popup)
    #[command(
        after_help = "Examples:\n  bind-key o display-popup -E -w 80% -h 60% \"otop pick --client '#{client_name}'\"\n  otop pick"
    )]
    Pick(pick::Args),
    /// Jump to a session's tmux pane without any UI
    #[command(
        after_help = "Examples:\n  otop jump ses_4f2a...\n  otop jump 12345\n  otop jump --tty /dev/pts/3\n  bind-key W run-shell \"otop jump --next waiting --client '#{client_name}'\""
    )]
    Jump(jump::Args),
    /// Answer a session's pending permission or question (exit 0 once opencode took it)
    #[command(
        after_help = "Examples:\n  otop reply ses_4f2a... once\n  otop reply %5 reject\n  otop reply 12345 --option 2\n  otop reply ses_4f2a... --text 'use the staging database'\n  otop reply ses_4f2a... always --request per_9c1e...\n\nWith the companion plugin the answer goes to opencode by request id; without it otop types\nit into the session's tmux pane, after reading the pane (opencode 1.18.33 only).\nEvery answer is logged to ${XDG_STATE_HOME:-~/.local/state}/otop/answers.log."
    )]
    Reply(reply::Args),
    /// Send a session a message, as its user's next prompt (exit 0 once opencode took it)
    #[command(
        after_help = "Examples:\n  otop send %5 'now run the tests'\n  otop wait %5 --until done && otop send %5 'now run the tests'\n  git diff | otop send ses_4f2a... -\n  otop send 12345 --file review.md\n\nA message to a working session does what the same message typed into its TUI does.\nWith the companion plugin it goes to opencode by session id; without it otop types it\ninto the session's tmux pane, after reading the pane (opencode 1.18.33 only).\nEvery act is logged to ${XDG_STATE_HOME:-~/.local/state}/otop/answers.log."
    )]
    Send(drive::SendArgs),
    /// Interrupt a session's running turn, as esc esc in its TUI (exit 0 once the turn is over)
    #[command(after_help = "Examples:\n  otop interrupt %5\n  otop interrupt ses_4f2a...")]
    Interrupt(drive::InterruptArgs),
    /// End the opencode process running a session (SIGTERM, then SIGKILL after a grace)
    #[command(
        after_help = "Only an opencode process of this user, read again right before each signal. The session\nstays in opencode's history: `opencode -s ID` resumes it.\n\nExamples:\n  otop end %5\n  otop end 12345 --grace 10\n  otop end ses_4f2a... --signal kill"
    )]
    End(drive::EndArgs),
    /// Wait until a session is idle, waiting, done, in error or gone (exit 0; 124 on --timeout)
    #[command(
        after_help = "Exit status: 0 when the state is reached, 124 when --timeout passes first, 1 when no session matches.\n`done`: idle after a turn that finished normally (not aborted, not in error) after `otop wait` started.\n\nExamples:\n  otop wait %5 --until idle && make deploy\n  otop wait ses_4f2a... --until done --timeout 600\n  otop wait 12345 --until waiting && tmux display-message 'opencode needs you'\n  otop wait %5 --until gone"
    )]
    Wait(wait::Args),
    /// The companion opencode plugin: exact session mapping and live waiting/retry state
    #[command(
        after_help = "Examples:\n  otop plugin install\n  otop plugin status\n  otop plugin uninstall"
    )]
    Plugin(plugin::Args),
    /// Check the setup: database, opencode processes, tmux, plugin, terminal
    #[command(after_help = "Example:\n  otop doctor")]
    Doctor(doctor::Args),
    /// The configuration file: where it is, and a commented default one
    #[command(
        after_help = "Examples:\n  otop config --print-default > ~/.config/otop/config.toml\n  otop config --path"
    )]
    Config(ConfigArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  otop completions bash > ~/.local/share/bash-completion/completions/otop\n  otop completions zsh > ~/.zfunc/_otop\n  otop completions fish > ~/.config/fish/completions/otop.fish"
    )]
    Completions(generate::CompletionArgs),
    /// Start again, in tmux, the recorded opencode sessions that are not running (after a reboot
    /// or a lost tmux server)
    #[command(
        after_help = "Exit status: 0 when every recorded session in scope runs afterwards, 1 otherwise.\nThe record, ${XDG_STATE_HOME:-~/.local/state}/otop/fleet.json, is kept by `otop watch --tmux`\nand the monitor: which session ran in which directory, tmux session, window and pane.\n\nExamples:\n  otop restore --dry-run\n  otop restore\n  otop restore --socket /tmp/tmux-1000/default --session work\n  otop --demo restore --dry-run"
    )]
    Restore(restore::Args),
    /// Where the time went: per session and project, time working, waiting for you and in
    /// error; messages, tokens and spend; the longest waits (today, or --since)
    #[command(
        after_help = "This machine only. Times come from opencode's records (turns, question parts); waits for a\npermission and retrying spells only from what a running otop saw (the monitor, `otop watch\n--tmux`), kept in ${XDG_STATE_HOME:-~/.local/state}/otop/timeline.jsonl.\n\nExamples:\n  otop report\n  otop report --since 2h\n  otop report --since 09:00 --json | jq '.sessions[] | {title, waiting_ms}'\n  otop report --since 2026-12-07"
    )]
    Report(report::Args),
    /// Print this machine's snapshots as JSON lines, for another otop reading it over ssh
    #[command(
        after_help = "Another otop runs this through ssh for each [[hosts]] entry; one JSON object per line,\nwith an \"otop_format\" version, rows in `otop sessions --json`'s shape.\n\nExamples:\n  otop serve --once\n  ssh box otop serve --once | jq '.rows | length'"
    )]
    Serve(serve::Args),
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  otop man > ~/.local/share/man/man1/otop.1")]
    Man,
}

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Print a commented configuration file holding every default
    #[arg(long, conflicts_with = "path")]
    pub print_default: bool,
    /// Print where otop looks for its configuration file
    #[arg(long)]
    pub path: bool,
}

/// An on/off value as people write it in an environment variable (clap's value parser: clap
/// prints the error after naming the flag or variable).
fn switch(s: &str) -> Result<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(Error::Invalid(
            "use 1, true, yes or on; 0, false, no or off".into(),
        )),
    }
}

fn config_command(args: &ConfigArgs, path: Option<PathBuf>) -> Result<ExitCode> {
    if args.print_default {
        crate::out!("{}", crate::config::DEFAULT_FILE)?;
    } else {
        let path = path.ok_or_else(|| {
            Error::Invalid("no HOME or XDG_CONFIG_HOME: no configuration file".into())
        })?;
        let state = if path.exists() {
            ""
        } else {
            " (does not exist: the defaults apply)"
        };
        crate::outln!("{}{state}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What every command needs besides its own arguments: `--db`, `--demo` and the configuration
/// file.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub db: Option<PathBuf>,
    /// `--demo`: every command reads the simulated fleet.
    pub demo: bool,
    pub config: crate::config::Config,
    /// Where the configuration file is looked for (None: no HOME to look in).
    pub config_path: Option<PathBuf>,
    /// Why the file could not be used, where a command carries on with the defaults.
    pub config_error: Option<String>,
    /// The file was named (`--config`, `OTOP_CONFIG`): its absence is an error.
    pub config_explicit: bool,
    /// The environment every path is found through, read once.
    pub env: crate::paths::Env,
    /// Which machines the views read (`--host`, `--local`, `[[hosts]]`).
    pub reach: crate::config::hosts::Reach,
}

impl Ctx {
    /// The configuration file, followed by a long-lived process from the state it was read in.
    pub fn follow_config(&self) -> crate::config::follow::Follow {
        crate::config::follow::Follow::new(
            self.config_path.clone(),
            self.config_explicit,
            self.config.clone(),
        )
    }

    /// Collector options for a full refresh (processes, tmux, log, database).
    pub fn collector(&self) -> crate::collect::CollectorOptions {
        crate::collect::CollectorOptions {
            extra_sockets: self.config.tmux.sockets.clone(),
            ..crate::collect::CollectorOptions::full(self.db.clone())
        }
    }

    /// What every one-shot command reads: the demo fleet under `--demo`, else the real
    /// collector with `opts` and every host asked once. The one place the choice is made.
    pub fn source(&self, opts: crate::collect::CollectorOptions) -> Box<dyn Source> {
        self.choose(opts, None)
    }

    /// [`Ctx::source`] for a view that refreshes every `interval`: one connection per host is
    /// kept open.
    pub fn live_source(
        &self,
        opts: crate::collect::CollectorOptions,
        interval: std::time::Duration,
    ) -> Box<dyn Source> {
        self.choose(opts, Some(interval))
    }

    fn choose(
        &self,
        opts: crate::collect::CollectorOptions,
        live: Option<std::time::Duration>,
    ) -> Box<dyn Source> {
        use crate::collect::hosts::WithHosts;
        if self.demo {
            return Box::new(crate::collect::demo::DemoSource::default());
        }
        // The remote side collects as little as this side does: the status line's counts need
        // no tmux, log or history there either.
        let args = if opts.depth == crate::collect::Depth::State {
            vec!["--light".to_string()]
        } else {
            Vec::new()
        };
        let local: Option<Box<dyn Source>> = self.reach.local.then(|| {
            let collector = crate::collect::Collector::new(opts, self.env.clone());
            Box::new(crate::reply::Local::new(collector, self.env.clone())) as _
        });
        let hosts = self.reach.hosts.clone();
        match (local, live) {
            (Some(local), _) if hosts.is_empty() => local,
            (local, None) => Box::new(WithHosts::once(local, hosts, args)),
            (local, Some(every)) => Box::new(WithHosts::live(local, hosts, args, every)),
        }
    }

    /// The machines to read for a typed target, nearest first: `box:…` box alone; a pid, pane
    /// or tty this machine alone; a session id this machine, then the hosts. A command that
    /// names one session then never waits on a host it does not need.
    pub fn reaches_for(&self, typed: &str) -> Vec<Ctx> {
        use crate::config::hosts::Reach;
        use crate::model::select::{Whereabouts, whereabouts};
        let with = |local: bool, hosts: Vec<crate::config::hosts::Host>| Ctx {
            reach: Reach {
                local,
                hosts,
                configured: self.reach.configured,
                named: self.reach.named,
            },
            ..self.clone()
        };
        match whereabouts(typed) {
            Whereabouts::Host(name, _) => match self.reach.host(&name) {
                Some(h) => vec![with(false, vec![h.clone()])],
                // Not a host: read as written (`named` finds nothing on another machine).
                None => vec![self.clone()],
            },
            Whereabouts::Here => vec![with(self.reach.local, Vec::new())],
            Whereabouts::Anywhere if self.reach.hosts.is_empty() || !self.reach.local => {
                vec![self.clone()]
            }
            Whereabouts::Anywhere => vec![
                with(true, Vec::new()),
                with(false, self.reach.hosts.clone()),
            ],
        }
    }

    /// The session `typed` names, found where it can be, nearest first: the source that found
    /// it (which acts on it), the snapshot it was found in, and its row.
    pub fn find(&self, typed: &str) -> Result<(Box<dyn Source>, Snapshot, crate::model::row::Row)> {
        for reach in self.reaches_for(typed) {
            let mut source = reach.source(reach.collector());
            let snap = source.collect(&Focus::default(), now_ms());
            if let Some(row) = crate::model::select::named(&snap.rows, typed).cloned() {
                return Ok((source, snap, row));
            }
        }
        Err(Error::NoSession(
            crate::model::sanitize::clean(typed).into_owned(),
        ))
    }

    /// Collector options for the status line: one scan, the state of each session, no tmux,
    /// log or totals.
    pub fn light_collector(&self) -> crate::collect::CollectorOptions {
        crate::collect::CollectorOptions {
            totals: false,
            logs: false,
            tmux: false,
            depth: crate::collect::Depth::State,
            ..self.collector()
        }
    }

    /// One snapshot now, for a one-shot command; `cpu`: with CPU% measured over a short wait
    /// (nothing to wait for on the demo).
    pub fn snapshot(&self, opts: crate::collect::CollectorOptions, cpu: bool) -> Snapshot {
        let mut source = self.source(opts);
        if cpu && source.prime_cpu() {
            std::thread::sleep(crate::collect::CPU_WINDOW);
        }
        source.collect(&Focus::default(), now_ms())
    }
}

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = crate::paths::Env::from_process();
    let config_path = env.otop_config(cli.config.as_deref());
    let loaded = crate::config::load(config_path.as_deref(), cli.config.is_some());
    let (config, config_error) = match (loaded, &cli.command) {
        (Ok(c), _) => (c, None),
        // Printing the default file must work whatever state the user's file is in; the
        // status line never fails loudly; doctor reports the mistake among the rest.
        (Err(e), Some(Command::Config(_) | Command::Status(_) | Command::Doctor(_))) => {
            (crate::config::Config::default(), Some(e.to_string()))
        }
        (Err(e), _) => {
            eprintln!("otop: {}", crate::model::sanitize::clean(&e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let reach = match crate::config::hosts::Reach::choose(&config.hosts, &cli.hosts, cli.local) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otop: {}", crate::model::sanitize::clean(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    let ctx = Ctx {
        reach,
        db: cli.db,
        demo: cli.demo,
        config,
        config_path: config_path.clone(),
        config_error,
        config_explicit: cli.config.is_some(),
        env,
    };
    let result = match cli.command {
        Some(Command::Sessions(args)) => sessions::run(&args, &ctx),
        Some(Command::Status(args)) => status::run(&args, &ctx),
        Some(Command::Watch(args)) => watch::run(&args, &ctx),
        Some(Command::Pick(args)) => pick::run(&args, &ctx),
        Some(Command::Jump(args)) => jump::run(&args, &ctx),
        Some(Command::Reply(args)) => reply::run(&args, &ctx),
        Some(Command::Send(args)) => drive::send(&args, &ctx),
        Some(Command::Interrupt(args)) => drive::interrupt(&args, &ctx),
        Some(Command::End(args)) => drive::end(&args, &ctx),
        Some(Command::Wait(args)) => wait::run(&args, &ctx),
        Some(Command::Plugin(args)) => plugin::run(&args, &ctx),
        Some(Command::Doctor(args)) => doctor::run(&args, &ctx),
        Some(Command::Config(args)) => config_command(&args, config_path),
        Some(Command::Completions(args)) => {
            generate::write_stdout(&generate::completions(args.shell))
        }
        Some(Command::Serve(args)) => serve::run(&args, &ctx),
        Some(Command::Restore(args)) => restore::run(&args, &ctx),
        Some(Command::Report(args)) => report::run(&args, &ctx),
        Some(Command::Man) => generate::write_stdout(man::page().as_bytes()),
        None => monitor::run(&cli.monitor, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(Error::ClosedOutput) => ExitCode::SUCCESS,
        Err(msg) => {
            // Messages quote paths, titles and tmux's own errors: one inert line.
            eprintln!("otop: {}", crate::model::sanitize::clean(&msg.to_string()));
            ExitCode::from(msg.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
