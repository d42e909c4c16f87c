//! doctor's tmux lines: every tmux server otop can see (the one it runs in, the default, the
//! configured ones, those opencode runs under, and the live ones in this user's socket
//! directory), and on each what otop's tmux plugin did there.

use super::{Line, Mark};
use crate::collect::Snapshot;
use crate::source::tmux::{self, TmuxError, same_socket};

/// What one server says about the tmux plugin.
#[derive(Debug, Default, PartialEq, Eq)]
struct PluginFacts {
    /// The prefix key bound to `otop pick`.
    key: Option<String>,
    /// Status options that still hold `#{otop_status}`, which only the plugin fills in.
    unfilled: Vec<&'static str>,
    /// `@otop-mode` is `watch`.
    watch_mode: bool,
    /// The watcher's pid (`@otop-watch-pid`), when that process lives.
    watcher: Option<String>,
    /// status-left or status-right shows otop (`#(… status)`, `#{@otop_status}`).
    in_status: bool,
    /// The server's `#{version}` (`3.3a`, `next-3.6`, `openbsd-7.5`).
    version: String,
}

/// The oldest tmux the plugin supports: the first with display-popup and run-shell -C, which
/// its `prefix + o` binding uses.
pub(crate) const MIN_TMUX: (u32, u32) = (3, 2);

/// `3.3a` → (3, 3); `next-3.6` → (3, 6); a name with no number where tmux's are (OpenBSD's base
/// tmux says `openbsd-7.5`, its system's release) → None.
fn tmux_version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim();
    let v = v.strip_prefix("next-").unwrap_or(v);
    let (major, rest) = v.split_once('.')?;
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Separates the options in one `display-message` (values hold no such byte in practice).
const SEP: char = '\x1f';
const OPTIONS: &str =
    "#{status-left}\x1f#{status-right}\x1f#{@otop-mode}\x1f#{@otop-watch-pid}\x1f#{version}";
const PLACEHOLDER: &str = "#{otop_status}";

/// Reads `display-message -p OPTIONS` and `list-keys -T prefix` output; `alive` says whether
/// a pid lives.
fn parse(options: &str, keys: &str, alive: impl Fn(&str) -> bool) -> PluginFacts {
    let mut f = options.trim_end_matches('\n').split(SEP);
    let mut next = || f.next().unwrap_or("").to_string();
    let (left, right, mode, pid, version) = (next(), next(), next(), next(), next());
    let key = keys
        .lines()
        .find(|l| l.contains("otop") && l.contains(" pick"))
        .and_then(|l| l.split_whitespace().nth(3))
        .map(str::to_string);
    PluginFacts {
        key,
        unfilled: [("status-left", &left), ("status-right", &right)]
            .into_iter()
            .filter(|(_, v)| v.contains(PLACEHOLDER))
            .map(|(name, _)| name)
            .collect(),
        watch_mode: mode.trim() == "watch",
        watcher: Some(pid.trim().to_string()).filter(|p| !p.is_empty() && alive(p)),
        in_status: [&left, &right]
            .iter()
            .any(|v| v.replace(PLACEHOLDER, "").contains("otop")),
        version: version.trim().to_string(),
    }
}

