//! The monitor's state and the one place it changes: [`App::apply`]. Side effects (quitting,
//! collecting, the clipboard, tmux, reading MCP config) are returned as [`Effect`]s for the
//! runner to perform, so every key can be tested without a terminal.

use ratatui::layout::Rect;

use crate::collect::Snapshot;
use crate::interact::answer::Typing;
use crate::interact::drive::{Confirm, Message};
use crate::model::facts::McpPanel;
use crate::model::request::Order;
use crate::model::row::Row;
use crate::monitor::layout;
use crate::monitor::state::action::Action;
use crate::monitor::state::columns::Column;
use crate::monitor::state::keymap::Keymap;
use crate::monitor::state::list::{self, RowKey, Shown, Visibility};
use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Detail,
    /// Every session's day, one strip each.
    Fleet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Help,
    Todos,
    Mcp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailTab {
    Pane,
    History,
}

/// Work the runner does on the app's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    Refresh,
    Copy(String),
    /// Take the client to this row's pane (where a jump can reach it).
    Jump(Box<Row>),
    /// Read MCP config: the global one and the project's at this directory.
    LoadMcp(Option<String>),
    /// Give this answer (through the source, which reads the world again first).
    Answer(Box<Order>),
    /// Drive a session (through [`crate::drive::act`], which reads the world again first).
    Drive(Box<crate::drive::Order>),
}

/// A one-line note on the footer (copy result, jump failure, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub error: bool,
    /// Unix ms it was posted; it fades after a few seconds.
    pub at: i64,
}

const NOTE_MS: i64 = 5_000;
const REFRESHING: &str = "refreshing…";

#[derive(Debug, Clone)]
pub struct App {
    pub snapshot: Snapshot,
    /// False until the first snapshot arrives.
    pub loaded: bool,
    /// Wall clock, Unix ms; injected so tests are stable.
    pub now: i64,
    /// Local time zone offset for the clock.
    pub utc_offset_secs: i32,
    pub theme: Theme,
    pub view: View,
    pub panel: Option<Panel>,
    pub tab: DetailTab,
    pub sort: Column,
    pub descending: bool,
    /// The list's columns after TITLE (`monitor.columns`).
    pub columns: Vec<Column>,
    pub vis: Visibility,
    pub filter: String,
    pub editing_filter: bool,
    /// Rows on screen, in order (recomputed on every change of data, filter or sort).
    pub shown: Vec<Shown>,
    pub selected: usize,
    selected_key: Option<RowKey>,
    /// First shown row at the top of the list.
    pub offset: usize,
    /// The row the detail view is about; kept even if the row vanishes.
    pub detail_key: Option<RowKey>,
    /// The view the detail view goes back to (the list or the fleet view).
    pub detail_from: View,
    /// Scroll of the detail body or of an open panel.
    pub scroll: usize,
    /// Lines of the detail body, counted when what it shows may change (not on every key).
    pub(super) detail_len: usize,
    pub size: Rect,
    pub note: Option<Note>,
    pub mcp: Option<McpPanel>,
    /// Which key does what where (`[monitor.keys]` in the configuration file).
    pub keymap: Keymap,
    /// A typed answer being written.
    pub answering: Option<Typing>,
    /// A message being written for a session.
    pub messaging: Option<Message>,
    /// An interrupt or an end waiting for its y/n.
    pub confirming: Option<Confirm>,
    /// `[drive] end_grace`: how long an end waits before SIGKILL.
    pub end_grace: std::time::Duration,
}

impl App {
    pub fn new(now: i64, theme: Theme) -> Self {
        App {
            snapshot: Snapshot::default(),
            loaded: false,
            now,
            utc_offset_secs: 0,
            theme,
            view: View::List,
            panel: None,
            tab: DetailTab::Pane,
            sort: Column::Status,
            descending: false,
            columns: Column::default_after_title(),
            vis: Visibility::default(),
            filter: String::new(),
            editing_filter: false,
            shown: Vec::new(),
            selected: 0,
            selected_key: None,
            offset: 0,
            detail_key: None,
            detail_from: View::List,
            scroll: 0,
            detail_len: 0,
            size: Rect::new(0, 0, 80, 24),
            note: None,
            mcp: None,
            keymap: Keymap::default(),
            answering: None,
            messaging: None,
            confirming: None,
            end_grace: crate::config::drive::Drive::default().end_grace(),
        }
    }

