//! The SQL of every read, composed once per schema discovery from named parts: the columns the
//! file has ([`Columns`]), each read's filter and order. A column opencode's version lacks
//! reads as NULL; a parameter a variant cannot use is still bound (see [`unread`]).

use super::cell::numeric;
use super::schema::Columns;

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
    /// Project `?1`'s sessions as candidates, each followed by its rowid, newest row first (the
    /// index on `project_id` holds the rowid: no sort).
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
    /// A session's day (`day.rs`).
    pub day: super::day::DayQueries,
}

/// Parameters a statement's variant binds but does not read, so that every variant of a read
/// takes the same parameters (SQLite counts them by the highest number written).
mod unread {
    /// Messages since `?1`, in a candidates read where they are counted later or not at all.
    pub(super) const MESSAGES_SINCE: &str = "(0 * ?1)";
    /// The projects (`?3`) and `global` rowids (`?4`) where the schema cannot narrow by them.
    pub(super) const PROJECTS: &str = "(?3 IS NULL OR ?4 IS NULL OR 1)";
    /// Every directory filter's parameters, where sessions have no directory (nothing matches).
    pub(super) const DIRECTORIES: &str = "(0 AND ?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL)";
    /// The parents (`?2`), where sessions have no parent (nothing matches).
    pub(super) const PARENTS: &str = "(0 AND ?2 IS NULL)";
    /// `activity_since`'s session and time, where there is no message table.
    pub(super) const ACTIVITY: &str = "SELECT 0 * ?1 * ?2, NULL";
}

/// Whether a candidates read counts each session's messages since `?1` itself.
#[derive(Clone, Copy, PartialEq)]
enum Activity {
    /// Per row, with a seek into `message` each (one session, or a few children).
    PerRow,
    /// Later, per process ([`super::Db::activity`]): a seek per row would make a directory's
    /// read cost its history.
    Later,
}

/// The SQL of one read from `session s`: its columns, filter and order, written apart.
struct Select<'a> {
    columns: &'a str,
    filter: &'a str,
    order: Option<&'a str>,
}

impl Select<'_> {
    fn sql(&self) -> String {
        let Select {
            columns,
            filter,
            order,
        } = self;
        match order {
            Some(order) => format!("SELECT {columns} FROM session s WHERE {filter} {order}"),
            None => format!("SELECT {columns} FROM session s WHERE {filter}"),
        }
    }
}

impl Columns {
    /// `s.permission IS NOT NULL` if the column exists, else `NULL`.
    fn has_permission(&self) -> &'static str {
        if self.has("session", "permission") {
            "s.permission IS NOT NULL"
        } else {
            "NULL"
        }
    }

    /// A candidate row's columns, in [`super::candidate_row`]'s order.
    fn candidate_columns(&self, activity: Activity) -> String {
        let (since, last_at) = if activity == Activity::PerRow && self.messages_ok() {
            (
                "(SELECT count(*) FROM message m WHERE m.session_id = s.id AND m.time_created >= ?1)"
                    .to_string(),
                format!(
                    "(SELECT max({}) FROM message m WHERE m.session_id = s.id)",
                    numeric("m.time_created")
                ),
            )
        } else {
            (unread::MESSAGES_SINCE.to_string(), "NULL".to_string())
        };
        let [dir, parent, created, updated] =
            ["directory", "parent_id", "time_created", "time_updated"]
                .map(|col| self.col("s", "session", col));
        let perm = self.has_permission();
        format!("s.id, {dir}, {parent}, {created}, {updated}, {perm}, {since}, {last_at}")
    }

    /// Newest first: by update where sessions have a time, else by id.
    fn session_order(&self) -> &'static str {
        if self.has("session", "time_updated") {
            "s.time_updated DESC, s.id DESC"
        } else {
            "s.id DESC"
        }
    }

    /// The sessions in the directories `?2`, narrowed to their projects (`?3`, see
    /// [`Columns::projects_of_directories`]) and the `global` rowids `?4` where the schema can.
    fn in_directories(&self) -> String {
        match (
            self.has("session", "directory"),
            self.projects_of_directories(),
        ) {
            (true, Some(projects)) => format!(
                "s.directory IN (SELECT value FROM json_each(?2)) AND (s.project_id IN ({projects}) \
                 OR s.rowid IN (SELECT value FROM json_each(?4)))"
            ),
            (true, None) => format!(
                "s.directory IN (SELECT value FROM json_each(?2)) AND {}",
                unread::PROJECTS
            ),
            (false, _) => unread::DIRECTORIES.to_string(),
        }
    }

    /// One session's row: what [`super::facts`] reads of it.
    fn session_row(&self) -> String {
        let col = |name: &str| self.col("s", "session", name);
        let tokens = |name: &str| match self.session_tokens() {
            true => format!("s.{name}"),
            false => "NULL".to_string(),
        };
        let mut columns = vec!["s.id".to_string()];
        columns.extend(
            [
                "title",
                "directory",
                "parent_id",
                "project_id",
                "time_created",
                "time_updated",
                "time_compacting",
                "time_archived",
            ]
            .map(col),
        );
        columns.push(self.has_permission().to_string());
        columns.push(col("cost"));
        columns.extend(
            [
                "tokens_input",
                "tokens_output",
                "tokens_reasoning",
                "tokens_cache_read",
                "tokens_cache_write",
            ]
            .map(tokens),
        );
        columns.extend(["agent", "model"].map(col));
        Select {
            columns: &columns.join(", "),
            filter: "s.id = ?1",
            order: None,
        }
        .sql()
    }
}

