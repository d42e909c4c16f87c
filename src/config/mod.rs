//! `${XDG_CONFIG_HOME:-~/.config}/otop/config.toml`: every key optional. Command-line flags
//! override the file; the file overrides the built-in defaults. An unknown key or a wrong type
//! is an error naming the file, line and key, never a silent default.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub mod colour;
pub mod drive;
pub mod follow;
pub mod hosts;
pub mod key_tables;
pub mod keys;
mod locate;
pub mod notify;

use self::colour::MonitorColours;
pub use self::key_tables::{MonitorKeys, PickerKeys};
pub use self::notify::Notify;
use crate::error::{Error, Result};
use crate::model::state::State;
use crate::source::file::{FileError, read_capped};

/// The commented default file `otop config --print-default` prints. Parsing it must give
/// [`Config::default`] (a test checks).
pub const DEFAULT_FILE: &str = include_str!("default.toml");

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub monitor: Monitor,
    pub status: Status,
    pub picker: Picker,
    pub clipboard: Clipboard,
    pub tmux: Tmux,
    pub notify: Notify,
    pub drive: drive::Drive,
    pub hosts: Vec<hosts::Host>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Monitor {
    pub interval: f64,
    pub sort: Column,
    pub descending: bool,
    pub columns: Vec<Column>,
    pub theme: ThemeName,
    pub colours: MonitorColours,
    pub keys: MonitorKeys,
}

/// A monitor column, as `monitor.sort` and `monitor.columns` name it; what each shows, its
/// labels, width and sort are the monitor's (`monitor/state/columns.rs`, `monitor/draw/table.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    Title,
    Status,
    /// Time the session waited for the user today.
    Waited,
    Session,
    Uptime,
    Cpu,
    Context,
    Cost,
    Model,
    Tmux,
    /// The machine: shown right after TITLE whenever hosts are read, never configured.
    #[serde(skip)]
    Host,
}

