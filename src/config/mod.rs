//! `${XDG_CONFIG_HOME:-~/.config}/otop/config.toml`: every key optional. Command-line flags
//! override the file; the file overrides the built-in defaults. An unknown key or a wrong type
//! is an error naming the file, line and key, never a silent default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod colour;
pub mod key_tables;
pub mod keys;

use self::colour::MonitorColours;
pub use self::key_tables::{MonitorKeys, PickerKeys};

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
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Monitor {
    pub interval: f64,
    pub sort: ColumnName,
    pub descending: bool,
    pub columns: Vec<ColumnName>,
    pub theme: ThemeName,
    pub colours: MonitorColours,
    pub keys: MonitorKeys,
}

/// A monitor column, as `monitor.sort` and `monitor.columns` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnName {
    Title,
    Status,
    Session,
    Uptime,
    Cpu,
    Context,
    Model,
    Tmux,
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
    pub symbols: PerState,
    pub colours: PerState,
}

/// One string per state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerState {
    pub waiting: String,
    pub error: String,
    pub working: String,
    pub idle: String,
    pub stalled: String,
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
            sort: ColumnName::Status,
            descending: false,
            columns: vec![
                ColumnName::Status,
                ColumnName::Session,
                ColumnName::Uptime,
                ColumnName::Cpu,
                ColumnName::Context,
                ColumnName::Model,
                ColumnName::Tmux,
            ],
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
            symbols: PerState::strings(["◆", "✗", "●", "○", "◌"]),
            colours: PerState::strings(["magenta,bold", "red", "green", "default", "colour244"]),
        }
    }
}

impl PerState {
    fn strings(v: [&str; 5]) -> Self {
        let [waiting, error, working, idle, stalled] = v.map(str::to_string);
        PerState {
            waiting,
            error,
            working,
            idle,
            stalled,
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

/// Where the file is: `--config`, else `$OTOP_CONFIG`, else the XDG location.
pub fn path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(p) = var("OTOP_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("otop").join("config.toml"))
}

/// Loads the file at `path`; a missing file (when not named explicitly) is the defaults.
pub fn load(path: Option<&Path>, explicit: bool) -> Result<Config, String> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Config::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Parses a config file's text; errors name the file, the line and the key.
pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let (line, key) = locate(text, span);
                match key {
                    Some(k) => format!("{}:{line}: `{k}`: {msg}", path.display()),
                    None => format!("{}:{line}: {msg}", path.display()),
                }
            }
            None => format!("{}: {msg}", path.display()),
        }
    })?;
    if !(0.2..=3600.0).contains(&config.monitor.interval) {
        return Err(format!(
            "{}: monitor.interval must be between 0.2 and 3600 seconds",
            path.display()
        ));
    }
    let columns = &config.monitor.columns;
    if columns.contains(&ColumnName::Title) {
        return Err(format!(
            "{}: monitor.columns: title is always the first column; list the ones after it",
            path.display()
        ));
    }
    if let Some(c) = columns
        .iter()
        .enumerate()
        .find_map(|(i, c)| columns[..i].contains(c).then_some(c))
    {
        return Err(format!(
            "{}: monitor.columns: {c:?} is listed twice",
            path.display()
        ));
    }
    if let Some((key, a, b)) = config.picker.keys.conflict() {
        return Err(format!(
            "{}: picker.keys: \"{key}\" is bound to both `{a}` and `{b}`",
            path.display()
        ));
    }
    if let Some((key, (t, a), (u, b))) = config.monitor.keys.conflict() {
        return Err(format!(
            "{}: monitor.keys: \"{key}\" is bound to both `{t}.{a}` and `{u}.{b}`",
            path.display()
        ));
    }
    Ok(config)
}

/// The line of an error's span, and the dotted key it is about (`picker.keys.up`). The span is
/// an unknown key itself, a table header, or a value after its `key =` (a list may span lines).
fn locate(text: &str, span: std::ops::Range<usize>) -> (usize, Option<String>) {
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let prefix = before.rsplit('\n').next().unwrap_or("");
    let above = &before[..before.len() - prefix.len()];
    let lines_above = || above.lines().rev();
    let header = |l: &str| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(|t| t.trim_matches(['[', ']']).trim().to_string())
    };
    // The value's key: the last `key =` before it on its line, else on the lines above; inside
    // an inline table, with the table's key before it (`colours = { title = ` → colours.title).
    let key_of = |l: &str| {
        let (k, _) = l.rsplit_once('=')?;
        fn name(s: &str) -> &str {
            s.rsplit(',').next().unwrap_or(s).trim().trim_matches('"')
        }
        let mut tables: Vec<&str> = k.split('{').collect();
        let last = name(tables.pop()?);
        let mut path: Vec<&str> = tables
            .iter()
            .filter_map(|t| t.rsplit_once('=').map(|(k, _)| name(k)))
            .collect();
        path.push(last);
        let k = path.join(".");
        (!last.is_empty() && !k.starts_with('#')).then_some(k)
    };
    let key = if prefix.trim_start().starts_with('[') {
        return (
            line,
            text[start - prefix.len()..].lines().next().and_then(header),
        );
    } else if prefix.trim().is_empty() {
        text.get(span)
            .and_then(|t| t.lines().next())
            .map(|t| t.trim().to_string())
    } else {
        key_of(prefix).or_else(|| {
            lines_above()
                .take_while(|l| header(l).is_none())
                .find_map(key_of)
        })
    };
    let table = lines_above().find_map(header);
    let key = match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, k) => k,
        (Some(t), None) => Some(t),
    };
    (line, key)
}

/// For tests and `otop config --print-default`: the names of every section and key.
pub fn keys() -> BTreeMap<&'static str, Vec<&'static str>> {
    use self::key_tables::{DetailKeys, FilterKeys, ListKeys, MoveKeys, PanelKeys};
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
            vec!["move", "list", "detail", "panel", "filter"],
        ),
        ("monitor.keys.move", names(MoveKeys::default().actions())),
        ("monitor.keys.list", names(ListKeys::default().actions())),
        (
            "monitor.keys.detail",
            names(DetailKeys::default().actions()),
        ),
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
    ])
}

#[cfg(test)]
mod tests;
