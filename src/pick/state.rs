//! The picker's state and key handling: pure, tested without a terminal.

use crossterm::event::{KeyCode, KeyEvent};

use super::keymap::Keymap;
use crate::config::keys::KeySpec;
use crate::interact::answer::{self, AnswerKey, Pressed, Typing};
use crate::interact::filter::Filter;
use crate::model::request::Order;
use crate::model::row::Row;

/// Navigating (j/k move), typing a filter (every printable key goes to the query), or typing
/// an answer to the selected session's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Navigate,
    Filter,
    Answer,
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
    /// Hosts are configured: every row names its machine (`local` for this one).
    pub hosts: bool,
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
            hosts: false,
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
        if self.mode == Mode::Answer {
            return self.typing_answer(action);
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

    /// While an answer is typed: characters type, enter sends it, esc drops it.
    fn typing_answer(&mut self, action: Action) -> Outcome {
        match action {
            Action::Type(c) => {
                if let Some(a) = &mut self.answering {
                    a.text.push(c);
                }
            }
            Action::Backspace => {
                if let Some(a) = &mut self.answering {
                    a.text.pop();
                }
            }
            Action::Accept => {
                self.mode = Mode::Navigate;
                if let Some(typing) = self.answering.take() {
                    return self.pressed(typing.finish());
                }
            }
            Action::Escape => {
                self.mode = Mode::Navigate;
                self.answering = None;
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
