//! Done but unseen: a session that finished a turn or errored since its pane was last in front
//! of you keeps a mark until you look (its pane becomes the active pane of an attached client),
//! you jump to it from otop, or it starts a new turn. The marks are kept in a file
//! (`source::unseen`), set and cleared by the process that sends notifications
//! (`model::transition` says when); every view reads them through the collector.

use crate::model::row::Row;
use crate::model::state::State;
pub use crate::source::unseen::types::Marks;

/// The mark of a done, unseen session (`✓2` in the status line, the picker's rows).
pub const SYMBOL: &str = "✓";

/// Sets `unseen` on the rows `marks` name, where the mark still means something: an idle or
/// errored session (a working one has started a new turn; its mark is about to be cleared).
pub fn mark_rows(rows: &mut [Row], marks: &Marks) {
    for r in rows {
        let marked = r.session_id().is_some_and(|id| marks.contains_key(id));
        r.unseen = marked && matches!(r.status.state, State::Idle | State::Error);
    }
}