impl Queries {
    pub(crate) fn build(c: &Columns) -> Queries {
        let per_row = c.candidate_columns(Activity::PerRow);
        let later = c.candidate_columns(Activity::Later);
        let parents = if c.has("session", "parent_id") {
            "s.parent_id IN (SELECT value FROM json_each(?2))"
        } else {
            unread::PARENTS
        };
        let candidates_among = Select {
            columns: &later,
            filter: "s.directory IN (SELECT value FROM json_each(?2)) \
                     AND s.rowid IN (SELECT value FROM json_each(?3))",
            // Candidates are ordered where they are cut, in `newest_by_dir`.
            order: None,
        };
        Queries {
            global: c.projects_of_directories().map(|_| global_queries()),
            recent: recent_queries(c, &later, candidates_among.sql()),
            // `session.directory` has no index in opencode's schema, `session.project_id` has:
            // the sessions of the directories' projects (see `projects_of_directories`), for
            // every directory at once, instead of a scan of every session. Nothing per row from
            // `message`: see [`Activity::Later`].
            candidates_in: Select {
                columns: &later,
                filter: &c.in_directories(),
                order: None,
            }
            .sql(),
            activity_since: if c.messages_ok() {
                "SELECT count(*), max(m.time_created) FROM message m \
                 WHERE m.session_id = ?1 AND m.time_created >= ?2 \
                 AND typeof(m.time_created) IN ('integer', 'real')"
                    .to_string()
            } else {
                unread::ACTIVITY.to_string()
            },
            candidate: Select {
                columns: &per_row,
                filter: "s.id = ?2",
                order: None,
            }
            .sql(),
            children: Select {
                columns: &per_row,
                filter: parents,
                order: Some(&format!("ORDER BY {}", c.session_order())),
            }
            .sql(),
            session_row: c.session_row(),
            latest_messages: latest_messages(c),
            // A time that is not a number sorts first and would hide the real latest user
            // message.
            latest_user: "SELECT m.time_created FROM message m WHERE m.session_id = ?1 \
                 AND typeof(m.time_created) IN ('integer', 'real') \
                 AND json_valid(m.data) AND json_extract(m.data, '$.role') = 'user' \
                 ORDER BY m.time_created DESC, m.id DESC LIMIT 1"
                .to_string(),
            message_count: "SELECT count(*) FROM message m WHERE m.session_id = ?1".to_string(),
            token_sum: token_sum(),
            part_stats: format!(
                "SELECT count(*), max({}) FROM part p WHERE p.message_id = ?1",
                numeric(&c.col("p", "part", "time_updated"))
            ),
            parts_of: parts_of(c, ""),
            // The status line needs only unfinished tools: SQLite skips the text and the
            // finished tools' outputs without handing them to the JSON parser on our side. No
            // substring test before its own parse: `instr` costs more a byte than the parse
            // (19 instructions against 7), and the parse is done once for the three calls.
            open_tools_of: parts_of(
                c,
                "AND json_valid(p.data) AND json_extract(p.data, '$.type') = 'tool' \
                 AND json_extract(p.data, '$.state.status') IN ('pending', 'running') ",
            ),
            todos: todos(c),
            day: super::day::DayQueries::build(c),
        }
    }
}

