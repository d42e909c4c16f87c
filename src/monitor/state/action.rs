//! Every user intent as an [`Action`], and the mapping from keys (through the app's
//! [`Keymap`](super::keymap::Keymap)) and mouse events to actions. The mapping depends on what
//! is on screen (list, detail, a panel, the filter prompt), so it reads the [`App`] but never
//! changes it.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};

use crate::config::keys::KeySpec;
use crate::interact::answer::AnswerKey;
use crate::interact::drive::DriveKey;
use crate::monitor::state::App;
use crate::monitor::state::keymap::Place;

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
    /// Open the fleet view (every session's day on one time axis), or leave it.
    ToggleFleet,
    /// Switch the tmux client to the selected session's pane.
    Jump,
    /// Answer the session's permission or question (a typed answer opens its prompt).
    Answer(AnswerKey),
    AnswerInput(char),
    AnswerBackspace,
    /// Send the typed answer.
    AnswerDone,
    /// Drop the typed answer.
    AnswerCancel,
    /// Drive the session: a message opens its prompt (the answer's keys), an interrupt or an
    /// end its y/n line.
    Drive(DriveKey),
    /// The y/n line: do it, or drop it.
    ConfirmYes,
    ConfirmNo,
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

/// The action bound to `key` where it is pressed ([`Place`]); in the filter prompt, an unbound
/// character types.
pub fn from_key(app: &App, key: KeyEvent) -> Option<Action> {
    let spec = KeySpec::from_event(key);
    let place = Place::of(app);
    match app.keymap.action(place, spec) {
        // With no filter in the list there is nothing for its key to clear.
        Some(Action::FilterClear) if place == Place::List && app.filter.is_empty() => None,
        None if place == Place::Filter => match key.code {
            KeyCode::Char(c) if !spec.ctrl => Some(Action::FilterInput(c)),
            _ => None,
        },
        None if place == Place::Answer => match key.code {
            KeyCode::Char(c) if !spec.ctrl => Some(Action::AnswerInput(c)),
            _ => None,
        },
        action => action,
    }
}

impl Action {
    /// What the help says an action does; `None` for those no key is bound to.
    pub fn describe(&self) -> Option<&'static str> {
        Some(match self {
            Action::Quit => "quit",
            Action::OpenDetail => "detail view of the selected session",
            Action::CloseDetail => "detail view: back to the list",
            Action::DetailTab => "detail view: switch pane / history",
            Action::ToggleFleet => "fleet view (every session's day) / back",
            Action::Jump => "jump to the session's tmux pane",
            Action::Answer(k) => k.describe(),
            Action::AnswerDone => "answer or message: send it",
            Action::AnswerCancel => "answer or message: drop it",
            Action::AnswerBackspace => "answer: delete the last character",
            Action::Drive(k) => k.describe(),
            Action::ConfirmYes => "y/n line: do it",
            Action::ConfirmNo => "y/n line: drop it",
            Action::FilterStart => "filter: title, model, id, status, cwd, tty, tmux",
            Action::FilterClear => "clear the filter",
            Action::FilterDone => "filter: keep it, stop typing",
            Action::FilterBackspace => "filter: delete the last character",
            Action::SortNext => "next sort column",
            Action::SortPrev => "previous sort column",
            Action::SortFlip => "flip sort direction",
            Action::ToggleAll => "show non-interactive sessions (run, subagents)",
            Action::ToggleProcs => "show background processes (LSP, MCP, tools)",
            Action::ToggleTodos => "todo panel of the selected session",
            Action::ToggleMcp => "MCP servers (global and project config)",
            Action::CopyId => "copy the session id",
            Action::Refresh => "refresh now",
            Action::ToggleHelp => "this help",
            Action::ClosePanel => "close the panel",
            Action::Up => "up (scrolls in the detail view)",
            Action::Down => "down (scrolls in the detail view)",
            Action::PageUp => "a page up",
            Action::PageDown => "a page down",
            Action::Top => "first row / top",
            Action::Bottom => "last row / bottom",
            Action::FilterInput(_)
            | Action::AnswerInput(_)
            | Action::Click { .. }
            | Action::ScrollUp
            | Action::ScrollDown
            | Action::Resize(..) => return None,
        })
    }
}
