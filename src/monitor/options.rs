//! Command-line options of the monitor, as a clap `Args` block the full CLI can flatten in.

use std::time::Duration;

use clap::Args;

use crate::config::{Config, ThemeName};
use crate::monitor::state::columns::Column;
use crate::monitor::state::keymap::Keymap;
use crate::monitor::state::list::SortKey;

#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    /// Show a simulated fleet of sessions instead of the real ones.
    #[arg(long, env = "OTOP_DEMO")]
    pub demo: bool,
    /// Seconds between refreshes [default: 2, or monitor.interval in the config file]
    #[arg(long, value_name = "SECS", env = "OTOP_INTERVAL", value_parser = crate::config::parse_interval)]
    pub interval: Option<Duration>,
}

/// How the monitor runs, whatever the source.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub interval: Duration,
    pub sort: SortKey,
    pub descending: bool,
    /// The columns after TITLE, left to right.
    pub columns: Vec<Column>,
    /// Colours for a light background.
    pub light: bool,
    /// Colours on (false: `theme = "none"` in the config file; `NO_COLOR` also turns them off).
    pub colour: bool,
    /// `[monitor.colours]`: colours that override the theme's.
    pub colours: crate::config::colour::MonitorColours,
    pub clipboard: crate::config::Clipboard,
    /// opencode's global configuration directory, for the MCP panel.
    pub opencode_config_dir: Option<std::path::PathBuf>,
    /// `[monitor.keys]`.
    pub keymap: Keymap,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions::new(
            &MonitorArgs {
                demo: false,
                interval: None,
            },
            &Config::default(),
        )
    }
}

impl MonitorOptions {
    /// Flags override the configuration file, which overrides the defaults.
    pub fn new(a: &MonitorArgs, config: &Config) -> Self {
        let m = &config.monitor;
        MonitorOptions {
            interval: a.interval.unwrap_or_else(|| {
                crate::config::interval(m.interval).unwrap_or(Duration::from_secs(2))
            }),
            sort: Column::from(m.sort).sort_key(),
            descending: m.descending,
            columns: m.columns.iter().map(|c| Column::from(*c)).collect(),
            light: m.theme == ThemeName::Light,
            colour: m.theme != ThemeName::None,
            colours: m.colours,
            clipboard: config.clipboard.clone(),
            opencode_config_dir: None,
            keymap: Keymap::new(&m.keys),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sets_columns_sort_and_theme_and_flags_win() {
        let c = crate::config::parse(
            "[monitor]\ninterval = 9\nsort = \"cpu\"\ncolumns = [\"model\"]\ntheme = \"light\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let args = MonitorArgs {
            demo: false,
            interval: Some(Duration::from_secs(1)),
        };
        let o = MonitorOptions::new(&args, &c);
        assert_eq!(o.interval, Duration::from_secs(1));
        assert_eq!(o.sort, SortKey::Cpu);
        assert_eq!(o.columns, [Column::Model]);
        assert!(o.light && o.colour);
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
