//! The picker's state and key handling: pure, tested without a terminal.

use crossterm::event::{KeyCode, KeyEvent};

use super::keymap::Keymap;
use crate::config::keys::KeySpec;
use crate::interact::answer::{self, AnswerKey, Pressed, Typing};
use crate::interact::drive::{self, Confirm, DriveKey, Message};
use crate::interact::filter::Filter;
use crate::model::request::Order;
use crate::model::row::Row;

/// Navigating (j/k move), typing a filter (every printable key goes to the query), or typing
/// an answer to the selected session's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Navigate,
    Filter,
    /// Typing an answer or a message.
    Answer,
    /// The y/n line before interrupting or ending: its `yes` key acts, any other drops it.
    Confirm,
}

/// What a key means to the picker (`[picker.keys]` names them in the configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Type(char),
    Backspace,
    /// `/`: start typing a filter.
    StartFilter,
    /// `esc`: clear the filter, or cancel when there is none.
    Escape,
    Accept,
    Cancel,
    /// Answer the selected session's permission or question (a typed answer opens its
    /// prompt: enter sends it, esc drops it).
    Answer(AnswerKey),
    /// Drive the selected session: a message opens its prompt, an interrupt or an end the y/n
    /// line.
    Drive(DriveKey),
    /// The y/n line: do it.
    Yes,
    Ignore,
}

/// What the picker should do after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Continue,
    Cancel,
    /// Jump to this row (index into the rows given to [`Picker::new`]).
    Pick(usize),
    /// Give this answer.
    Answer(Box<Order>),
    /// Drive the session.
    Drive(Box<crate::drive::Order>),
}

pub struct Picker {
    rows: Vec<Row>,
    pub query: String,
    pub mode: Mode,
    /// Indices of matching rows, best first.
    visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// A line shown under the list (why a jump could not happen, …).
    pub message: Option<String>,
    /// Which key does what (`[picker]` in the configuration file).
    pub keymap: Keymap,
    /// The answer being typed ([`Mode::Answer`]).
    pub answering: Option<Typing>,
    /// The message being typed ([`Mode::Answer`]).
    pub messaging: Option<Message>,
    /// The act waiting for its y/n ([`Mode::Confirm`]).
    pub confirming: Option<Confirm>,
    /// Hosts are configured: every row names its machine (`local` for this one).
    pub hosts: bool,
    /// `[drive] end_grace`: how long an end waits before SIGKILL.
    pub end_grace: std::time::Duration,
}