impl Column {
    /// Left to right; dropped from the right when the terminal is narrow. Each sorts the list;
    /// all but TITLE are the default `monitor.columns`.
    pub const ALL: [Column; 10] = [
        Column::Title,
        Column::Status,
        Column::Waited,
        Column::Session,
        Column::Uptime,
        Column::Cpu,
        Column::Context,
        Column::Cost,
        Column::Model,
        Column::Tmux,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    Dark,
    Light,
    None,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Status {
    pub format: String,
    pub empty: String,
    pub plain: bool,
    #[serde(deserialize_with = "symbols")]
    pub symbols: PerState,
    #[serde(deserialize_with = "colours")]
    pub colours: PerState,
}

/// `[status.symbols]` and `[status.colours]` may name only some states; the others keep their
/// default, which differs between the two tables (hence one function each).
fn symbols<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<PerState, D::Error> {
    Ok(PartialPerState::deserialize(d)?.over(Status::default().symbols))
}

fn colours<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<PerState, D::Error> {
    Ok(PartialPerState::deserialize(d)?.over(Status::default().colours))
}

/// A per-state table as the file writes it: every key optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialPerState {
    waiting: Option<String>,
    error: Option<String>,
    working: Option<String>,
    idle: Option<String>,
    stalled: Option<String>,
    done: Option<String>,
}

impl PartialPerState {
    fn over(self, d: PerState) -> PerState {
        PerState {
            waiting: self.waiting.unwrap_or(d.waiting),
            error: self.error.unwrap_or(d.error),
            working: self.working.unwrap_or(d.working),
            idle: self.idle.unwrap_or(d.idle),
            stalled: self.stalled.unwrap_or(d.stalled),
            done: self.done.unwrap_or(d.done),
        }
    }
}

/// One string per state, and one for `done` (idle sessions that finished since you looked).
#[derive(Debug, Clone, PartialEq)]
pub struct PerState {
    pub waiting: String,
    pub error: String,
    pub working: String,
    pub idle: String,
    pub stalled: String,
    pub done: String,
}

impl PerState {
    /// In `State::ALL` order: waiting, error, working, idle, stalled.
    pub fn as_array(&self) -> [&str; 5] {
        [
            &self.waiting,
            &self.error,
            &self.working,
            &self.idle,
            &self.stalled,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Picker {
    pub vim_keys: bool,
    pub keys: PickerKeys,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Clipboard {
    pub method: ClipboardMethod,
    pub command: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMethod {
    Auto,
    Osc52,
    Command,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tmux {
    pub sockets: Vec<String>,
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor {
            interval: 2.0,
            sort: Column::Status,
            descending: false,
            columns: Column::ALL[1..].to_vec(),
            theme: ThemeName::Dark,
            colours: MonitorColours::default(),
            keys: MonitorKeys::default(),
        }
    }
}

impl Default for Status {
    fn default() -> Self {
        Status {
            format: String::new(),
            empty: String::new(),
            plain: false,
            symbols: PerState::strings(State::ALL.map(State::symbol), crate::model::unseen::SYMBOL),
            colours: PerState::strings(
                ["magenta,bold", "red", "green", "default", "colour244"],
                "blue",
            ),
        }
    }
}

impl PerState {
    fn strings(v: [&str; 5], done: &str) -> Self {
        let [waiting, error, working, idle, stalled] = v.map(str::to_string);
        PerState {
            waiting,
            error,
            working,
            idle,
            stalled,
            done: done.to_string(),
        }
    }
}

impl Default for Picker {
    fn default() -> Self {
        Picker {
            vim_keys: true,
            keys: PickerKeys::default(),
        }
    }
}

impl Default for Clipboard {
    fn default() -> Self {
        Clipboard {
            method: ClipboardMethod::Auto,
            command: String::new(),
        }
    }
}

/// Refresh intervals otop takes, in seconds: fractions allowed.
pub const INTERVAL_SECS: std::ops::RangeInclusive<f64> = 0.2..=3600.0;

/// A refresh interval of `secs` seconds; NaN, infinities and anything outside
/// [`INTERVAL_SECS`] are refused here, so no `Duration` conversion can panic later.
pub fn interval(secs: f64) -> Result<Duration> {
    seconds(secs, INTERVAL_SECS, "interval")
}

/// `secs` as a Duration when `range` holds it (never NaN or infinite); else an error saying
/// what `what` takes.
pub(crate) fn seconds(
    secs: f64,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
) -> Result<Duration> {
    if !range.contains(&secs) {
        return Err(Error::Invalid(format!(
            "the {what} must be between {} and {} seconds",
            range.start(),
            range.end()
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--interval`: a number of seconds, as [`interval`] takes it.
pub fn parse_interval(s: &str) -> Result<Duration> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| Error::Invalid(format!("not a number of seconds: {s}")))?;
    interval(secs)
}

/// The largest configuration file otop reads.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Loads the file at `path`. No file there (whatever the directories above it are, even a file
/// or `/dev/null` as `XDG_CONFIG_HOME`) is the defaults, unless the file was named explicitly;
/// anything but a regular file of at most [`MAX_FILE_BYTES`] is an error naming it.
pub fn load(path: Option<&Path>, explicit: bool) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match read_capped(path, MAX_FILE_BYTES) {
        Ok(text) => parse(&text, path),
        Err(FileError::Missing) if !explicit => Ok(Config::default()),
        Err(e) => Err(Error::Config(format!("{}: {e}", path.display()))),
    }
}

/// Parses a config file's text; errors name the file, the line and the key.
pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|e| {
        Error::Config({
            let msg = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => {
                    let (line, key) = locate::locate(text, span);
                    match key {
                        Some(k) => format!("{}:{line}: `{k}`: {msg}", path.display()),
                        None => format!("{}:{line}: {msg}", path.display()),
                    }
                }
                None => format!("{}: {msg}", path.display()),
            }
        })
    })?;
    if let Err(e) = interval(config.monitor.interval) {
        return Err(Error::Config(format!(
            "{}: monitor.interval: {e}",
            path.display()
        )));
    }
    let columns = &config.monitor.columns;
    if columns.contains(&Column::Title) {
        return Err(Error::Config(format!(
            "{}: monitor.columns: title is always the first column; list the ones after it",
            path.display()
        )));
    }
    if let Some(c) = columns
        .iter()
        .enumerate()
        .find_map(|(i, c)| columns[..i].contains(c).then_some(c))
    {
        return Err(Error::Config(format!(
            "{}: monitor.columns: {c:?} is listed twice",
            path.display()
        )));
    }
    // The checks name the key; the file is named here, as for every other mistake.
    if let Err(e) = hosts::check(&config.hosts)
        .and_then(|()| config.notify.check())
        .and_then(|()| config.drive.check())
    {
        return Err(Error::Config(format!("{}: {e}", path.display())));
    }
    if let Some((key, a, b)) = config.picker.keys.conflict() {
        return Err(Error::Config(format!(
            "{}: picker.keys: \"{key}\" is bound to both `{a}` and `{b}`",
            path.display()
        )));
    }
    if let Some((key, (t, a), (u, b))) = config.monitor.keys.conflict() {
        return Err(Error::Config(format!(
            "{}: monitor.keys: \"{key}\" is bound to both `{t}.{a}` and `{u}.{b}`",
            path.display()
        )));
    }
    Ok(config)
}

/// For tests and `otop config --print-default`: the names of every section and key.
pub fn keys() -> BTreeMap<&'static str, Vec<&'static str>> {
    use self::key_tables::{DetailKeys, FilterKeys, FleetKeys, ListKeys, MoveKeys, PanelKeys};
    fn names(actions: Vec<(&'static str, &keys::Keys)>) -> Vec<&'static str> {
        actions.into_iter().map(|(name, _)| name).collect()
    }
    BTreeMap::from([
        (
            "monitor",
            vec![
                "interval",
                "sort",
                "descending",
                "columns",
                "theme",
                "colours",
                "keys",
            ],
        ),
        (
            "monitor.colours",
            MonitorColours::default()
                .roles()
                .iter()
                .map(|(name, _)| *name)
                .collect(),
        ),
        (
            "monitor.keys",
            vec!["move", "list", "detail", "fleet", "panel", "filter"],
        ),
        ("monitor.keys.move", names(MoveKeys::default().actions())),
        ("monitor.keys.list", names(ListKeys::default().actions())),
        (
            "monitor.keys.detail",
            names(DetailKeys::default().actions()),
        ),
        ("monitor.keys.fleet", names(FleetKeys::default().actions())),
        ("monitor.keys.panel", names(PanelKeys::default().actions())),
        (
            "monitor.keys.filter",
            names(FilterKeys::default().actions()),
        ),
        (
            "status",
            vec!["format", "empty", "plain", "symbols", "colours"],
        ),
        ("picker", vec!["vim_keys", "keys"]),
        ("picker.keys", names(PickerKeys::default().actions())),
        ("clipboard", vec!["method", "command"]),
        ("tmux", vec!["sockets"]),
        (
            "notify",
            vec!["on", "hold_secs", "desktop", "tmux", "command"],
        ),
        ("drive", vec!["end_grace"]),
        (
            "[hosts]",
            vec!["name", "ssh", "ssh_args", "otop", "timeout"],
        ),
    ])
}

#[cfg(test)]
mod tests;
