//! `${XDG_CONFIG_HOME:-~/.config}/otop/config.toml`: every key optional. Command-line flags
//! override the file; the file overrides the built-in defaults. An unknown key or a wrong type
//! is an error naming the file, line and key, never a silent default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The commented default file `otop config --print-default` prints. Parsing it must give
/// [`Config::default`] (a test checks).
pub const DEFAULT_FILE: &str = r##"# otop configuration: ${XDG_CONFIG_HOME:-~/.config}/otop/config.toml
# Every key is optional; what is shown here is the default. Flags override this file.

[monitor]
# Seconds between refreshes (--interval).
interval = 2.0
# Sort column: title, status, session, uptime, cpu, context, model, tmux.
sort = "status"
# Sort descending instead of ascending.
descending = false
# Colours for the states: "dark" or "light" terminals ("none" turns colour off, as NO_COLOR).
theme = "dark"

[status]
# `otop status` template (see `otop status --help`); empty means the built-in one.
format = ""
# Printed when no session runs (e.g. "otop: 0").
empty = ""
# No tmux styles (#[fg=…]) in the output, for other status bars (--plain).
plain = false

[status.symbols]
waiting = "◆"
error = "✗"
working = "●"
idle = "○"
stalled = "◌"

[status.colours]
# tmux styles per state.
waiting = "magenta,bold"
error = "red"
working = "green"
idle = "default"
stalled = "colour244"

[picker]
# j/k move in the picker until you start typing a filter (arrows and ctrl-n/ctrl-p always do).
vim_keys = true

[clipboard]
# How `y` copies the session id: "auto" (tmux buffer or OSC 52, plus a clipboard tool),
# "osc52", or "command" (run `command` with the id on its standard input).
method = "auto"
command = ""

[tmux]
# Extra tmux server sockets to look for panes in (servers of opencode processes and the
# default server are always searched).
sockets = []
"##;

#[derive(Debug, Clone, PartialEq, Deserialize)]
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
    pub sort: SortName,
    pub descending: bool,
    pub theme: ThemeName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortName {
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
            sort: SortName::Status,
            descending: false,
            theme: ThemeName::Dark,
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
        Picker { vim_keys: true }
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

impl Default for Config {
    fn default() -> Self {
        Config {
            monitor: Monitor::default(),
            status: Status::default(),
            picker: Picker::default(),
            clipboard: Clipboard::default(),
            tmux: Tmux::default(),
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
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let key = e
            .span()
            .and_then(|s| text.get(s))
            .map(|k| k.lines().next().unwrap_or("").trim().to_string())
            .filter(|k| !k.is_empty());
        let msg = e.message().trim().replace('\n', " ");
        match (line, key) {
            (Some(l), Some(k)) => format!("{}:{l}: `{k}`: {msg}", path.display()),
            (Some(l), None) => format!("{}:{l}: {msg}", path.display()),
            _ => format!("{}: {msg}", path.display()),
        }
    })?;
    if !(0.2..=3600.0).contains(&config.monitor.interval) {
        return Err(format!(
            "{}: monitor.interval must be between 0.2 and 3600 seconds",
            path.display()
        ));
    }
    Ok(config)
}

/// For tests and `otop config --print-default`: the names of every section and key.
pub fn keys() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("monitor", vec!["interval", "sort", "descending", "theme"]),
        (
            "status",
            vec!["format", "empty", "plain", "symbols", "colours"],
        ),
        ("picker", vec!["vim_keys"]),
        ("clipboard", vec!["method", "command"]),
        ("tmux", vec!["sockets"]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("/home/u/.config/otop/config.toml")
    }

    #[test]
    fn the_default_file_is_the_defaults() {
        assert_eq!(parse(DEFAULT_FILE, p()).unwrap(), Config::default());
    }

    #[test]
    fn the_default_file_documents_every_key() {
        for (section, keys) in keys() {
            assert!(DEFAULT_FILE.contains(&format!("[{section}]")), "{section}");
            for k in keys {
                assert!(
                    DEFAULT_FILE.contains(&format!("{k} ="))
                        || DEFAULT_FILE.contains(&format!(".{k}]")),
                    "{section}.{k}"
                );
            }
        }
    }

    #[test]
    fn an_empty_file_and_a_partial_file_keep_the_other_defaults() {
        assert_eq!(parse("", p()).unwrap(), Config::default());
        let c = parse("[monitor]\ninterval = 5\n[status.symbols]\nwaiting = \"W\"\nerror = \"E\"\nworking = \"K\"\nidle = \"I\"\nstalled = \"S\"\n", p()).unwrap();
        assert_eq!(c.monitor.interval, 5.0);
        assert_eq!(c.monitor.sort, SortName::Status);
        assert_eq!(c.status.symbols.as_array(), ["W", "E", "K", "I", "S"]);
    }

    #[test]
    fn an_unknown_key_names_the_file_line_and_key() {
        let err = parse("[monitor]\ninterval = 2\nrefresh = 3\n", p()).unwrap_err();
        assert!(
            err.starts_with("/home/u/.config/otop/config.toml:3: `refresh`"),
            "{err}"
        );
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn a_wrong_type_names_the_file_line_and_value() {
        let err = parse("[monitor]\n\ninterval = \"fast\"\n", p()).unwrap_err();
        assert!(
            err.starts_with("/home/u/.config/otop/config.toml:3:"),
            "{err}"
        );
        assert!(err.contains("\"fast\""), "{err}");
        let err = parse("[monitor]\nsort = \"colour\"\n", p()).unwrap_err();
        assert!(
            err.contains(":2:") && err.contains("unknown variant"),
            "{err}"
        );
    }

    #[test]
    fn an_interval_out_of_range_is_refused() {
        let err = parse("[monitor]\ninterval = 0\n", p()).unwrap_err();
        assert!(err.contains("monitor.interval"), "{err}");
    }

    #[test]
    fn a_missing_file_is_the_defaults_unless_named() {
        let missing = Path::new("/nonexistent/otop.toml");
        assert_eq!(load(Some(missing), false).unwrap(), Config::default());
        assert!(
            load(Some(missing), true)
                .unwrap_err()
                .contains("/nonexistent/otop.toml")
        );
    }
}
