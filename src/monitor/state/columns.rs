//! The monitor's columns (the one [`Column`] type of the configuration file): their labels, the
//! configured order, and how each sorts.

pub use crate::config::Column;

impl Column {
    /// The header's two lines: the top field's label, the bottom field's. The top one names the
    /// sort.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Column::Title => ("TITLE", "LAST"),
            Column::Status => ("STATUS", "MSGS"),
            Column::Waited => ("WAITED", "LONGEST"),
            Column::Session => ("SID", "PID"),
            Column::Uptime => ("UP", "ROUND"),
            Column::Cpu => ("CPU", "MEM"),
            Column::Context => ("CTX", "OUT"),
            Column::Cost => ("COST", ""),
            Column::Model => ("MODEL", "TTY"),
            Column::Tmux => ("TMUX", "WINDOW"),
            Column::Host => ("HOST", ""),
        }
    }

    /// What sorting by this column sorts by: its own top field, except HOST, which sorts as
    /// TMUX does (by machine first).
    pub fn sorts_as(self) -> Column {
        match self {
            Column::Host => Column::Tmux,
            c => c,
        }
    }

    /// A column of numbers: drawn right-aligned, sorted largest first by default (text and
    /// status, most urgent first, ascending).
    pub fn numeric(self) -> bool {
        matches!(
            self,
            Column::Waited | Column::Uptime | Column::Cpu | Column::Context | Column::Cost
        )
    }

    /// The next (`step` = 1) or previous (`step` = -1) column to sort by, wrapping around.
    pub fn cycle(self, step: isize) -> Column {
        let n = Self::ALL.len() as isize;
        let i = Self::ALL
            .iter()
            .position(|k| *k == self.sorts_as())
            .unwrap_or(0) as isize;
        Self::ALL[(i + step).rem_euclid(n) as usize]
    }

    /// Every column but TITLE, in the default order.
    pub fn default_after_title() -> Vec<Column> {
        Column::ALL[1..].to_vec()
    }
}
