//! Every file otop finds through `HOME` and the XDG variables: opencode's database and data
//! directory, opencode's configuration (MCP servers, the companion plugin), otop's own
//! configuration file, its state directory (the unseen marks) and its runtime directory (the
//! lock of the process that sends notifications). The variables are read once into [`Env`], so tests
//! inject them instead of changing the process's environment.

use std::path::{Path, PathBuf};

/// The environment variables paths come from; empty values count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub home: Option<String>,
    pub xdg_data_home: Option<String>,
    pub xdg_config_home: Option<String>,
    pub xdg_state_home: Option<String>,
    pub xdg_cache_home: Option<String>,
    /// `XDG_RUNTIME_DIR`: per-user, per-boot files (locks of live processes).
    pub xdg_runtime_dir: Option<String>,
    /// `OPENCODE_DB`: opencode's own override of its database path (from 1.15).
    pub opencode_db: Option<String>,
    /// `OTOP_CONFIG`: where otop's configuration file is.
    pub otop_config: Option<String>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            home: var("HOME"),
            xdg_data_home: var("XDG_DATA_HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_state_home: var("XDG_STATE_HOME"),
            xdg_cache_home: var("XDG_CACHE_HOME"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            opencode_db: var("OPENCODE_DB"),
            otop_config: var("OTOP_CONFIG"),
        }
    }

    /// The database opencode uses in this environment; `flag` (`--db`) wins.
    pub fn opencode_db(&self, flag: Option<&Path>) -> PathBuf {
        opencode_db(
            flag,
            self.opencode_db.as_deref(),
            self.xdg_data_home.as_deref(),
            self.home.as_deref(),
        )
    }

    /// opencode's global configuration directory, `${XDG_CONFIG_HOME:-~/.config}/opencode`.
    pub fn opencode_config_dir(&self) -> Option<PathBuf> {
        self.config_home().map(|c| c.join("opencode"))
    }

    /// Where opencode loads global plugins from: the companion plugin's file.
    pub fn plugin_file(&self) -> Option<PathBuf> {
        self.opencode_config_dir()
            .map(|d| d.join("plugins").join("otop.js"))
    }

    /// otop's configuration file: `flag` (`--config`), else `$OTOP_CONFIG`, else
    /// `${XDG_CONFIG_HOME:-~/.config}/otop/config.toml`; none without any of them.
    pub fn otop_config(&self, flag: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = flag {
            return Some(p.to_path_buf());
        }
        if let Some(p) = &self.otop_config {
            return Some(PathBuf::from(p));
        }
        self.config_home()
            .map(|c| c.join("otop").join("config.toml"))
    }

    /// `${XDG_STATE_HOME:-~/.local/state}`.
    fn state_home(&self) -> Option<PathBuf> {
        match (&self.xdg_state_home, &self.home) {
            (Some(x), _) => Some(PathBuf::from(x)),
            (None, Some(h)) => Some(Path::new(h).join(".local").join("state")),
            (None, None) => None,
        }
    }

    /// otop's state directory, `${XDG_STATE_HOME:-~/.local/state}/otop`.
    pub fn otop_state_dir(&self) -> Option<PathBuf> {
        Some(self.state_home()?.join("otop"))
    }

    /// Where opencode 2's shared server registers: `service.json` in opencode's state
    /// directory.
    pub fn opencode_service_file(&self) -> Option<PathBuf> {
        Some(self.state_home()?.join("opencode").join("service.json"))
    }

    /// otop's cache, `${XDG_CACHE_HOME:-~/.cache}/otop`: what otop can rebuild, kept to be fast.
    pub fn otop_cache_dir(&self) -> Option<PathBuf> {
        let base = match (&self.xdg_cache_home, &self.home) {
            (Some(x), _) => PathBuf::from(x),
            (None, Some(h)) => Path::new(h).join(".cache"),
            (None, None) => return None,
        };
        Some(base.join("otop"))
    }

    /// The unseen marks (sessions that finished since you last looked), kept across restarts.
    pub fn unseen_file(&self) -> Option<PathBuf> {
        self.otop_state_dir().map(|d| d.join("unseen.json"))
    }

    /// The fleet record (which session ran in which pane), kept for `otop restore`.
    pub fn fleet_file(&self) -> Option<PathBuf> {
        self.otop_state_dir().map(|d| d.join("fleet.json"))
    }

    /// What running otops saw of the sessions' waits and errors (#30), a line per spell.
    pub fn timeline_file(&self) -> Option<PathBuf> {
        self.otop_state_dir().map(|d| d.join("timeline.jsonl"))
    }

    /// The lock held by the one otop process that sends notifications:
    /// `$XDG_RUNTIME_DIR/otop/notify.lock`, else in the state directory (macOS has no
    /// `XDG_RUNTIME_DIR`; a lock there works the same, only it outlives a reboot as a file).
    pub fn notify_lock(&self) -> Option<PathBuf> {
        let dir = match &self.xdg_runtime_dir {
            Some(r) => Path::new(r).join("otop"),
            None => self.otop_state_dir()?,
        };
        Some(dir.join("notify.lock"))
    }

    fn config_home(&self) -> Option<PathBuf> {
        match (&self.xdg_config_home, &self.home) {
            (Some(x), _) => Some(PathBuf::from(x)),
            (None, Some(h)) => Some(Path::new(h).join(".config")),
            (None, None) => None,
        }
    }
}

