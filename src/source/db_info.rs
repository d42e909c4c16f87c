//! What `otop doctor` says about a database: which opencode wrote it and which schema it has.

use rusqlite::OptionalExtension;

use super::db::{Db, DbError};

/// A database's vital facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbInfo {
    /// `session.version` of the most recently updated session: the opencode that wrote last.
    pub opencode_version: Option<String>,
    /// Per-session token and cost columns exist (opencode ≥ ~1.15); else tokens come from
    /// messages.
    pub session_totals: bool,
    /// Table names otop reads that are missing.
    pub missing_tables: Vec<&'static str>,
    pub sessions: u64,
}

impl Db {
    /// Reads [`DbInfo`] in one short transaction. Not for the refresh path (it counts sessions).
    pub fn info(&mut self) -> Result<DbInfo, DbError> {
        let unreadable = |e: rusqlite::Error| DbError::Unreadable {
            path: self.path().to_path_buf(),
            reason: e.to_string(),
        };
        let missing_tables: Vec<&'static str> = super::db_schema::TABLES
            .iter()
            .copied()
            .filter(|t| !self.cols.tables.contains_key(*t))
            .collect();
        let session_totals = self.cols.has("session", "tokens_input");
        let has_session = !missing_tables.contains(&"session");
        let tx = self.conn.unchecked_transaction().map_err(unreadable)?;
        let opencode_version = if self.cols.has("session", "version") {
            tx.query_row(
                "SELECT version FROM session ORDER BY time_updated DESC LIMIT 1",
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map_err(unreadable)?
            .flatten()
        } else {
            None
        };
        let sessions = if has_session {
            tx.query_row("SELECT COUNT(*) FROM session", [], |r| r.get::<_, i64>(0))
                .map_err(unreadable)?
        } else {
            0
        };
        tx.commit().map_err(unreadable)?;
        Ok(DbInfo {
            opencode_version,
            session_totals,
            missing_tables,
            sessions: u64::try_from(sessions).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fixture::{Fixture, Schema, SessionSpec};
    use crate::source::db::Db;

    #[test]
    fn info_tells_the_schemas_apart() {
        for (schema, totals) in [(Schema::Current, true), (Schema::Old, false)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("opencode.db");
            let mut fx = Fixture::create(&path, schema).unwrap();
            fx.session(SessionSpec {
                title: "x".into(),
                directory: "/p".into(),
                created: 1,
                ..SessionSpec::default()
            })
            .unwrap();
            drop(fx);
            let info = Db::open(&path).unwrap().info().unwrap();
            assert_eq!(info.session_totals, totals, "{schema:?}");
            assert_eq!(info.sessions, 1);
            assert!(info.missing_tables.is_empty());
            assert!(info.opencode_version.is_some(), "{schema:?}");
        }
    }
}
