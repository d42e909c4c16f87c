//! Whether a prompt reached a session: the user message holding its text, written since a
//! moment. `otop send` exits 0 on this and nothing less (opencode writes the user message
//! before it starts the turn, or queues it behind a running one).

use std::path::{Path, PathBuf};

use super::{Db, DbError};
use crate::paths;
use crate::source::process::types::ProcessInfo;

/// How far before the act a message may be stamped: opencode's clock is the same, but its
/// millisecond is taken before otop's own `now` returns.
const SLACK_MS: i64 = 1_000;

impl Db {
    /// The id of a user message of `session` created since `since` (Unix ms) with a text part
    /// that is `text` exactly; None while there is none.
    pub fn prompted(
        &mut self,
        session: &str,
        since: i64,
        text: &str,
    ) -> Result<Option<String>, DbError> {
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(
                "SELECT m.id FROM message m JOIN part p ON p.message_id = m.id \
                 WHERE m.session_id = ?1 AND m.time_created >= ?2 \
                 AND json_extract(m.data, '$.role') = 'user' \
                 AND json_extract(p.data, '$.type') = 'text' \
                 AND json_extract(p.data, '$.text') = ?3 \
                 ORDER BY m.time_created DESC LIMIT 1",
            )?;
            let mut rows = stmt.query(rusqlite::params![session, since - SLACK_MS, text])?;
            Ok(match rows.next()? {
                Some(row) => row.get::<_, String>(0).ok(),
                None => None,
            })
        })
    }
}

/// The database a process uses: `flag` (`--db`) wins; else an opencode database it holds open;
/// else the path its own environment resolves to (otop's own where it has none).
pub fn path_of(flag: Option<&Path>, own: &paths::Env, p: &ProcessInfo) -> PathBuf {
    if let Some(flag) = flag {
        return flag.to_path_buf();
    }
    if let Some(open) = p.open_files.iter().find(|f| f.ends_with(".db")) {
        return PathBuf::from(open);
    }
    let home = p.env.home.as_deref().or(own.home.as_deref());
    let xdg = p.env.xdg_data_home.as_deref().or(if p.env.home.is_some() {
        None
    } else {
        own.xdg_data_home.as_deref()
    });
    paths::opencode_db(None, p.env.opencode_db.as_deref(), xdg, home)
}