    /// Takes a fresh snapshot; the selection stays on the same session (or process).
    pub fn ingest(&mut self, snapshot: Snapshot) {
        self.snapshot = snapshot;
        self.loaded = true;
        // The refresh it asked for has arrived.
        if self.note.as_ref().is_some_and(|n| n.text == REFRESHING) {
            self.note = None;
        }
        self.rearrange();
        self.count_detail();
    }

    pub fn selected_row(&self) -> Option<&Row> {
        let shown = self.shown.get(self.selected)?;
        self.snapshot.rows.get(shown.index)
    }

    pub fn post(&mut self, text: impl Into<String>, error: bool) {
        self.note = Some(Note {
            text: text.into(),
            error,
            at: self.now,
        });
    }

    /// The note to show now, if it has not faded.
    pub fn live_note(&self) -> Option<&Note> {
        self.note.as_ref().filter(|n| self.now - n.at < NOTE_MS)
    }

    pub fn set_mcp(&mut self, panel: McpPanel) {
        self.mcp = Some(panel);
    }

    /// What PgUp/PgDn move by: a page of list rows, or of detail/panel lines.
    fn page(&self) -> usize {
        match (self.view, self.panel) {
            (View::List, None) => layout::rows_per_page(self.list_rows()),
            (View::Fleet, None) => {
                let problems = layout::has_problems(&self.snapshot);
                usize::from(layout::fleet(self.size, problems).rows.height).max(1)
            }
            _ => usize::from(layout::detail_body(self.size).height).max(1),
        }
    }

    fn rearrange(&mut self) {
        let today = self.today();
        self.shown = list::arrange(
            &self.snapshot.rows,
            self.vis,
            &self.filter,
            (self.sort, self.descending),
            &today,
        );
        let found = self.selected_key.as_ref().and_then(|key| {
            self.shown
                .iter()
                .position(|s| list::row_key(&self.snapshot.rows[s.index]).as_ref() == Some(key))
        });
        // A vanished row leaves the selection where it was, on its neighbour.
        self.select(found.unwrap_or(self.selected));
    }

    fn select(&mut self, i: usize) {
        self.selected = i.min(self.shown.len().saturating_sub(1));
        self.selected_key = self.selected_row().and_then(list::row_key);
        let page = self.page();
        self.offset = layout::clamp_offset(self.offset, self.selected, page, self.shown.len());
    }

    fn move_by(&mut self, delta: isize) {
        match (self.view, self.panel) {
            (View::List | View::Fleet, None) => {
                let i = self.selected.saturating_add_signed(delta);
                self.select(i);
            }
            _ => {
                let max = if self.panel.is_none() {
                    self.detail_len.saturating_sub(1)
                } else {
                    usize::MAX / 2
                };
                self.scroll = self.scroll.saturating_add_signed(delta).min(max);
            }
        }
    }

    fn toggle_panel(&mut self, panel: Panel) {
        self.panel = if self.panel == Some(panel) {
            None
        } else {
            Some(panel)
        };
        self.scroll = 0;
    }

    /// The row the view is about: the detail view's, else the selected one.
    pub fn the_row(&self) -> Option<&Row> {
        match self.view {
            View::Detail => self.detail_row(),
            View::List | View::Fleet => self.selected_row(),
        }
    }

