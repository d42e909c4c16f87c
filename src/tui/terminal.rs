//! Taking over the terminal and always giving it back: raw mode, alternate screen, mouse,
//! the window title and (inside tmux) the window name. Restoring is idempotent and also runs
//! from the panic hook; SIGTERM/SIGHUP/SIGINT end the main loop so it runs on the normal path.

use std::io::{self, Stdout, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, SetTitle, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// The tmux window name to put back on exit.
#[derive(Debug)]
struct TmuxWindow {
    pane: String,
    name: String,
    automatic: bool,
}

static ACTIVE: AtomicBool = AtomicBool::new(false);
static TMUX_WINDOW: Mutex<Option<TmuxWindow>> = Mutex::new(None);

/// xterm's title stack: push on entry, pop on exit, so the old title comes back.
const PUSH_TITLE: &str = "\u{1b}[22;0t";
const POP_TITLE: &str = "\u{1b}[23;0t";

/// The server otop runs under (`$TMUX`), through the one tmux entry point with its timeout.
fn tmux(args: &[&str]) -> Option<String> {
    crate::tmux_call::run_tmux(None, args)
        .ok()
        .map(|s| s.trim_end().to_string())
}

/// Inside tmux, names the window `otop`, remembering what to restore.
fn name_tmux_window() {
    let Some(pane) = std::env::var("TMUX_PANE").ok().filter(|p| !p.is_empty()) else {
        return;
    };
    if std::env::var_os("TMUX").is_none() {
        return;
    }
    let Some(info) = tmux(&["display", "-p", "-t", &pane, "#{automatic-rename}\t#W"]) else {
        return;
    };
    let (auto, name) = info.split_once('\t').unwrap_or(("0", info.as_str()));
    let saved = TmuxWindow {
        pane: pane.clone(),
        name: name.to_string(),
        automatic: auto == "1",
    };
    if tmux(&["rename-window", "-t", &pane, "otop"]).is_some()
        && let Ok(mut slot) = TMUX_WINDOW.lock()
    {
        *slot = Some(saved);
    }
}

fn restore_tmux_window() {
    let saved = TMUX_WINDOW.lock().ok().and_then(|mut s| s.take());
    if let Some(w) = saved {
        if w.automatic {
            tmux(&["set-option", "-w", "-t", &w.pane, "automatic-rename", "on"]);
        } else {
            tmux(&["rename-window", "-t", &w.pane, "--", &w.name]);
        }
    }
}

/// What takes over the terminal, for the message when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The monitor: mouse, window title, and inside tmux the window named `otop`.
    Monitor,
    /// The picker, in a popup: no mouse, the window keeps its name.
    Picker,
}

/// Takes over the terminal. Without one (stdout a pipe or a file, or no controlling terminal,
/// as under tmux's `run-shell`), fails before writing anything, so no escape sequence lands in
/// whatever reads stdout. On any failure the terminal is given back.
pub fn setup(screen: Screen) -> crate::error::Result<Term> {
    use std::io::IsTerminal;
    let (what, instead) = match screen {
        Screen::Monitor => (
            "the monitor",
            "run otop in a terminal (for scripts: otop sessions --json)",
        ),
        Screen::Picker => (
            "the picker",
            "run it in a terminal, or in tmux display-popup -E",
        ),
    };
    if !io::stdout().is_terminal() {
        return Err(crate::error::Error::NoTerminal(what, instead));
    }
    install_panic_hook();
    let result = take_over(screen);
    if result.is_err() {
        // It may have got halfway (raw mode on, no alternate screen).
        restore();
    }
    result.map_err(crate::error::Error::Terminal)
}

fn take_over(screen: Screen) -> io::Result<Term> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if screen == Screen::Monitor {
        out.write_all(PUSH_TITLE.as_bytes())?;
        execute!(out, EnableMouseCapture, SetTitle("otop"))?;
        name_tmux_window();
    }
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Gives the terminal back. Safe to call more than once and from the panic hook.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    // Turning mouse reporting off and popping the title are harmless where they were never
    // turned on (the picker), and cannot be missed where they were.
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = out.write_all(POP_TITLE.as_bytes());
    let _ = out.flush();
    let _ = disable_raw_mode();
    restore_tmux_window();
}

fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

/// A flag set by SIGTERM, SIGHUP or SIGINT, polled by the main loop.
pub fn termination_flag() -> io::Result<std::sync::Arc<AtomicBool>> {
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, flag.clone())?;
    }
    Ok(flag)
}
