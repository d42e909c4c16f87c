//! The collector: owns the sources, turns one refresh into an owned [`Snapshot`].
//! Views talk to it only through the [`Source`] seam, so the demo fleet can stand in.

mod assemble;
mod collector;
pub mod demo;
pub mod hosts;
pub mod observed;
pub mod wire;

pub use crate::source::db::types::Depth;
pub use collector::{CPU_WINDOW, Collector, CollectorOptions};

use crate::error::Error;
use crate::model::request::Order;
use crate::model::row::{Row, TmuxLocation};
use crate::source::db::DbError;
use crate::source::db::types::{HistoryItem, TotalsPair};

/// What the view is looking at closely, so the next snapshot carries its details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Session whose message history to read.
    pub session_id: Option<String>,
    /// Pane whose contents to capture (with colours).
    pub pane: Option<TmuxLocation>,
}

/// Details of the focused session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    pub session_id: Option<String>,
    pub history: Vec<HistoryItem>,
    /// `capture-pane -e -p` output of the focused pane, raw (ANSI colours included); the view
    /// must parse and sanitise it before drawing.
    pub pane_text: Option<String>,
}

/// Everything one refresh saw.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// When it was taken, Unix ms.
    pub taken_at: i64,
    pub rows: Vec<Row>,
    /// The database read (the first, when processes use several).
    pub db_path: Option<String>,
    /// Why the default database could not be read, if it could not and that matters: its
    /// absence does not when the running processes hold databases of their own.
    pub db_error: Option<DbError>,
    pub totals: Option<TotalsPair>,
    pub detail: Option<Detail>,
    /// Non-fatal problems worth a line on screen (tmux unreachable, …).
    pub warnings: Vec<String>,
    /// The simulated fleet: nothing in it is real, so nothing may act on it (a jump only says
    /// where it would go).
    pub demo: bool,
    /// Database rows this refresh skipped because a cell held a value of a type otop cannot
    /// read (`otop doctor` reports them).
    pub skipped_rows: u64,
    /// The panes in front of someone: each the active pane of the current window of a session
    /// an attached, focused tmux client shows.
    pub in_front: Vec<TmuxLocation>,
    /// The tmux clients attached to the servers read.
    pub clients: Vec<crate::source::tmux::types::Client>,
    /// The directories the companion plugin's files were read from (one per database).
    pub plugin_dirs: Vec<std::path::PathBuf>,
    /// The unseen marks as this refresh read them (the rows' `unseen` says where they apply).
    pub marks: crate::source::unseen::Marks,
    /// Each configured host read ([`hosts`]): whether it answered.
    pub hosts: Vec<hosts::HostState>,
    /// Signs of opencode 2, which otop does not read yet: what to say (also in `warnings`).
    pub opencode2: Option<String>,
    /// The rows' sessions' days, by session id (#30): empty unless the view asked for them.
    pub timelines: std::collections::BTreeMap<String, crate::model::timeline::Timeline>,
}

impl Snapshot {
    /// How many hosts did not answer this refresh.
    pub fn hosts_down(&self) -> usize {
        self.hosts.iter().filter(|h| h.is_down()).count()
    }

    /// What a screen says under its header: the warnings, then a line for each host that did
    /// not answer (kept once, in `hosts`, and worded here).
    pub fn notes(&self) -> impl Iterator<Item = String> + '_ {
        self.warnings
            .iter()
            .cloned()
            .chain(self.hosts.iter().filter_map(|h| h.line()))
    }
}

/// Asks whoever runs a [`Source`] to collect again now.
pub type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;

/// A producer of snapshots: the real collector, or the demo fleet.
pub trait Source: Send {
    /// One refresh at wall-clock `now` (Unix ms).
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot;

    /// Takes a first CPU sample, so the next refresh can give CPU% as a delta; false when
    /// there is nothing to sample (the demo), so nothing to wait for.
    fn prime_cpu(&mut self) -> bool {
        false
    }

    /// Answers a waiting session; returns a line saying what was answered. This machine's
    /// collector answers through `reply::Local`, which wraps it from above.
    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        let _ = (order, now);
        Err(Error::Refused("nothing can be answered here".into()))
    }

    /// The configured host named `name` whose rows this source reads: where an act on one of
    /// them goes (over ssh). None for this machine's sources and the demo.
    fn host(&self, name: &str) -> Option<crate::config::hosts::Host> {
        let _ = name;
        None
    }

    /// Gives the source a way to ask for a refresh when something it watches changes (the
    /// notifier watches the companion plugin's files). Most sources ignore it.
    fn wake_with(&mut self, _wake: Waker) {}
}

/// A boxed source is a source: the demo or the collector, chosen once (`cli::Ctx::source`),
/// can be wrapped (the notifier) like either.
impl<S: Source + ?Sized> Source for Box<S> {
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        (**self).collect(focus, now)
    }
    fn prime_cpu(&mut self) -> bool {
        (**self).prime_cpu()
    }
    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        (**self).answer(order, now)
    }
    fn host(&self, name: &str) -> Option<crate::config::hosts::Host> {
        (**self).host(name)
    }
    fn wake_with(&mut self, wake: Waker) {
        (**self).wake_with(wake)
    }
}

/// Local midnight of the day containing `now` (Unix ms), for "today" totals.
pub fn local_midnight_ms(now: i64) -> i64 {
    use chrono::{Local, TimeZone};
    let Some(t) = Local.timestamp_millis_opt(now).single() else {
        return now;
    };
    t.date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|m| Local.from_local_datetime(&m).earliest())
        .map_or(now, |m| m.timestamp_millis())
}

/// Wall-clock now, Unix ms.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The MCP servers configured for a session in `dir`: opencode's global configuration (in
/// `global`) and the project's; the demo's made-up panel on the demo fleet.
pub fn mcp_panel(
    global: Option<&std::path::Path>,
    dir: Option<&str>,
    demo: bool,
) -> crate::model::facts::McpPanel {
    if demo {
        demo::mcp(dir)
    } else {
        crate::source::opencode_config::load(global, dir.map(std::path::Path::new))
    }
}
