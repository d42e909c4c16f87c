//! [`Snapshot::timelines`]: the rows' sessions' days (#30), from opencode's records read
//! incrementally (`source::db::day`) and what running otops saw (`collect::observed`); and
//! `otop report`'s days, of every session with a message in the window.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::{Collector, Snapshot, local_midnight_ms};
use crate::model::report::{SessionDay, session_day};
use crate::model::state::State;
use crate::model::timeline::{Timeline, from_records, merge};
use crate::source::db::types::{DayFacts, SessionName};

/// Sessions by the database that holds them, each with how far an unfinished turn runs.
type ByDb = HashMap<PathBuf, BTreeMap<String, i64>>;

impl Collector {
    /// Fills `snap.timelines` with today's (since local midnight) days of its local rows'
    /// sessions and of every other session with a message today: the day's totals (the
    /// monitor's header, `{waited}`) count the waits of sessions that ended this morning too.
    pub(super) fn timelines(&mut self, snap: &mut Snapshot, now: i64) {
        let since = local_midnight_ms(now);
        let mut by_db = self.live_sessions(snap, now);
        self.add_sessions_since(&mut by_db, since);
        for (path, sessions) in by_db {
            for (id, (_, day)) in self.days_in(&path, &sessions, since, now) {
                snap.timelines.insert(id, day);
            }
            if let Ok(db) = self.db(&path) {
                let ids: Vec<&str> = sessions.keys().map(String::as_str).collect();
                db.keep_days_of(&ids);
            }
        }
    }

    /// `otop report`'s sessions over `[since, now)`: every session with a message since
    /// `since` in the databases the refresh that made `snap` read, and `snap`'s rows' sessions
    /// (a turn started earlier may still run).
    pub fn report_days(&mut self, snap: &Snapshot, since: i64, now: i64) -> Vec<SessionDay> {
        let mut by_db = self.live_sessions(snap, now);
        self.add_sessions_since(&mut by_db, since);
        let mut out = Vec::new();
        for (path, sessions) in by_db {
            let days = self.days_in(&path, &sessions, since, now);
            let ids: Vec<String> = days.keys().cloned().collect();
            let Ok(db) = self.db(&path) else { continue };
            let mut names: HashMap<String, SessionName> = db
                .session_names(&ids)
                .unwrap_or_default()
                .into_iter()
                .map(|n| (n.id.clone(), n))
                .collect();
            for (id, (facts, day)) in days {
                let name = names.remove(&id).unwrap_or(SessionName {
                    id,
                    ..SessionName::default()
                });
                out.push(session_day(&name, &facts, &day, since, now));
            }
        }
        out
    }

    /// Adds to `by_db` every session with a message since `since` in the databases read, as
    /// not running (a row's own entry, running or not, stays).
    fn add_sessions_since(&mut self, by_db: &mut ByDb, since: i64) {
        for path in self.databases() {
            let Ok(db) = self.db(&path) else { continue };
            let ids = db.sessions_since(since).unwrap_or_default();
            let entry = by_db.entry(path).or_default();
            for id in ids {
                entry.entry(id).or_insert(i64::MIN);
            }
        }
    }

    /// The local rows' sessions by database: how far each one's unfinished turn runs (now
    /// while a process runs it; else its last write).
    fn live_sessions(&self, snap: &Snapshot, now: i64) -> ByDb {
        let mut by_db = ByDb::new();
        for r in snap.rows.iter().filter(|r| r.host.is_none()) {
            let Some(id) = r.session_id() else { continue };
            let path = match &r.process {
                Some(p) => self.db_path_of(&p.info),
                None => self.default_db_path(),
            };
            let live = r.process.is_some() && r.status.state != State::Stalled;
            let until = if live { now } else { i64::MIN };
            let e = by_db.entry(path).or_default().entry(id.to_string());
            let v = e.or_insert(until);
            *v = (*v).max(until);
        }
        by_db
    }

    /// The days of `sessions` of the database at `path` since `since`: records and timeline.
    fn days_in(
        &mut self,
        path: &std::path::Path,
        sessions: &BTreeMap<String, i64>,
        since: i64,
        now: i64,
    ) -> BTreeMap<String, (DayFacts, Timeline)> {
        let seen = self.observed.read(since).clone();
        let Ok(db) = self.db(path) else {
            return BTreeMap::new();
        };
        // One read transaction for all of them, as the refresh's other reads.
        let read = db.one_snapshot(|db| {
            let mut out = BTreeMap::new();
            for (id, open_until) in sessions {
                let Ok(facts) = db.day_facts(id, since) else {
                    continue;
                };
                let recorded = from_records(&facts, *open_until, now);
                let day = merge(recorded, seen.get(id).map_or(&[], Vec::as_slice));
                out.insert(id.clone(), (facts, day));
            }
            Ok(out)
        });
        read.unwrap_or_default()
    }
}