/// A session's newest messages, at most `?2`. Walks the (session_id, time_created, id) index
/// backwards: the cost is the LIMIT, not the history.
fn latest_messages(c: &Columns) -> String {
    format!(
        "SELECT m.id, m.time_created, {}, m.data FROM message m \
         WHERE m.session_id = ?1 ORDER BY m.time_created DESC, m.id DESC LIMIT ?2",
        c.col("m", "message", "time_updated")
    )
}

/// A session's tokens and cost from the messages from (`?2`, `?3`) (time, id) on. `total` and
/// REAL sums: an integer `sum` past i64 fails the whole query ("integer overflow"); a float
/// saturates when shown (`Sums::tokens`).
fn token_sum() -> String {
    let num = |p: &str| {
        format!(
            "total(CASE WHEN json_valid(m.data) AND json_type(m.data, '{p}') IN ('integer', 'real') \
             THEN json_extract(m.data, '{p}') END)"
        )
    };
    format!(
        "SELECT {}, {}, {}, {}, {}, sum(CASE WHEN json_valid(m.data) AND json_type(m.data, '$.cost') \
         IN ('integer', 'real') THEN CAST(json_extract(m.data, '$.cost') AS REAL) END) \
         FROM message m WHERE m.session_id = ?1 AND (m.time_created, m.id) >= (?2, ?3)",
        num("$.tokens.input"),
        num("$.tokens.output"),
        num("$.tokens.reasoning"),
        num("$.tokens.cache.read"),
        num("$.tokens.cache.write"),
    )
}

/// The parts of message `?1` that pass `and` (SQL beginning with `AND `, ending with a space;
/// empty: every part), in order.
fn parts_of(c: &Columns, and: &str) -> String {
    let [created, updated] = ["time_created", "time_updated"].map(|t| c.col("p", "part", t));
    format!(
        "SELECT p.id, {created}, {updated}, p.data FROM part p WHERE p.message_id = ?1 \
         {and}ORDER BY p.id"
    )
}

/// A session's todos, in their order.
fn todos(c: &Columns) -> String {
    let order = if c.has("todo", "position") {
        "t.position"
    } else {
        "t.rowid"
    };
    format!(
        "SELECT t.content, {status}, {priority} FROM todo t WHERE t.session_id = ?1 ORDER BY {order}",
        status = c.col("t", "todo", "status"),
        priority = c.col("t", "todo", "priority"),
    )
}

/// [`GlobalQueries`]: they read only columns every schema with the project tables has.
fn global_queries() -> GlobalQueries {
    GlobalQueries {
        last_row: "SELECT rowid, id FROM session ORDER BY rowid DESC LIMIT 1".into(),
        id_at: "SELECT id FROM session WHERE rowid = ?1".into(),
        added: "SELECT rowid, directory FROM session WHERE rowid > ?1 AND rowid <= ?2 \
                AND project_id = 'global' ORDER BY rowid"
            .into(),
        count_to: "SELECT count(*) FROM session WHERE project_id = 'global' AND rowid <= ?1".into(),
    }
}

/// [`RecentQueries`] where the schema has what they need: the project tables, the session's
/// directory and the message table.
fn recent_queries(c: &Columns, later: &str, candidates_among: String) -> Option<RecentQueries> {
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
        // A candidate's columns, then its rowid: the walk keeps the rows it meets in the live
        // directories rather than reading them again. `later` asks nothing of ?1 but
        // `0 * ?1`, which is 0 for the project id as for a time.
        newest_of_project: format!(
            "SELECT {later}, s.rowid FROM session s WHERE s.project_id = ?1 ORDER BY s.rowid DESC"
        ),
        message_tail: "SELECT m.session_id, m.time_created FROM message m ORDER BY m.rowid DESC"
            .into(),
        rowids_of: "SELECT s.rowid FROM session s WHERE s.id IN (SELECT value FROM json_each(?1))"
            .into(),
        candidates_among,
    })
}
