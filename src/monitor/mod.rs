//! The full-screen monitor. [`run_monitor`] wires the pieces: a collector thread and an input
//! thread post [`event::Event`]s; the main loop turns them into actions on the [`state::App`],
//! performs the returned effects (`effects.rs`) and draws with [`draw::draw`].

pub mod clipboard;
pub mod detail_body;
pub mod draw;
mod effects;
pub mod event;
pub mod layout;
pub mod options;
pub mod state;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ratatui::layout::Rect;

use crate::collect::{Source, now_ms};
use crate::effects::Effects;
use crate::error::{Error, Result};
use crate::tui::terminal;
use effects::perform;
use event::{Event, Request};
pub use options::MonitorOptions;
use state::App;
use state::action;

/// Runs the monitor until the user quits or a termination signal arrives. The terminal is
/// restored on every path out, panics included.
pub fn run_monitor(source: Box<dyn Source>, effects: Effects, opts: MonitorOptions) -> Result<()> {
    let terminated = terminal::termination_flag().map_err(Error::Terminal)?;
    let mut term = terminal::setup(terminal::Screen::Monitor)?;
    let result = main_loop(&mut term, source, effects, &opts, &terminated).map_err(Error::Terminal);
    terminal::restore();
    result
}

fn local_offset_secs() -> i32 {
    chrono::Local::now().offset().local_minus_utc()
}

fn main_loop(
    term: &mut terminal::Term,
    mut source: Box<dyn Source>,
    mut effects: Effects,
    opts: &MonitorOptions,
    terminated: &AtomicBool,
) -> std::io::Result<()> {
    let (ev_tx, ev_rx) = mpsc::channel();
    let (req_tx, req_rx) = mpsc::channel();
    let stop_input = Arc::new(AtomicBool::new(false));
    // What the source and the effects watch (hosts, the plugin's files) asks for a refresh
    // as a key would.
    let wake = req_tx.clone();
    let wake: crate::collect::Waker = Arc::new(move || {
        let _ = wake.send(Request::Refresh);
    });
    source.wake_with(wake.clone());
    effects.wake_with(wake);
    // The fleet record (`otop restore` reads it) is one of the effects.
    let effects = effects.keeping(opts.fleet.clone());
    let _collector = event::spawn_collector(source, effects, opts.interval, req_rx, ev_tx.clone());
    let input = event::spawn_input(ev_tx, stop_input.clone());

    let mut app = App::new(now_ms(), opts.theme);
    app.sort = opts.sort;
    app.descending = opts.descending;
    app.columns = opts.columns.clone();
    app.keymap = opts.keymap.clone();
    app.end_grace = opts.end_grace;
    app.utc_offset_secs = local_offset_secs();
    let mut focus = app.focus();
    let mut out = std::io::stdout();
    // The second last drawn: what the screen shows changes by the second (the clock, ages)
    // unless an event changes it, so an idle monitor draws once a second, not once a wake-up.
    let mut drawn: Option<i64> = None;
    let result = loop {
        let size = term.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        if app.size != area {
            app.apply(action::Action::Resize(size.width, size.height));
            drawn = None;
        }
        app.now = now_ms();
        let second = app.now.div_euclid(1000);
        if drawn != Some(second) {
            term.draw(|f| draw::draw(f, &app))?;
            drawn = Some(second);
        }

        let to_next_second = 1000 - app.now.rem_euclid(1000);
        let wait = Duration::from_millis(u64::try_from(to_next_second).unwrap_or(1000));
        let first = match ev_rx.recv_timeout(wait) {
            Ok(ev) => Some(ev),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        };
        if first.is_some() {
            drawn = None;
        }
        if terminated.load(Ordering::Relaxed) {
            break Ok(());
        }
        app.now = now_ms();
        // Handle everything pending before drawing again, so a burst of keys is not drawn
        // one frame at a time.
        let mut quit = false;
        for ev in first
            .into_iter()
            .chain(std::iter::from_fn(|| ev_rx.try_recv().ok()))
        {
            let effect = match ev {
                Event::Snapshot(s) => {
                    app.ingest(*s);
                    None
                }
                Event::Input(e) => action::from_event(&app, &e).and_then(|a| app.apply(a)),
                Event::Acted(said) => {
                    effects::acted(&mut app, said);
                    None
                }
                Event::Mcp(panel) => {
                    app.set_mcp(*panel);
                    None
                }
            };
            if let Some(effect) = effect {
                quit |= perform(effect, &mut app, &req_tx, &mut out, opts);
            }
        }
        if quit {
            break Ok(());
        }
        let now_focus = app.focus();
        if now_focus != focus {
            focus = now_focus;
            let _ = req_tx.send(Request::Focus(focus.clone()));
        }
    };
    // The input thread is told to stop but not waited for: after a hangup crossterm's poll
    // spins on the dead terminal (EOF is always "ready") and never returns, so joining it
    // would keep otop alive, burning CPU, after its terminal is gone.
    stop_input.store(true, Ordering::Relaxed);
    drop(input);
    // Dropping the request sender ends the collector after its current collection; it is not
    // joined, so a slow source cannot delay quitting.
    result
}
