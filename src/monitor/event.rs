//! Threads feeding the main loop one channel of [`Event`]s: terminal input, and snapshots
//! from the collector thread, which owns the [`Source`] so no two collections ever overlap.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::collect::{self, Focus, Snapshot, Source, now_ms};
use crate::effects::Effects;
use crate::error::Error;
use crate::jump::{self, Here};
use crate::model::facts::McpPanel;
use crate::model::request::Order;
use crate::model::row::Row;

pub enum Event {
    Input(crossterm::event::Event),
    Snapshot(Box<Snapshot>),
    /// What became of an act (an answer, a jump): the line to show, or why it failed.
    Acted(Result<String, Error>),
    /// The MCP servers asked for with [`Request::Mcp`].
    Mcp(Box<McpPanel>),
}

/// What the UI asks of the collector.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Collect now.
    Refresh,
    /// Look closely at something else from now on (collects at once).
    Focus(Focus),
    /// Give this answer, then collect at once (the row shows what became of it).
    Answer(Box<Order>),
    /// Drive a session (a message, an interrupt, an end), then collect at once.
    Drive(Box<crate::drive::Order>),
    /// Take a client to this row's pane: through ssh for another machine's row, which can take
    /// the host's timeout, so never on the UI thread.
    Jump(Box<Row>, Box<Here>),
    /// Read the MCP configuration of a session in `dir` (global configuration in `global`).
    Mcp {
        dir: Option<String>,
        global: Option<PathBuf>,
        demo: bool,
    },
}