/// opencode's data directory: `${XDG_DATA_HOME:-~/.local/share}/opencode`. Taken apart from
/// [`Env`] because each opencode process has an environment of its own.
pub fn opencode_data_dir(xdg_data_home: Option<&str>, home: Option<&str>) -> PathBuf {
    let base = match xdg_data_home.filter(|s| !s.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(home.unwrap_or("/")).join(".local/share"),
    };
    base.join("opencode")
}

/// The database opencode uses: `flag` wins; else `OPENCODE_DB` (absolute, or relative to the
/// data directory); else `opencode.db` in the data directory.
pub fn opencode_db(
    flag: Option<&Path>,
    opencode_db: Option<&str>,
    xdg_data_home: Option<&str>,
    home: Option<&str>,
) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    let data = opencode_data_dir(xdg_data_home, home);
    match opencode_db.filter(|s| !s.is_empty()) {
        Some(p) if Path::new(p).is_absolute() => PathBuf::from(p),
        Some(p) => data.join(p),
        None => data.join("opencode.db"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(home: Option<&str>, xdg_config: Option<&str>) -> Env {
        Env {
            home: home.map(str::to_string),
            xdg_config_home: xdg_config.map(str::to_string),
            ..Env::default()
        }
    }

    #[test]
    fn xdg_wins_over_home_and_nothing_means_no_file() {
        let e = env(Some("/h"), Some("/x"));
        assert_eq!(
            e.otop_config(None),
            Some(PathBuf::from("/x/otop/config.toml"))
        );
        assert_eq!(
            e.plugin_file(),
            Some(PathBuf::from("/x/opencode/plugins/otop.js"))
        );
        let e = env(Some("/h"), None);
        assert_eq!(
            e.opencode_config_dir(),
            Some(PathBuf::from("/h/.config/opencode"))
        );
        assert_eq!(
            e.otop_state_dir(),
            Some(PathBuf::from("/h/.local/state/otop"))
        );
        assert_eq!(
            e.notify_lock(),
            Some(PathBuf::from("/h/.local/state/otop/notify.lock"))
        );
        let mut r = env(Some("/h"), None);
        r.xdg_runtime_dir = Some("/run/user/1".into());
        assert_eq!(
            r.notify_lock(),
            Some(PathBuf::from("/run/user/1/otop/notify.lock"))
        );
        assert_eq!(
            r.unseen_file(),
            Some(PathBuf::from("/h/.local/state/otop/unseen.json"))
        );
        assert_eq!(env(None, None).notify_lock(), None);
        assert_eq!(env(None, None).otop_config(None), None);
        assert_eq!(env(None, None).plugin_file(), None);
    }

    #[test]
    fn flag_then_otop_config_then_xdg() {
        let mut e = env(Some("/h"), None);
        e.otop_config = Some("/o.toml".into());
        assert_eq!(e.otop_config(None), Some(PathBuf::from("/o.toml")));
        assert_eq!(
            e.otop_config(Some(Path::new("/f.toml"))),
            Some(PathBuf::from("/f.toml"))
        );
    }

    #[test]
    fn opencode_db_follows_opencode() {
        let p = |db: Option<&str>| opencode_db(None, db, None, Some("/h"));
        assert_eq!(
            p(None),
            PathBuf::from("/h/.local/share/opencode/opencode.db")
        );
        assert_eq!(p(Some("/abs.db")), PathBuf::from("/abs.db"));
        assert_eq!(
            p(Some("dev.db")),
            PathBuf::from("/h/.local/share/opencode/dev.db")
        );
        assert_eq!(
            opencode_db(Some(Path::new("/f.db")), Some("x"), None, None),
            PathBuf::from("/f.db")
        );
    }
}
