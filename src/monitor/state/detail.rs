//! The detail view's side of the [`App`]: the row it shows, what its body shows and how many
//! lines that is (for scrolling), and what the collector should look at closely.

use ratatui::text::Line;

use crate::collect::Focus;
use crate::model::row::Row;
use crate::monitor::detail_body::{self, Body};
use crate::monitor::state::list::{self, RowKey};
use crate::monitor::state::{App, DetailTab, View};

impl App {
    /// The row the detail view shows, found again by key in each snapshot.
    pub fn detail_row(&self) -> Option<&Row> {
        let key = self.detail_key.as_ref()?;
        self.snapshot
            .rows
            .iter()
            .find(|r| list::row_key(r).as_ref() == Some(key))
    }

    /// What the detail body shows: the pane or the history of the detail row, once the
    /// collector has sent them for it.
    pub fn detail_body(&self) -> Body<'_> {
        let Some(row) = self.detail_row() else {
            return Body::Nothing;
        };
        let detail = self.snapshot.detail.as_ref();
        let detail = detail.filter(|d| d.session_id.as_deref() == row.session_id());
        if let Some(host) = &row.host {
            return Body::Elsewhere(host);
        }
        match self.tab {
            DetailTab::Pane if row.tmux.is_none() => Body::NotInTmux,
            DetailTab::Pane => match detail.and_then(|d| d.pane_text.as_deref()) {
                Some(raw) => Body::Pane(raw),
                None => Body::Capturing,
            },
            DetailTab::History => match detail {
                Some(d) => Body::History(&d.history),
                None if row.session.is_none() => Body::NoSession,
                None => Body::Reading,
            },
        }
    }

    pub fn detail_lines(&self, width: u16) -> Vec<Line<'static>> {
        let (theme, offset) = (&self.theme, self.utc_offset_secs);
        detail_body::lines(self.detail_body(), theme, offset, width)
    }

    /// How many lines the detail body has (the last one is as far as it scrolls).
    pub fn detail_len(&self) -> usize {
        self.detail_len
    }

    /// Counts the detail body's lines again: after a snapshot, a resize, or a change of row or
    /// tab, the only things it depends on.
    pub(super) fn count_detail(&mut self) {
        self.detail_len = match self.view {
            View::Detail => self.detail_lines(self.size.width).len(),
            View::List | View::Fleet => 0,
        };
    }

    /// What the collector should look at closely: the detail view's session and pane.
    pub fn focus(&self) -> Focus {
        if self.view != View::Detail {
            return Focus::default();
        }
        // Another machine's session has nothing to read here.
        if self.detail_row().is_some_and(|r| r.host.is_some()) {
            return Focus::default();
        }
        let session_id = match &self.detail_key {
            Some(RowKey::Session(id)) => Some(id.clone()),
            _ => None,
        };
        Focus {
            session_id,
            pane: self.detail_row().and_then(|r| r.tmux.clone()),
        }
    }
}