    /// Applies one action; returns what the runner must do, if anything.
    pub fn apply(&mut self, action: Action) -> Option<Effect> {
        let page = self.page() as isize;
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Refresh => {
                self.post(REFRESHING, false);
                return Some(Effect::Refresh);
            }
            Action::Up | Action::ScrollUp => self.move_by(-1),
            Action::Down | Action::ScrollDown => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::SortNext | Action::SortPrev => {
                let step = if action == Action::SortNext { 1 } else { -1 };
                self.sort = self.sort.cycle(step);
                self.descending = self.sort.numeric();
                self.rearrange();
            }
            Action::SortFlip => {
                self.descending = !self.descending;
                self.rearrange();
            }
            Action::FilterStart => self.editing_filter = true,
            Action::FilterInput(c) => {
                self.filter.push(c);
                self.rearrange();
            }
            Action::FilterBackspace => {
                self.filter.pop();
                self.rearrange();
            }
            Action::FilterDone => self.editing_filter = false,
            Action::FilterClear => {
                self.editing_filter = false;
                self.filter.clear();
                self.rearrange();
            }
            Action::ToggleAll => {
                self.vis.all = !self.vis.all;
                self.rearrange();
            }
            Action::ToggleProcs => {
                self.vis.procs = !self.vis.procs;
                self.rearrange();
            }
            Action::ToggleHelp => self.toggle_panel(Panel::Help),
            Action::ToggleTodos => self.toggle_panel(Panel::Todos),
            Action::ToggleMcp => {
                self.toggle_panel(Panel::Mcp);
                if self.panel == Some(Panel::Mcp) {
                    let dir = self.the_row().and_then(|r| r.cwd()).map(str::to_string);
                    return Some(Effect::LoadMcp(dir));
                }
            }
            Action::ClosePanel => {
                self.panel = None;
                self.scroll = 0;
            }
            Action::OpenDetail => {
                if let Some(row) = self.selected_row() {
                    self.detail_key = list::row_key(row);
                    self.detail_from = self.view;
                    self.view = View::Detail;
                    self.tab = DetailTab::Pane;
                    self.scroll = 0;
                    self.count_detail();
                    // The focus changed: fetch history and pane now.
                    return Some(Effect::Refresh);
                }
            }
            Action::CloseDetail => {
                self.view = self.detail_from;
                self.scroll = 0;
                self.count_detail();
                self.select(self.selected);
            }
            Action::ToggleFleet => {
                self.view = match self.view {
                    View::Fleet => View::List,
                    _ => View::Fleet,
                };
                self.scroll = 0;
                // Pages of the list and of the fleet view differ.
                self.select(self.selected);
            }
            Action::DetailTab => {
                self.tab = match self.tab {
                    DetailTab::Pane => DetailTab::History,
                    DetailTab::History => DetailTab::Pane,
                };
                self.scroll = 0;
                self.count_detail();
            }
            Action::CopyId => match self.the_row().and_then(|r| r.session_id()) {
                Some(id) => return Some(Effect::Copy(id.to_string())),
                None => self.post("this row has no session id", true),
            },
            Action::Jump => match self.the_row() {
                Some(r) if r.tmux.is_some() => return Some(Effect::Jump(Box::new(r.clone()))),
                Some(_) => self.post("this session is not in a tmux pane", true),
                None => {}
            },
            Action::Answer(_)
            | Action::AnswerInput(_)
            | Action::AnswerBackspace
            | Action::AnswerDone
            | Action::AnswerCancel => return self.answer(action),
            Action::Drive(_) | Action::ConfirmYes | Action::ConfirmNo => return self.drive(action),
            Action::Click { column, row } => self.click(column, row),
            Action::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                self.select(self.selected);
                self.count_detail();
            }
        }
        None
    }

    fn list_rows(&self) -> Rect {
        layout::list(self.size, layout::has_problems(&self.snapshot)).rows
    }

    fn click(&mut self, column: u16, row: u16) {
        if self.panel.is_some() {
            return;
        }
        // Two lines a row in the list, one in the fleet view.
        let (area, lines) = match self.view {
            View::List => (self.list_rows(), 2),
            View::Fleet => {
                let problems = layout::has_problems(&self.snapshot);
                (layout::fleet(self.size, problems).rows, 1)
            }
            View::Detail => return,
        };
        if row >= area.y && row < area.bottom() && column < area.right() {
            let i = self.offset + usize::from((row - area.y) / lines);
            if i < self.shown.len() {
                self.select(i);
            }
        }
    }
}