/// Collects every `interval`, or at once on request, and runs the `effects` of each snapshot
/// before sending it; answers on request (the source reads the world again for it, in turn
/// with the collections); ends when either channel closes.
pub fn spawn_collector(
    mut source: Box<dyn Source>,
    mut effects: Effects,
    interval: Duration,
    requests: Receiver<Request>,
    events: Sender<Event>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut focus = Focus::default();
        loop {
            let started = Instant::now();
            let mut snap = source.collect(&focus, now_ms());
            effects.after(&mut snap);
            if events.send(Event::Snapshot(Box::new(snap))).is_err() {
                return;
            }
            // Wait out the interval unless asked; refreshes that piled up meanwhile count once.
            let left = (started + interval).saturating_duration_since(Instant::now());
            let first = match requests.recv_timeout(left) {
                Ok(r) => Some(r),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            for r in first
                .into_iter()
                .chain(std::iter::from_fn(|| requests.try_recv().ok()))
            {
                match r {
                    Request::Focus(f) => focus = f,
                    Request::Refresh => {}
                    Request::Answer(order) => {
                        let said = source.answer(&order, now_ms());
                        if events.send(Event::Acted(said)).is_err() {
                            return;
                        }
                    }
                    Request::Drive(order) => {
                        let env = crate::paths::Env::from_process();
                        let said = crate::drive::act(&order, source.as_mut(), &env);
                        if events.send(Event::Acted(said)).is_err() {
                            return;
                        }
                    }
                    Request::Mcp { dir, global, demo } => {
                        let panel = collect::mcp_panel(global.as_deref(), dir.as_deref(), demo);
                        if events.send(Event::Mcp(Box::new(panel))).is_err() {
                            return;
                        }
                    }
                    Request::Jump(row, here) => {
                        let went = jump::go(&row, &here).map(jump::Went::text);
                        if events.send(Event::Acted(went)).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    })
}

/// Reads terminal events until `stop` is set or the receiver is gone. Polls with a timeout so
/// it notices `stop` without a key press.
pub fn spawn_input(events: Sender<Event>, stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match crossterm::event::poll(Duration::from_millis(200)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if events.send(Event::Input(ev)).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                },
                Ok(false) => {}
                Err(_) => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    struct Counting(Arc<std::sync::atomic::AtomicUsize>);

    impl Source for Counting {
        fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
            self.0.fetch_add(1, Ordering::SeqCst);
            Snapshot {
                taken_at: now,
                db_path: focus.session_id.clone(),
                ..Snapshot::default()
            }
        }
    }

    /// A collector thread over `source`, refreshing only when asked.
    fn started(
        source: Box<dyn Source>,
    ) -> (Sender<Request>, Receiver<Event>, thread::JoinHandle<()>) {
        let (req_tx, req_rx) = mpsc::channel();
        let (ev_tx, ev_rx) = mpsc::channel();
        let interval = Duration::from_secs(3600);
        let handle = spawn_collector(source, Effects::none(), interval, req_rx, ev_tx);
        (req_tx, ev_rx, handle)
    }

    #[test]
    fn refresh_and_focus_collect_at_once() {
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (req_tx, ev_rx, handle) = started(Box::new(Counting(count.clone())));
        let next = || match ev_rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Event::Snapshot(s)) => Some(s),
            _ => None,
        };
        assert!(next().is_some());
        req_tx.send(Request::Refresh).unwrap();
        assert!(next().is_some());
        let focus = Focus {
            session_id: Some("ses_x".into()),
            pane: None,
        };
        req_tx.send(Request::Focus(focus)).unwrap();
        assert_eq!(next().and_then(|s| s.db_path), Some("ses_x".into()));
        assert_eq!(count.load(Ordering::SeqCst), 3);
        drop(req_tx);
        handle.join().unwrap();
    }

    /// The demo's rows, as a real refresh would give them.
    struct Fleet;

    impl Source for Fleet {
        fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
            let mut snap = crate::collect::demo::snapshot(focus, now);
            snap.demo = false;
            snap
        }
    }

    /// The monitor keeps the fleet record with each snapshot, on the collector thread: by the
    /// first snapshot the UI receives, the record is written.
    #[test]
    fn the_fleet_record_follows_the_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("otop/fleet.json");
        let (req_tx, req_rx) = mpsc::channel();
        let (ev_tx, ev_rx) = mpsc::channel();
        let effects = Effects::none().keeping(Some(path.clone()));
        let interval = Duration::from_secs(3600);
        let handle = spawn_collector(Box::new(Fleet), effects, interval, req_rx, ev_tx);
        assert!(matches!(
            ev_rx.recv_timeout(Duration::from_secs(5)),
            Ok(Event::Snapshot(_))
        ));
        assert!(!crate::restore::read(&path).sessions.is_empty());
        drop(req_tx);
        handle.join().unwrap();
    }

    /// A jump is an act like an answer: the collector thread runs it and says what became of
    /// it, so a host's ssh never holds the UI thread.
    #[test]
    fn a_jump_runs_on_the_collector_thread() {
        let (req_tx, ev_rx, handle) = started(Box::new(Counting(Arc::default())));
        let snap = crate::collect::demo::snapshot(&Focus::default(), 0);
        let row = snap.rows.into_iter().find(|r| r.tmux.is_some()).unwrap();
        let here = Here::new(None, true, None);
        req_tx
            .send(Request::Jump(Box::new(row), Box::new(here)))
            .unwrap();
        let said =
            std::iter::from_fn(|| ev_rx.recv_timeout(Duration::from_secs(5)).ok()).find_map(|e| {
                match e {
                    Event::Acted(said) => Some(said),
                    _ => None,
                }
            });
        let said = said.expect("an outcome").unwrap();
        assert!(said.starts_with("demo: would jump to "), "{said}");
        drop(req_tx);
        handle.join().unwrap();
    }

    /// The MCP panel is read on the collector thread, from the project's own file.
    #[test]
    fn the_mcp_panel_is_read_off_the_ui_thread() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("opencode.json"),
            r#"{"mcp": {"gh": {"type": "local", "command": ["gh-mcp"]}}}"#,
        )
        .unwrap();
        let (req_tx, ev_rx, handle) = started(Box::new(Counting(Arc::default())));
        let dir_s = dir.path().to_string_lossy().into_owned();
        req_tx
            .send(Request::Mcp {
                dir: Some(dir_s),
                global: Some(dir.path().join("no-global")),
                demo: false,
            })
            .unwrap();
        let panel = std::iter::from_fn(|| ev_rx.recv_timeout(Duration::from_secs(5)).ok())
            .find_map(|e| match e {
                Event::Mcp(p) => Some(p),
                _ => None,
            });
        let panel = panel.expect("a panel");
        let names: Vec<&str> = panel
            .files
            .iter()
            .flat_map(|f| f.servers.iter().flatten())
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["gh"]);
        drop(req_tx);
        handle.join().unwrap();
    }
}
