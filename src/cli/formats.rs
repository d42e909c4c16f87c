//! The JSON otop prints for scripts and for other machines, held to its bytes: `sessions
//! --json`, `status --json` and `otop serve` on the demo fleet at a fixed clock, against snapshot
//! files made before their encoders are derived with serde (issue #23): a change of field name,
//! order, number format or escaping fails here.

use crate::collect::{Focus, Snapshot, demo};
use crate::model::row::Row;
use crate::model::sanitize::inert_json;
use crate::model::select;

/// 2026-06-01T00:00:00Z: the demo fleet is a function of its clock.
const T: i64 = 1_780_272_000_000;

fn fleet() -> Snapshot {
    demo::snapshot(&Focus::default(), T)
}

#[test]
fn sessions_json_keeps_its_bytes() {
    for all in [false, true] {
        let rows = select::sessions(fleet().rows, all);
        let json: Vec<_> = rows.iter().map(Row::to_json).collect();
        let text = serde_json::to_string_pretty(&json).expect("json");
        insta::assert_snapshot!(format!("sessions_json_all_{all}"), inert_json(&text));
    }
}

#[test]
fn status_json_keeps_its_bytes() {
    let snap = fleet();
    let (rows, counts) = super::status::counted(&snap);
    let text = super::status::to_json(&counts, &rows, &snap.hosts, snap.totals.as_ref());
    insta::assert_snapshot!(inert_json(&text.to_string()));
}

#[test]
fn serve_keeps_its_bytes() {
    let line = crate::collect::wire::encode(&fleet());
    // The version is the build's: the rest is the format.
    let line = line.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!(line);
}