/// Whether the plugin is set up right on a server, and what to say about it.
fn assess(f: &PluginFacts) -> (bool, String) {
    let mut problems = Vec::new();
    if !f.unfilled.is_empty() {
        problems.push(format!(
            "{} still holds {PLACEHOLDER}, which the tmux plugin fills in (also when it is set \
             after the plugin's line): the plugin has not run on this server. Add its line \
             (run-shell …/otop.tmux, or TPM's run line) to ~/.tmux.conf, then tmux source \
             ~/.tmux.conf",
            f.unfilled.join(" and ")
        ));
    }
    if f.watch_mode && f.watcher.is_none() {
        problems.push(
            "@otop-mode is watch, but no watcher runs: the tmux plugin has not run on this \
             server, or the watcher ended (otop watch --tmux in a pane says why)"
                .to_string(),
        );
    }
    let old = tmux_version(&f.version).is_some_and(|v| v < MIN_TMUX);
    if old && f.key.is_some() {
        problems.push(format!(
            "tmux {} is older than {}.{}, which the plugin needs: prefix + {} opens no popup \
             (display-popup and run-shell -C came in 3.2); upgrade tmux, or use otop jump and \
             the monitor",
            f.version,
            MIN_TMUX.0,
            MIN_TMUX.1,
            f.key.as_deref().unwrap_or("o")
        ));
    }
    let mut facts = Vec::new();
    if let Some(k) = &f.key {
        facts.push(format!("prefix + {k} opens the picker"));
    }
    match &f.watcher {
        Some(pid) => facts.push(format!("otop watch (pid {pid}) keeps the status bar")),
        None if f.in_status => facts.push("the status bar shows otop".to_string()),
        None => {}
    }
    let version = match f.version.as_str() {
        "" => String::new(),
        v => format!("tmux {v}; "),
    };
    if !problems.is_empty() {
        return (false, format!("{version}{}", problems.join("; ")));
    }
    if facts.is_empty() {
        return (
            true,
            format!("{version}tmux plugin not loaded (optional: see the README's tmux setup)"),
        );
    }
    (true, format!("{version}tmux plugin: {}", facts.join(", ")))
}

fn plugin_on(socket: &str) -> Result<(bool, String), TmuxError> {
    let options = tmux::run_tmux(Some(socket), &["display-message", "-p", OPTIONS])?;
    let keys = tmux::run_tmux(Some(socket), &["list-keys", "-T", "prefix"])?;
    Ok(assess(&parse(
        &options,
        &keys,
        crate::cli::watch::pid_alive,
    )))
}

