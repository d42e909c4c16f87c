//! The SQL `queries.rs` composes, literally. (When it stopped editing built strings, a
//! comparison with the old build over 3,000 random column sets found every query equal.)

use std::collections::{HashMap, HashSet};

use crate::source::db::queries::Queries;
use crate::source::db::schema::Columns;

/// The SQL composed for both schemas opencode has shipped, literally: a change of a query's
/// text shows here, beside the plans `plan.rs` checks.
#[test]
fn the_sql_of_both_schemas() {
    for schema in crate::source::db::tests::BOTH {
        let (_dir, path, _fx) = crate::source::db::tests::new_db(schema);
        let db = crate::source::db::Db::open(&path).unwrap();
        let q = &db.q;
        let r = q.recent.clone().unwrap_or_default();
        let g = q.global.clone().unwrap_or_default();
        let recent = [
            ("recent.project_paths", &r.project_paths),
            ("recent.newest_of_project", &r.newest_of_project),
            ("recent.message_tail", &r.message_tail),
            ("recent.rowids_of", &r.rowids_of),
            ("recent.candidates_among", &r.candidates_among),
            ("global.last_row", &g.last_row),
            ("global.id_at", &g.id_at),
            ("global.added", &g.added),
            ("global.count_to", &g.count_to),
        ];
        let all = super::per_refresh(q).into_iter().chain(recent);
        let text: String = all
            .map(|(name, sql)| format!("{name}:\n{sql}\n\n"))
            .collect();
        insta::assert_snapshot!(format!("sql_{schema:?}").to_lowercase(), text);
    }
}

/// A file with sessions and nothing else opencode writes: every read keeps its parameters, and
/// nothing is read where nothing can match.
#[test]
fn the_sql_of_a_bare_session_table() {
    let mut tables: HashMap<&'static str, HashSet<String>> = HashMap::new();
    tables.insert("session", HashSet::from(["id".to_string()]));
    let q = Queries::build(&Columns { tables });
    assert_eq!(
        q.candidates_in,
        "SELECT s.id, NULL, NULL, NULL, NULL, NULL, (0 * ?1), NULL FROM session s \
         WHERE (0 AND ?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL)"
    );
    assert_eq!(
        q.children,
        "SELECT s.id, NULL, NULL, NULL, NULL, NULL, (0 * ?1), NULL FROM session s \
         WHERE (0 AND ?2 IS NULL) ORDER BY s.id DESC"
    );
    assert_eq!(q.activity_since, "SELECT 0 * ?1 * ?2, NULL");
    assert!(q.recent.is_none() && q.global.is_none());
}
