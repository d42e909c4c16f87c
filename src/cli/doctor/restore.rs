//! `otop doctor`'s line on the fleet record: how many recorded sessions are not running, and
//! how to bring them back.

use super::{Line, Mark};
use crate::collect::Snapshot;
use crate::paths::Env;

pub(super) fn line(env: &Env, snap: &Snapshot) -> Line {
    let line = |mark, text: String| Line {
        mark,
        topic: "restore",
        text,
    };
    let Some(path) = env.fleet_file() else {
        return line(
            Mark::Note,
            "no HOME or XDG_STATE_HOME: no fleet record".into(),
        );
    };
    let record = crate::restore::read(&path);
    if record.sessions.is_empty() {
        return line(
            Mark::Ok,
            format!(
                "no session recorded yet in {} (`otop watch --tmux` and the monitor keep it \
                 for `otop restore`)",
                path.display()
            ),
        );
    }
    let running = crate::restore::running(&snap.rows);
    let total = record.sessions.len();
    let lost = record
        .sessions
        .iter()
        .filter(|e| !running.contains(&e.id))
        .count();
    if lost == 0 {
        return line(
            Mark::Ok,
            format!("{total} recorded session{} running", plural(total)),
        );
    }
    line(
        Mark::Note,
        format!(
            "{lost} of {total} recorded session{} not running: `otop restore --dry-run` shows \
             the plan, `otop restore` starts them again in their tmux windows",
            plural(total)
        ),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
