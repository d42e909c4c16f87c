//! Every user intent as an [`Action`], and the mapping from keys and mouse events to actions.
//! The mapping depends on what is on screen (list, detail, a panel, the filter prompt), so it
//! reads the [`App`] but never changes it.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::monitor::state::{App, View};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Collect now instead of waiting for the interval.
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    SortNext,
    SortPrev,
    SortFlip,
    /// `/`: start typing a filter.
    FilterStart,
    FilterInput(char),
    FilterBackspace,
    /// `enter` in the prompt: keep the filter, leave the prompt.
    FilterDone,
    /// `esc`: drop the filter.
    FilterClear,
    CopyId,
    ToggleAll,
    ToggleProcs,
    ToggleTodos,
    ToggleMcp,
    ToggleHelp,
    /// Close whatever panel or overlay is open.
    ClosePanel,
    OpenDetail,
    CloseDetail,
    /// Detail view: switch between the pane and the history.
    DetailTab,
    /// Switch the tmux client to the selected session's pane.
    Jump,
    /// Mouse click at a screen position.
    Click {
        column: u16,
        row: u16,
    },
    ScrollUp,
    ScrollDown,
    Resize(u16, u16),
}

/// The action for a terminal event, if it means anything here.
pub fn from_event(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => from_key(app, *key),
        Event::Mouse(m) => from_mouse(*m),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        _ => None,
    }
}

fn from_mouse(m: MouseEvent) -> Option<Action> {
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
            column: m.column,
            row: m.row,
        }),
        MouseEventKind::ScrollUp => Some(Action::ScrollUp),
        MouseEventKind::ScrollDown => Some(Action::ScrollDown),
        _ => None,
    }
}

/// Keys shared by every mode that is not typing text.
fn movement(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        _ => return None,
    })
}

pub fn from_key(app: &App, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    if app.editing_filter {
        return match key.code {
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Char(c) if !ctrl => Some(Action::FilterInput(c)),
            _ => None,
        };
    }
    if app.panel.is_some() {
        return match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => Some(Action::ClosePanel),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            KeyCode::Char('t') => Some(Action::ToggleTodos),
            KeyCode::Char('m') => Some(Action::ToggleMcp),
            code => movement(code),
        };
    }
    if app.view == View::Detail {
        return match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Backspace => Some(Action::CloseDetail),
            KeyCode::Tab | KeyCode::BackTab => Some(Action::DetailTab),
            KeyCode::Char('o') => Some(Action::Jump),
            KeyCode::Char('y') => Some(Action::CopyId),
            KeyCode::Char('r') => Some(Action::Refresh),
            KeyCode::Char('t') => Some(Action::ToggleTodos),
            KeyCode::Char('m') => Some(Action::ToggleMcp),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            code => movement(code),
        };
    }
    match key.code {
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Esc if !app.filter.is_empty() => Some(Action::FilterClear),
        KeyCode::Enter => Some(Action::OpenDetail),
        KeyCode::Char('r') => Some(Action::Refresh),
        KeyCode::Char('>') | KeyCode::Char('.') => Some(Action::SortNext),
        KeyCode::Char('<') | KeyCode::Char(',') => Some(Action::SortPrev),
        KeyCode::Char('s') => Some(Action::SortFlip),
        KeyCode::Char('/') => Some(Action::FilterStart),
        KeyCode::Char('y') => Some(Action::CopyId),
        KeyCode::Char('a') => Some(Action::ToggleAll),
        KeyCode::Char('p') => Some(Action::ToggleProcs),
        KeyCode::Char('t') => Some(Action::ToggleTodos),
        KeyCode::Char('m') => Some(Action::ToggleMcp),
        KeyCode::Char('?') | KeyCode::F(1) => Some(Action::ToggleHelp),
        KeyCode::Char('o') | KeyCode::Tab => Some(Action::Jump),
        code => movement(code),
    }
}

/// Every key, for the help overlay: (keys, what they do).
pub const KEYS: &[(&str, &str)] = &[
    ("q  ctrl-c", "quit (q: back, in the detail view)"),
    ("enter", "detail view of the selected session"),
    ("tab", "detail view: switch pane / history"),
    ("o  tab", "jump to the session's tmux pane"),
    ("j k  ↓ ↑", "move (scroll in the detail view)"),
    ("PgDn PgUp", "move a page"),
    ("g  G", "first / last"),
    ("> <", "next / previous sort column"),
    ("s", "flip sort direction"),
    ("/", "filter: title, model, id, status, cwd, tty, tmux"),
    ("esc", "clear the filter / go back"),
    ("y", "copy the session id"),
    ("a", "show non-interactive sessions (run, subagents)"),
    ("p", "show background processes (LSP, MCP, tools)"),
    ("t", "todo panel of the selected session"),
    ("m", "MCP servers (global and project config)"),
    ("r", "refresh now"),
    ("?", "this help"),
    ("mouse", "click selects, wheel scrolls"),
];
