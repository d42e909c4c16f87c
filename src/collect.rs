//! The collector: owns the sources, turns one refresh into an owned [`Snapshot`].

use crate::model::row::Row;

/// Everything one refresh saw.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// When it was taken, Unix ms.
    pub taken_at: i64,
    pub rows: Vec<Row>,
    /// Why the database could not be read, if it could not.
    pub db_error: Option<String>,
}
