//! Which tables and columns the database has (the SQL built from them is in `queries.rs`).
//!
//! opencode adds columns across versions (and a newer opencode may migrate the file while otop
//! runs), so every query is built from `PRAGMA table_info`: a missing column reads as NULL and
//! a missing table drops only what it would have supplied.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

pub(crate) const TABLES: [&str; 4] = ["session", "message", "part", "todo"];
/// Tables that only narrow reads when present: which project a directory belongs to.
const PROJECT_TABLES: [&str; 2] = ["project", "project_directory"];

#[derive(Debug, Default, Clone)]
pub(crate) struct Columns {
    pub(crate) tables: HashMap<&'static str, HashSet<String>>,
}

impl Columns {
    pub(crate) fn discover(conn: &Connection) -> rusqlite::Result<Columns> {
        let mut tables = HashMap::new();
        for t in TABLES.into_iter().chain(PROJECT_TABLES) {
            // table_info of a missing table is simply empty.
            let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{t}\")"))?;
            let cols = stmt
                .query_map([], |r| r.get::<_, String>(1))?
                .collect::<rusqlite::Result<HashSet<String>>>()?;
            if !cols.is_empty() {
                tables.insert(t, cols);
            }
        }
        Ok(Columns { tables })
    }

    pub(crate) fn has(&self, table: &str, col: &str) -> bool {
        self.tables.get(table).is_some_and(|c| c.contains(col))
    }

    pub(super) fn has_all(&self, table: &str, cols: &[&str]) -> bool {
        cols.iter().all(|c| self.has(table, c))
    }

    /// `alias.col` if the column exists, else `NULL`.
    pub(super) fn col(&self, alias: &str, table: &str, col: &str) -> String {
        if self.has(table, col) {
            format!("{alias}.{col}")
        } else {
            "NULL".to_string()
        }
    }

    pub(crate) fn session_ok(&self) -> bool {
        self.has("session", "id")
    }
    pub(crate) fn messages_ok(&self) -> bool {
        self.has_all("message", &["id", "session_id", "time_created", "data"])
    }
    pub(crate) fn parts_ok(&self) -> bool {
        self.has_all("part", &["id", "message_id", "data"])
    }
    pub(crate) fn todos_ok(&self) -> bool {
        self.has_all("todo", &["session_id", "content"])
    }
    /// The projects whose sessions can be in the live directories, as SQL for
    /// `s.project_id IN (…)`; `?3` is the JSON array of those directories and all their
    /// ancestors (see [`super::Db::candidates_in`]). None where the schema cannot say (then
    /// every session is read).
    ///
    /// `session.directory` has no index, `session.project_id` has one. opencode files a session
    /// under the project of its directory: a git repository's (its `worktree`, or one of its
    /// `sandboxes`, the repository's other worktrees; 1.18 also lists directories in
    /// `project_directory`), else `global`, which also stands for repositories without a
    /// commit and whose `worktree` is whatever directory used it last: its sessions are found
    /// through otop's own index instead (`global_index.rs`, the rowids in `?4`).
    /// Matching paths against the ancestor list is a hash lookup per project row, where
    /// comparing prefixes would cost every project times every directory.
    pub(crate) fn projects_of_directories(&self) -> Option<String> {
        if !self.has("session", "project_id") || !self.has_all("project", &["id", "worktree"]) {
            return None;
        }
        let within = "IN (SELECT value FROM json_each(?3))";
        let sandboxes = if self.has("project", "sandboxes") {
            format!(
                " OR (pr.sandboxes <> '[]' AND json_valid(pr.sandboxes) \
                 AND EXISTS (SELECT 1 FROM json_each(pr.sandboxes) sb WHERE sb.value {within}))"
            )
        } else {
            String::new()
        };
        let listed = if self.has_all("project_directory", &["project_id", "directory"]) {
            format!(
                " UNION SELECT pd.project_id FROM project_directory pd WHERE pd.directory {within}"
            )
        } else {
            String::new()
        };
        Some(format!(
            "SELECT pr.id FROM project pr WHERE pr.id <> 'global' AND (pr.worktree {within}\
             {sandboxes}){listed}"
        ))
    }

    /// Whether opencode keeps running token totals on the session row (1.1x and later).
    pub(crate) fn session_tokens(&self) -> bool {
        self.has_all(
            "session",
            &[
                "tokens_input",
                "tokens_output",
                "tokens_reasoning",
                "tokens_cache_read",
                "tokens_cache_write",
            ],
        )
    }
}
