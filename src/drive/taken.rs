//! When opencode took an act: a message once its user message is in the session's database, an
//! interrupt once the session, read again, no longer works. The same proof whichever way the
//! act went (the plugin's confirmation is opencode's own event; this is what otop reads after).

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::model::row::Row;
use crate::model::state::State;
use crate::paths::Env;
use crate::source::db::Db;
use crate::source::db::prompts::path_of;

/// How long opencode may take to show an act taken.
const TAKEN: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

/// Waits until the user message holding `text` is in `row`'s session, written since `since`.
pub fn message(row: &Row, env: &Env, text: &str, since: i64) -> Result<(), Error> {
    let (Some(p), Some(session)) = (row.process.as_ref(), row.session_id()) else {
        return Err(Error::Refused("no session to look in".into()));
    };
    let path = path_of(None, env, &p.info);
    let start = Instant::now();
    let mut last = String::new();
    loop {
        match Db::open(&path).and_then(|mut db| db.prompted(session, since, text)) {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(e) => last = format!(" ({e})"),
        }
        if start.elapsed() > TAKEN {
            return Err(Error::Refused(format!(
                "sent, but opencode's database shows no such message in {session} after {} s{last}",
                TAKEN.as_secs()
            )));
        }
        std::thread::sleep(POLL);
    }
}

/// Waits until the row, read again by `again`, shows its turn over (not working, not waiting).
pub fn turn_over(again: &mut dyn FnMut() -> Option<Row>) -> Result<(), Error> {
    let start = Instant::now();
    loop {
        let Some(row) = again() else {
            return Err(Error::Refused(
                "the opencode process ended before it showed the turn over: check the session"
                    .into(),
            ));
        };
        if !matches!(row.status.state, State::Working | State::Waiting) {
            return Ok(());
        }
        if start.elapsed() > TAKEN {
            return Err(Error::Refused(format!(
                "sent, but the session still shows {} after {} s",
                row.status.detail,
                TAKEN.as_secs()
            )));
        }
        std::thread::sleep(POLL);
    }
}