/// A line per tmux server, the one otop runs in first.
pub(super) fn lines(snap: &Snapshot, extra: &[String]) -> Vec<Line> {
    let current = crate::jump::current_socket();
    let seen = snap
        .rows
        .iter()
        .filter_map(|r| r.tmux.as_ref().map(|t| t.socket.clone()))
        .chain(current.clone())
        .collect();
    let mut named: Vec<String> = Vec::new();
    for s in tmux::servers(seen, extra) {
        if !named.iter().any(|n| same_socket(n, &s)) {
            named.push(s);
        }
    }
    let here = |s: &str| current.as_deref().is_some_and(|c| same_socket(c, s));
    named.sort_by_key(|s| !here(s));
    let scanned: Vec<String> = tmux::user_sockets()
        .into_iter()
        .filter(|s| !named.iter().any(|n| same_socket(n, s)))
        .collect();

    let mut lines = Vec::new();
    for (s, listed) in named
        .iter()
        .map(|s| (s, true))
        .chain(scanned.iter().map(|s| (s, false)))
    {
        let mark = if here(s) { " (otop runs here)" } else { "" };
        let (ok, text) = match tmux::list_panes(s) {
            Ok(panes) => {
                let located = snap
                    .rows
                    .iter()
                    .filter(|r| r.session.is_some())
                    .filter(|r| r.tmux.as_ref().is_some_and(|t| same_socket(&t.socket, s)))
                    .count();
                let (ok, plugin) = plugin_on(s).unwrap_or_else(|e| (false, e.to_string()));
                (
                    ok,
                    format!(
                        "{s}{mark}: {} pane{}, {located} with a session; {plugin}",
                        panes.len(),
                        if panes.len() == 1 { "" } else { "s" }
                    ),
                )
            }
            Err(TmuxError::NotInstalled) => {
                return vec![Line {
                    mark: Mark::Fail,
                    topic: "tmux",
                    text: "tmux is not installed: no panes, no jumping".into(),
                }];
            }
            Err(TmuxError::Timeout) => (false, format!("{s}{mark}: does not answer")),
            // A stale socket in the directory is no server anyone asked for.
            Err(TmuxError::Failed(_)) if !listed => continue,
            Err(TmuxError::Failed(_)) => (true, format!("{s}{mark}: no server running")),
        };
        lines.push(Line {
            mark: ok.into(),
            topic: "tmux",
            text,
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = "bind-key    -T prefix C-b     send-prefix\n\
        bind-key    -T prefix o       run-shell -C \"display-popup -E -w \\\"80%\\\" -h \\\"60%\\\" \\\"'/b/otop' pick --client '#{client_name}'\\\"\"\n";

    fn facts(options: &str, keys: &str) -> PluginFacts {
        parse(options, keys, |p| p == "42")
    }

    #[test]
    fn a_loaded_plugin_is_ok() {
        let f = facts("[#S]\x1f#('/b/otop' status) %H:%M\x1fstatus\x1f\n", KEYS);
        assert_eq!(f.key.as_deref(), Some("o"));
        assert!(f.in_status && f.unfilled.is_empty() && !f.watch_mode);
        let (ok, text) = assess(&f);
        assert!(ok, "{text}");
        assert_eq!(
            text,
            "tmux plugin: prefix + o opens the picker, the status bar shows otop"
        );
    }

    /// The plugin never ran: the placeholder is left as written.
    #[test]
    fn an_unfilled_placeholder_fails_and_says_how_to_fix_it() {
        let f = facts("[#S]\x1f#{otop_status} %H:%M\x1f\x1f", KEYS);
        assert_eq!(f.unfilled, ["status-right"]);
        assert!(!f.in_status);
        let (ok, text) = assess(&f);
        assert!(!ok);
        assert!(
            text.contains("status-right still holds #{otop_status}")
                && text.contains("has not run"),
            "{text}"
        );
    }

    #[test]
    fn watch_mode_without_a_watcher_fails() {
        let dead = facts("\x1f#{@otop_status}\x1fwatch\x1f7\n", "");
        assert!(dead.watch_mode && dead.watcher.is_none());
        let (ok, text) = assess(&dead);
        assert!(!ok && text.contains("no watcher runs"), "{text}");
        let live = facts("\x1f#{@otop_status}\x1fwatch\x1f42\n", KEYS);
        let (ok, text) = assess(&live);
        assert!(ok, "{text}");
        assert!(text.contains("otop watch (pid 42)"), "{text}");
    }

    #[test]
    fn versions_are_read_as_tmux_numbers() {
        assert_eq!(tmux_version("3.3a"), Some((3, 3)));
        assert_eq!(tmux_version("3.2"), Some((3, 2)));
        assert_eq!(tmux_version("next-3.6"), Some((3, 6)));
        assert_eq!(tmux_version("3.10"), Some((3, 10)));
        assert_eq!(tmux_version("openbsd-7.5"), None);
        assert_eq!(tmux_version(""), None);
    }

    /// The plugin's popup binding needs 3.2: an older server with the key bound fails, and
    /// the version is said on every server's line.
    #[test]
    fn a_tmux_older_than_the_plugin_needs_fails() {
        let (ok, text) = assess(&facts("\x1f#('/b/otop' status)\x1f\x1f\x1f3.1c\n", KEYS));
        assert!(!ok);
        assert!(
            text.starts_with("tmux 3.1c; tmux 3.1c is older than 3.2"),
            "{text}"
        );
        let (ok, text) = assess(&facts("\x1f#('/b/otop' status)\x1f\x1f\x1f3.2\n", KEYS));
        assert!(ok, "{text}");
        assert!(
            text.starts_with("tmux 3.2; tmux plugin: prefix + o"),
            "{text}"
        );
        // Without the plugin an old tmux still jumps: no failure.
        let (ok, text) = assess(&facts("\x1f\x1f\x1f\x1f2.9\n", ""));
        assert!(
            ok && text.starts_with("tmux 2.9; tmux plugin not loaded"),
            "{text}"
        );
    }

    #[test]
    fn no_plugin_is_fine() {
        let (ok, text) = assess(&facts(
            "[#S]\x1f%H:%M\x1f\x1f\n",
            "bind-key -T prefix c new-window\n",
        ));
        assert!(ok);
        assert!(text.starts_with("tmux plugin not loaded"), "{text}");
    }
}
