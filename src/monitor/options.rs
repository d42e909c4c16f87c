//! How the monitor runs: its options, from the configuration file (the command line overrides
//! some of them in `cli/monitor.rs`).

use std::time::Duration;

use crate::config::Config;
use crate::monitor::state::columns::Column;
use crate::monitor::state::keymap::Keymap;
use crate::tui::theme::Theme;

/// How the monitor runs, whatever the source.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub interval: Duration,
    pub sort: Column,
    pub descending: bool,
    /// The columns after TITLE, left to right.
    pub columns: Vec<Column>,
    /// `monitor.theme` and `[monitor.colours]`, under `NO_COLOR`'s veto.
    pub theme: Theme,
    pub clipboard: crate::config::Clipboard,
    /// opencode's global configuration directory, for the MCP panel.
    pub opencode_config_dir: Option<std::path::PathBuf>,
    /// `[monitor.keys]`.
    pub keymap: Keymap,
    /// `[drive] end_grace`: how long K's end waits before SIGKILL.
    pub end_grace: Duration,
    /// The unseen marks' file, which a jump clears a mark in.
    pub marks: Option<std::path::PathBuf>,
    /// `[[hosts]]`: a jump to a row of one goes through ssh.
    pub hosts: Vec<crate::config::hosts::Host>,
    /// The fleet record, kept with each snapshot (`otop restore` reads it); None for the demo.
    pub fleet: Option<std::path::PathBuf>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions::new(&Config::default())
    }
}

impl MonitorOptions {
    /// The configuration file's, which override the defaults.
    pub fn new(config: &Config) -> Self {
        let m = &config.monitor;
        MonitorOptions {
            // parse() checked it; the default stands in for a hand-built Config.
            interval: crate::config::interval(m.interval).unwrap_or(Duration::from_secs(2)),
            sort: m.sort,
            descending: m.descending,
            columns: m.columns.clone(),
            theme: Theme::from_config(m),
            clipboard: config.clipboard.clone(),
            opencode_config_dir: None,
            keymap: Keymap::new(&m.keys),
            end_grace: config.drive.end_grace(),
            marks: None,
            hosts: config.hosts.clone(),
            fleet: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sets_interval_columns_sort_and_theme() {
        let c = crate::config::parse(
            "[monitor]\ninterval = 9\nsort = \"cpu\"\ncolumns = [\"model\"]\ntheme = \"light\"\n\
             [drive]\nend_grace = 20\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let o = MonitorOptions::new(&c);
        assert_eq!(o.interval, Duration::from_secs(9));
        assert_eq!(o.sort, Column::Cpu);
        assert_eq!(o.columns, [Column::Model]);
        assert!(o.theme.light);
        assert_eq!(o.end_grace, Duration::from_secs(20));
        assert_eq!(
            MonitorOptions::default().columns,
            Column::default_after_title()
        );
    }

    #[test]
    fn intervals() {
        use crate::config::parse_interval;
        assert_eq!(parse_interval("0.5").ok(), Some(Duration::from_millis(500)));
        for bad in ["0", "abc", "nan", "NaN", "inf", "-inf", "1e30", "-1", ""] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }
}
