//! The picker's state and key handling: pure, tested without a terminal.

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::keymap::Keymap;
use crate::config::keys::KeySpec;
use crate::model::request::Answer;
use crate::model::row::Row;
use crate::model::sanitize::clean;

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
    /// Answer the selected session's permission.
    AllowOnce,
    AllowAlways,
    Reject,
    /// Its question's n-th option (from 1; 0 before the keymap numbers them).
    Choose(usize),
    /// Start typing an answer to its question (enter sends it, esc drops it).
    AnswerStart,
    Ignore,
}

/// What the picker should do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Cancel,
    /// Jump to this row (index into the rows given to [`Picker::new`]).
    Pick(usize),
    /// Answer this row's request.
    Answer(usize, Answer),
}

pub struct Picker {
    rows: Vec<Row>,
    haystacks: Vec<String>,
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
    pub answer: String,
    /// Hosts are configured: every row names its machine (`local` for this one).
    pub hosts: bool,
    matcher: Matcher,
}

impl Picker {
    /// `rows` must already be in display order (most urgent first).
    pub fn new(rows: Vec<Row>) -> Picker {
        let haystacks = rows.iter().map(haystack).collect();
        let mut p = Picker {
            visible: (0..rows.len()).collect(),
            rows,
            haystacks,
            query: String::new(),
            mode: Mode::Navigate,
            selected: 0,
            message: None,
            keymap: Keymap::default(),
            answer: String::new(),
            hosts: false,
            matcher: Matcher::new(Config::DEFAULT),
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
        if let Some(action) = self.keymap.action(spec, self.mode) {
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
        self.haystacks = rows.iter().map(haystack).collect();
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
        let answer = match action {
            Action::AllowOnce => Some(Answer::Once),
            Action::AllowAlways => Some(Answer::Always),
            Action::Reject => Some(Answer::Reject),
            Action::Choose(n) => Some(Answer::Option(n)),
            Action::AnswerStart => Some(Answer::Text(String::new())),
            _ => None,
        };
        if let Some(answer) = answer {
            return self.answer_with(answer);
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

    /// An answer key: refused with a message unless the selected row's request takes it; a
    /// typed answer opens its prompt first.
    fn answer_with(&mut self, answer: Answer) -> Outcome {
        let Some(&i) = self.visible.get(self.selected) else {
            return Outcome::Continue;
        };
        let Some(request) = self.rows[i].status.request.as_deref() else {
            self.message = Some("this session waits for no answer".into());
            return Outcome::Continue;
        };
        let check = match &answer {
            Answer::Text(t) if t.is_empty() => request.check(&Answer::Text("x".into())),
            a => request.check(a),
        };
        match check {
            Err(why) => self.message = Some(why),
            Ok(()) if answer == Answer::Text(String::new()) => {
                self.mode = Mode::Answer;
                self.answer.clear();
            }
            Ok(()) => return Outcome::Answer(i, answer),
        }
        Outcome::Continue
    }

    /// While an answer is typed: characters type, enter sends it, esc drops it.
    fn typing_answer(&mut self, action: Action) -> Outcome {
        match action {
            Action::Type(c) => self.answer.push(c),
            Action::Backspace => {
                self.answer.pop();
            }
            Action::Accept => {
                self.mode = Mode::Navigate;
                let text = std::mem::take(&mut self.answer);
                return self.answer_with(Answer::Text(text));
            }
            Action::Escape => {
                self.mode = Mode::Navigate;
                self.answer.clear();
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
            let pattern = Pattern::parse(&self.query, CaseMatching::Smart, Normalization::Smart);
            let mut buf = Vec::new();
            let mut scored: Vec<(u32, usize)> = self
                .haystacks
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    pattern
                        .score(Utf32Str::new(h, &mut buf), &mut self.matcher)
                        .map(|s| (s, i))
                })
                .collect();
            // Best score first; ties keep urgency order.
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.visible = scored.into_iter().map(|(_, i)| i).collect();
        }
        self.selected = selected_row
            .and_then(|r| self.visible.iter().position(|&i| i == r))
            .unwrap_or(0);
    }
}

/// Text the fuzzy filter matches against: title, status, tmux location, id, project name.
/// Only the directory's last component: whole paths make fuzzy matches noisy.
fn haystack(r: &Row) -> String {
    let s = r.session.as_ref();
    let parts = [
        s.and_then(|s| s.title.clone()),
        Some(r.status.detail.clone()),
        r.tmux.as_ref().map(|t| t.short()),
        s.map(|s| s.id.clone()),
        // Typing a host's name finds its sessions.
        r.host.clone(),
        s.and_then(|s| s.directory.as_deref())
            .and_then(|d| d.rsplit('/').find(|c| !c.is_empty()))
            .map(str::to_string),
    ];
    clean(&parts.into_iter().flatten().collect::<Vec<_>>().join(" ")).into_owned()
}

#[cfg(test)]
mod tests;
