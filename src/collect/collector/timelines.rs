//! [`Snapshot::timelines`]: the rows' sessions' days (#30), from opencode's records read
//! incrementally (`source::db::day`) and what running otops saw (`collect::observed`).

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Collector, Snapshot, local_midnight_ms};
use crate::model::state::State;
use crate::model::timeline::{from_records, merge};

impl Collector {
    /// Fills `snap.timelines` for its local rows' sessions, today's (since local midnight).
    pub(super) fn timelines(&mut self, snap: &mut Snapshot, now: i64) {
        let since = local_midnight_ms(now);
        let mut by_db: HashMap<PathBuf, Vec<(String, i64)>> = HashMap::new();
        for r in snap.rows.iter().filter(|r| r.host.is_none()) {
            let Some(id) = r.session_id() else { continue };
            let path = match &r.process {
                Some(p) => self.db_path_of(&p.info),
                None => self.default_db_path(),
            };
            // A session a process runs is mid-turn until now; one no process runs stopped at
            // its last write.
            let live = r.process.is_some() && r.status.state != State::Stalled;
            let open_until = if live { now } else { i64::MIN };
            by_db
                .entry(path)
                .or_default()
                .push((id.to_string(), open_until));
        }
        let seen = self.observed.read(since).clone();
        for (path, sessions) in by_db {
            let Ok(db) = self.db(&path) else { continue };
            for (id, open_until) in &sessions {
                let Ok(facts) = db.day_facts(id, since) else {
                    continue;
                };
                let recorded = from_records(&facts, *open_until, now);
                let day = merge(recorded, seen.get(id).map_or(&[], Vec::as_slice));
                snap.timelines.insert(id.clone(), day);
            }
            let ids: Vec<&str> = sessions.iter().map(|(id, _)| id.as_str()).collect();
            db.keep_days_of(&ids);
        }
    }
}
