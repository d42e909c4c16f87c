//! What `otop doctor` says about a database: which opencode wrote it and which schema it has.

use rusqlite::OptionalExtension;

use super::{Db, DbError};

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
    /// opencode's schema version: the migrations it recorded (`migration` from ~1.15,
    /// `__drizzle_migrations` before); None when neither table can be read.
    pub migrations: Option<Migrations>,
}

/// How many schema migrations opencode ran, and the latest one's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrations {
    pub count: u64,
    pub latest: Option<String>,
}

impl Db {
    /// Reads [`DbInfo`] in one short transaction. Not for the refresh path (it counts sessions).
    pub fn info(&mut self) -> Result<DbInfo, DbError> {
        let unreadable = |e: rusqlite::Error| DbError::Unreadable {
            path: self.path().to_path_buf(),
            reason: e.to_string(),
        };
        let missing_tables: Vec<&'static str> = super::schema::TABLES
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
                |r| super::lossy(r, 0),
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
        let migrations = [
            "SELECT COUNT(*), (SELECT id FROM migration ORDER BY time_completed DESC, id DESC \
             LIMIT 1) FROM migration",
            "SELECT COUNT(*), (SELECT COALESCE(name, hash) FROM __drizzle_migrations \
             ORDER BY created_at DESC, id DESC LIMIT 1) FROM __drizzle_migrations",
        ]
        .iter()
        .find_map(|q| {
            tx.query_row(q, [], |r| {
                Ok(Migrations {
                    count: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    latest: r.get::<_, Option<String>>(1)?,
                })
            })
            .ok()
        });
        tx.commit().map_err(unreadable)?;
        Ok(DbInfo {
            opencode_version,
            session_totals,
            missing_tables,
            sessions: u64::try_from(sessions).unwrap_or(0),
            migrations,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::source::db::Db;
    use crate::testkit::fixture::{Fixture, Schema, SessionSpec};

    #[test]
    fn info_reads_the_latest_migration() {
        for (schema, insert) in [
            (
                Schema::Current,
                "INSERT INTO migration VALUES ('0001_init', 1), ('0002_tokens', 2)",
            ),
            (
                Schema::Old,
                "INSERT INTO __drizzle_migrations (hash, created_at, name) \
                 VALUES ('h1', 1, '0001_init'), ('h2', 2, '0002_tokens')",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("opencode.db");
            let fx = Fixture::create(&path, schema).unwrap();
            fx.conn().execute_batch(insert).unwrap();
            drop(fx);
            let info = Db::open(&path).unwrap().info().unwrap();
            let m = info.migrations.unwrap();
            assert_eq!((m.count, m.latest.as_deref()), (2, Some("0002_tokens")));
        }
    }

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
            assert_eq!(
                info.migrations.as_ref().map(|m| m.count),
                Some(0),
                "{schema:?}"
            );
        }
    }
}