impl Picker {
    /// `rows` must already be in display order (most urgent first).
    pub fn new(rows: Vec<Row>) -> Picker {
        let mut p = Picker {
            visible: (0..rows.len()).collect(),
            rows,
            query: String::new(),
            mode: Mode::Navigate,
            selected: 0,
            message: None,
            keymap: Keymap::default(),
            answering: None,
            messaging: None,
            confirming: None,
            hosts: false,
            end_grace: crate::config::drive::Drive::default().end_grace(),
        };
        p.refilter();
        p
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Matching rows in display order.
    pub fn visible(&self) -> impl Iterator<Item = &Row> {
        self.visible.iter().map(|&i| &self.rows[i])
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The key's action: a bound key's, else a printable character types into the filter.
    pub fn key_to_action(&self, key: KeyEvent) -> Action {
        let spec = KeySpec::from_event(key);
        if let Some(action) = self.keymap.action(self.mode, spec) {
            return action;
        }
        match key.code {
            KeyCode::Char(c) if spec.is_plain_char() => Action::Type(c),
            _ => Action::Ignore,
        }
    }

    /// The row under the selection.
    pub fn selected_row(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// New rows from a refresh; the selection stays on the same session.
    pub fn replace_rows(&mut self, rows: Vec<Row>) {
        let keep = self
            .selected_row()
            .and_then(|r| r.session_id().map(str::to_string));
        self.rows = rows;
        self.visible = (0..self.rows.len()).collect();
        self.selected = 0;
        self.refilter();
        if let Some(at) = keep.and_then(|id| {
            self.visible()
                .position(|r| r.session_id() == Some(id.as_str()))
        }) {
            self.selected = at;
        }
    }

    pub fn apply(&mut self, action: Action) -> Outcome {
        self.message = None;
        if self.mode == Mode::Confirm {
            self.mode = Mode::Navigate;
            let c = self.confirming.take();
            return match (action, c) {
                (Action::Yes, Some(c)) => Outcome::Drive(Box::new(c.order)),
                _ => Outcome::Continue,
            };
        }
        if self.mode == Mode::Answer {
            return self.typing(action);
        }
        if let Action::Drive(key) = action {
            let Some(row) = self.selected_row() else {
                return Outcome::Continue;
            };
            let pressed = drive::press(row, key, self.end_grace);
            return self.driven(pressed);
        }
        if let Action::Answer(key) = action {
            let Some(row) = self.selected_row() else {
                return Outcome::Continue;
            };
            let pressed = answer::press(row, key);
            return self.pressed(pressed);
        }
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down if self.selected + 1 < self.visible.len() => self.selected += 1,
            Action::StartFilter => self.mode = Mode::Filter,
            Action::Type(c) => {
                self.mode = Mode::Filter;
                self.query.push(c);
                self.refilter();
            }
            Action::Backspace => {
                self.query.pop();
                self.refilter();
            }
            Action::Escape if self.mode == Mode::Filter || !self.query.is_empty() => {
                self.query.clear();
                self.mode = Mode::Navigate;
                self.refilter();
            }
            Action::Escape | Action::Cancel => return Outcome::Cancel,
            Action::Accept => {
                // With a single match, enter takes it whatever the selection.
                let pick = if self.visible.len() == 1 {
                    self.visible.first()
                } else {
                    self.visible.get(self.selected)
                };
                if let Some(&i) = pick {
                    return Outcome::Pick(i);
                }
                self.message = Some("no session matches".into());
            }
            _ => {}
        }
        Outcome::Continue
    }

    /// What an answer key or a finished typed answer came to.
    fn pressed(&mut self, pressed: Pressed) -> Outcome {
        match pressed {
            Pressed::Send(order) => return Outcome::Answer(Box::new(order)),
            Pressed::Typing(typing) => {
                self.mode = Mode::Answer;
                self.answering = Some(typing);
            }
            Pressed::Refused(why) => self.message = Some(why),
        }
        Outcome::Continue
    }

    /// What a drive key or a finished message came to.
    fn driven(&mut self, pressed: drive::Pressed) -> Outcome {
        match pressed {
            drive::Pressed::Act(order) => return Outcome::Drive(Box::new(order)),
            drive::Pressed::Message(m) => {
                self.mode = Mode::Answer;
                self.messaging = Some(m);
            }
            drive::Pressed::Confirm(c) => {
                self.mode = Mode::Confirm;
                self.confirming = Some(c);
            }
            drive::Pressed::Refused(why) => self.message = Some(why),
        }
        Outcome::Continue
    }

    /// While an answer or a message is typed: characters type, enter sends it, esc drops it.
    fn typing(&mut self, action: Action) -> Outcome {
        let text = match (&mut self.answering, &mut self.messaging) {
            (Some(a), _) => Some(&mut a.text),
            (None, Some(m)) => Some(&mut m.text),
            (None, None) => None,
        };
        match action {
            Action::Type(c) => text.into_iter().for_each(|t| t.push(c)),
            Action::Backspace => {
                text.and_then(String::pop);
            }
            Action::Accept => {
                self.mode = Mode::Navigate;
                if let Some(typing) = self.answering.take() {
                    return self.pressed(typing.finish());
                }
                if let Some(m) = self.messaging.take() {
                    return self.driven(m.finish());
                }
            }
            Action::Escape => {
                self.mode = Mode::Navigate;
                self.answering = None;
                self.messaging = None;
            }
            Action::Cancel => return Outcome::Cancel,
            _ => {}
        }
        Outcome::Continue
    }

    fn refilter(&mut self) {
        let selected_row = self.visible.get(self.selected).copied();
        if self.query.is_empty() {
            self.visible = (0..self.rows.len()).collect();
        } else {
            self.visible = Filter::new(&self.query).rank(&self.rows);
        }
        self.selected = selected_row
            .and_then(|r| self.visible.iter().position(|&i| i == r))
            .unwrap_or(0);
    }
}

#[cfg(test)]
mod tests;
