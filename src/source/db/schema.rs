//! Which tables and columns the database has, and the SQL built from them.
//!
//! opencode adds columns across versions (and a newer opencode may migrate the file while otop
//! runs), so every query is built from `PRAGMA table_info`: a missing column reads as NULL and
//! a missing table drops only what it would have supplied.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::cell::numeric;

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

    fn has_all(&self, table: &str, cols: &[&str]) -> bool {
        cols.iter().all(|c| self.has(table, c))
    }

    /// `alias.col` if the column exists, else `NULL`.
    fn col(&self, alias: &str, table: &str, col: &str) -> String {
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

/// The reads that keep the index of `global` sessions current.
#[derive(Debug, Default, Clone)]
pub(crate) struct GlobalQueries {
    /// The highest rowid and its row's id.
    pub last_row: String,
    /// The id of the row at rowid `?1`.
    pub id_at: String,
    /// `global` sessions with a rowid in (`?1`, `?2`], with their directory.
    pub added: String,
    /// How many `global` sessions have a rowid up to `?1` (off the `project_id` index).
    pub count_to: String,
}

/// The reads that find a directory's candidates without reading every session of its
/// projects (see `recent.rs`).
#[derive(Debug, Default, Clone)]
pub(crate) struct RecentQueries {
    /// `(kind, project id, path)`: a project whose worktree (kind 0), sandboxes (kind 1, the
    /// JSON array) or listed directory (kind 2) is one of the paths in `?1`.
    pub project_paths: String,
    /// The rowid and directory of project `?1`'s sessions, newest row first (the index on
    /// `project_id` holds the rowid: no sort).
    pub newest_of_project: String,
    /// Session id and creation time of every message, newest row first: read only as far as
    /// the messages of the live processes' time.
    pub message_tail: String,
    /// The rowids of the sessions whose ids are in `?1`.
    pub rowids_of: String,
    /// `candidates_in`'s rows among the rowids in `?3`, whatever project holds them: the
    /// rowids were found by the sessions' own rows, so nothing else is needed to narrow.
    pub candidates_among: String,
}

/// SQL text for every read, built once per schema discovery (`prepare_cached` keys on it).
#[derive(Debug, Default, Clone)]
pub(crate) struct Queries {
    pub candidates_in: String,
    /// Where the schema allows reading only the newest candidates and the active ones.
    pub recent: Option<RecentQueries>,
    /// Keeping [`super::global_index::GlobalIndex`]: where the project tables can narrow.
    pub global: Option<GlobalQueries>,
    pub activity_since: String,
    pub candidate: String,
    pub children: String,
    pub session_row: String,
    pub latest_messages: String,
    pub latest_user: String,
    pub message_count: String,
    pub token_sum: String,
    pub part_stats: String,
    pub parts_of: String,
    pub open_tools_of: String,
    pub todos: String,
}

impl Queries {
    pub(crate) fn build(c: &Columns) -> Queries {
        let perm = if c.has("session", "permission") {
            "s.permission IS NOT NULL".to_string()
        } else {
            "NULL".to_string()
        };
        let (since, last_at) = if c.messages_ok() {
            (
                "(SELECT count(*) FROM message m WHERE m.session_id = s.id AND m.time_created >= ?1)"
                    .to_string(),
                format!(
                    "(SELECT max({}) FROM message m WHERE m.session_id = s.id)",
                    numeric("m.time_created")
                ),
            )
        } else {
            // Keep ?1 bound so every variant takes the same parameters.
            ("(0 * ?1)".to_string(), "NULL".to_string())
        };
        let cand_cols = format!(
            "s.id, {dir}, {parent}, {created}, {updated}, {perm}, {since}, {last_at}",
            dir = c.col("s", "session", "directory"),
            parent = c.col("s", "session", "parent_id"),
            created = c.col("s", "session", "time_created"),
            updated = c.col("s", "session", "time_updated"),
        );
        let order = if c.has("session", "time_updated") {
            "ORDER BY s.time_updated DESC, s.id DESC"
        } else {
            "ORDER BY s.id DESC"
        };
        let dirs_filter = match (c.has("session", "directory"), c.projects_of_directories()) {
            (true, Some(projects)) => format!(
                "s.directory IN (SELECT value FROM json_each(?2)) AND (s.project_id IN ({projects}) \
                 OR s.rowid IN (SELECT value FROM json_each(?4)))"
            ),
            // ?3 and ?4 are bound whatever the variant: they only narrow.
            (true, None) => "s.directory IN (SELECT value FROM json_each(?2)) \
                 AND (?3 IS NULL OR ?4 IS NULL OR 1)"
                .to_string(),
            (false, _) => "(0 AND ?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL)".to_string(),
        };
        let dir_order = if c.has("session", "directory") {
            format!(
                "ORDER BY s.directory, {}",
                order.trim_start_matches("ORDER BY ")
            )
        } else {
            order.to_string()
        };
        let parent_filter = if c.has("session", "parent_id") {
            "s.parent_id IN (SELECT value FROM json_each(?2))"
        } else {
            "(0 AND ?2 IS NULL)"
        };
        let tok = |col: &str| {
            if c.session_tokens() {
                format!("s.{col}")
            } else {
                "NULL".to_string()
            }
        };
        let session_row = format!(
            "SELECT s.id, {title}, {dir}, {parent}, {project}, {created}, {updated}, {compacting}, \
             {archived}, {perm}, {cost}, {ti}, {to}, {tr}, {tcr}, {tcw}, {agent}, {model} \
             FROM session s WHERE s.id = ?1",
            title = c.col("s", "session", "title"),
            dir = c.col("s", "session", "directory"),
            parent = c.col("s", "session", "parent_id"),
            project = c.col("s", "session", "project_id"),
            created = c.col("s", "session", "time_created"),
            updated = c.col("s", "session", "time_updated"),
            compacting = c.col("s", "session", "time_compacting"),
            archived = c.col("s", "session", "time_archived"),
            cost = c.col("s", "session", "cost"),
            ti = tok("tokens_input"),
            to = tok("tokens_output"),
            tr = tok("tokens_reasoning"),
            tcr = tok("tokens_cache_read"),
            tcw = tok("tokens_cache_write"),
            agent = c.col("s", "session", "agent"),
            model = c.col("s", "session", "model"),
        );
        let m_updated = c.col("m", "message", "time_updated");
        // Walks the (session_id, time_created, id) index backwards: cost is the LIMIT, not the history.
        let latest_messages = format!(
            "SELECT m.id, m.time_created, {m_updated}, m.data FROM message m \
             WHERE m.session_id = ?1 ORDER BY m.time_created DESC, m.id DESC LIMIT ?2"
        );
        // A time that is not a number sorts first and would hide the real latest user message.
        let latest_user = "SELECT m.time_created FROM message m WHERE m.session_id = ?1 \
             AND typeof(m.time_created) IN ('integer', 'real') \
             AND json_valid(m.data) AND json_extract(m.data, '$.role') = 'user' \
             ORDER BY m.time_created DESC, m.id DESC LIMIT 1"
            .to_string();
        // `total` and REAL sums: an integer `sum` past i64 fails the whole query ("integer
        // overflow"); a float saturates when shown (`Sums::tokens`).
        let num = |p: &str| {
            format!(
                "total(CASE WHEN json_valid(m.data) AND json_type(m.data, '{p}') IN ('integer', 'real') \
                 THEN json_extract(m.data, '{p}') END)"
            )
        };
        let token_sum = format!(
            "SELECT {}, {}, {}, {}, {}, sum(CASE WHEN json_valid(m.data) AND json_type(m.data, '$.cost') \
             IN ('integer', 'real') THEN CAST(json_extract(m.data, '$.cost') AS REAL) END) \
             FROM message m WHERE m.session_id = ?1 AND (m.time_created, m.id) >= (?2, ?3)",
            num("$.tokens.input"),
            num("$.tokens.output"),
            num("$.tokens.reasoning"),
            num("$.tokens.cache.read"),
            num("$.tokens.cache.write"),
        );
        let p_updated = c.col("p", "part", "time_updated");
        let p_created = c.col("p", "part", "time_created");
        let part_stats = format!(
            "SELECT count(*), max({}) FROM part p WHERE p.message_id = ?1",
            numeric(&p_updated)
        );
        let parts_of = format!(
            "SELECT p.id, {p_created}, {p_updated}, p.data FROM part p WHERE p.message_id = ?1 ORDER BY p.id"
        );
        // The status line needs only unfinished tools: SQLite skips the text and the finished
        // tools' outputs without handing them to the JSON parser on our side. A substring test
        // first spares most parts (long text, finished tools' outputs) JSON parsing at all.
        let open_tools_of = format!(
            "SELECT p.id, {p_created}, {p_updated}, p.data FROM part p WHERE p.message_id = ?1 \
             AND instr(p.data, '\"tool\"') \
             AND (instr(p.data, '\"running\"') OR instr(p.data, '\"pending\"')) \
             AND json_valid(p.data) AND json_extract(p.data, '$.type') = 'tool' \
             AND json_extract(p.data, '$.state.status') IN ('pending', 'running') ORDER BY p.id"
        );
        let todo_order = if c.has("todo", "position") {
            "ORDER BY t.position"
        } else {
            "ORDER BY t.rowid"
        };
        let todos = format!(
            "SELECT t.content, {status}, {priority} FROM todo t WHERE t.session_id = ?1 {todo_order}",
            status = c.col("t", "todo", "status"),
            priority = c.col("t", "todo", "priority"),
        );
        let global = c.projects_of_directories().map(|_| GlobalQueries {
            last_row: "SELECT rowid, id FROM session ORDER BY rowid DESC LIMIT 1".into(),
            id_at: "SELECT id FROM session WHERE rowid = ?1".into(),
            added: "SELECT rowid, directory FROM session WHERE rowid > ?1 AND rowid <= ?2 \
                    AND project_id = 'global' ORDER BY rowid"
                .into(),
            count_to: "SELECT count(*) FROM session WHERE project_id = 'global' AND rowid <= ?1"
                .into(),
        });
        let dir_cols = cand_cols
            .replace(&since, "(0 * ?1)")
            .replace(&last_at, "NULL");
        let candidates_in =
            format!("SELECT {dir_cols} FROM session s WHERE {dirs_filter} {dir_order}");
        let among = format!(
            "SELECT {dir_cols} FROM session s WHERE s.directory IN (SELECT value FROM json_each(?2)) \
             AND s.rowid IN (SELECT value FROM json_each(?3)) {dir_order}"
        );
        let recent = recent_queries(c, among);
        Queries {
            global,
            recent,
            // `session.directory` has no index in opencode's schema, `session.project_id` has:
            // the sessions of the directories' projects (see `projects_of_directories`), for
            // every directory at once, instead of a scan of every session. Nothing
            // per row from `message` (`0 * ?1` keeps the parameter): a seek per row would make
            // the cost follow the directories' history; see [`Db::activity`].
            candidates_in,
            activity_since: if c.messages_ok() {
                "SELECT count(*), max(m.time_created) FROM message m \
                 WHERE m.session_id = ?1 AND m.time_created >= ?2 \
                 AND typeof(m.time_created) IN ('integer', 'real')"
                    .to_string()
            } else {
                "SELECT 0 * ?1 * ?2, NULL".to_string()
            },
            candidate: format!("SELECT {cand_cols} FROM session s WHERE s.id = ?2"),
            children: format!("SELECT {cand_cols} FROM session s WHERE {parent_filter} {order}"),
            session_row,
            latest_messages,
            latest_user,
            message_count: "SELECT count(*) FROM message m WHERE m.session_id = ?1".to_string(),
            token_sum,
            part_stats,
            parts_of,
            open_tools_of,
            todos,
        }
    }
}

/// [`RecentQueries`] where the schema has what they need: the project tables, the session's
/// directory and the message table.
fn recent_queries(c: &Columns, candidates_among: String) -> Option<RecentQueries> {
    c.projects_of_directories()?;
    if !c.has("session", "directory") || !c.messages_ok() {
        return None;
    }
    let within = "IN (SELECT value FROM json_each(?1))";
    let mut project_paths = format!(
        "SELECT 0, pr.id, pr.worktree FROM project pr WHERE pr.id <> 'global' AND pr.worktree {within}"
    );
    if c.has("project", "sandboxes") {
        project_paths.push_str(&format!(
            " UNION ALL SELECT 1, pr.id, pr.sandboxes FROM project pr WHERE pr.id <> 'global' \
             AND pr.sandboxes <> '[]' AND json_valid(pr.sandboxes) \
             AND EXISTS (SELECT 1 FROM json_each(pr.sandboxes) sb WHERE sb.value {within})"
        ));
    }
    if c.has_all("project_directory", &["project_id", "directory"]) {
        project_paths.push_str(&format!(
            " UNION ALL SELECT 2, pd.project_id, pd.directory FROM project_directory pd \
             WHERE pd.directory {within}"
        ));
    }
    Some(RecentQueries {
        project_paths,
        newest_of_project: "SELECT s.rowid, s.directory FROM session s WHERE s.project_id = ?1 \
                            ORDER BY s.rowid DESC"
            .into(),
        message_tail: "SELECT m.session_id, m.time_created FROM message m ORDER BY m.rowid DESC"
            .into(),
        rowids_of: "SELECT s.rowid FROM session s WHERE s.id IN (SELECT value FROM json_each(?1))"
            .into(),
        candidates_among,
    })
}
