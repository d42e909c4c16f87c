//! The monitor's columns: which exist, the sort key each stands for, the configured order.

use crate::config::ColumnName;
use crate::monitor::state::list::SortKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Title,
    Status,
    Session,
    Time,
    Cpu,
    Tokens,
    Cost,
    Model,
    Tmux,
    /// The machine: shown right after TITLE whenever hosts are read, never configured.
    Host,
}

impl Column {
    /// Left to right; dropped from the right when the terminal is narrow.
    pub const ALL: [Column; 9] = [
        Column::Title,
        Column::Status,
        Column::Session,
        Column::Time,
        Column::Cpu,
        Column::Tokens,
        Column::Cost,
        Column::Model,
        Column::Tmux,
    ];

    pub fn sort_key(self) -> SortKey {
        match self {
            Column::Title => SortKey::Title,
            Column::Status => SortKey::Status,
            Column::Session => SortKey::Session,
            Column::Time => SortKey::Uptime,
            Column::Cpu => SortKey::Cpu,
            Column::Tokens => SortKey::Context,
            Column::Cost => SortKey::Cost,
            Column::Model => SortKey::Model,
            // Sorting by location sorts by machine first.
            Column::Tmux | Column::Host => SortKey::Tmux,
        }
    }

    /// Every column but TITLE, in the default order.
    pub fn default_after_title() -> Vec<Column> {
        Column::ALL[1..].to_vec()
    }
}

impl From<ColumnName> for Column {
    fn from(c: ColumnName) -> Column {
        match c {
            ColumnName::Title => Column::Title,
            ColumnName::Status => Column::Status,
            ColumnName::Session => Column::Session,
            ColumnName::Uptime => Column::Time,
            ColumnName::Cpu => Column::Cpu,
            ColumnName::Context => Column::Tokens,
            ColumnName::Cost => Column::Cost,
            ColumnName::Model => Column::Model,
            ColumnName::Tmux => Column::Tmux,
        }
    }
}
