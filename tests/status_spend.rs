//! `otop status --json`'s `spend`: today's and all-time cost as opencode recorded it, read from
//! the database the monitor's header reads, null where the header shows none; only `--json`
//! reads it (the plain segment, run by tmux every few seconds, does not). And `{waited}`, the
//! day's other figure a status segment can show.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::PathBuf;

use otop::collect::now_ms;
use otop::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec};
use serde_json::Value;

struct World {
    tmp: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.tmp.path().join("data/opencode/opencode.db")
    }

    fn cache(&self) -> PathBuf {
        self.tmp.path().join("cache/otop")
    }

    /// A database with one session whose replies cost `costs` (dollars), `hours_ago` each.
    fn with_replies(&self, costs: &[(f64, i64)]) -> Fixture {
        std::fs::create_dir_all(self.db().parent().unwrap()).unwrap();
        let mut fx = Fixture::create(&self.db(), Schema::Current).unwrap();
        let now = now_ms();
        let sid = fx
            .session(SessionSpec {
                id: "ses_spend".into(),
                directory: self.tmp.path().display().to_string(),
                created: now - 72 * 3_600_000,
                ..SessionSpec::default()
            })
            .unwrap();
        for (cost, hours_ago) in costs {
            reply(&mut fx, &sid, now - hours_ago * 3_600_000, *cost);
        }
        fx
    }

    fn status(&self, args: &[&str]) -> String {
        let at = |d: &str| self.tmp.path().join(d).display().to_string();
        let (code, out, err) = support::otop(
            args,
            &[
                ("HOME", &at("")),
                ("XDG_DATA_HOME", &at("data")),
                ("XDG_CACHE_HOME", &at("cache")),
                ("XDG_STATE_HOME", &at("state")),
                ("XDG_CONFIG_HOME", &at("config")),
                ("OPENCODE_DB", ""),
                ("OTOP_DEMO", ""),
            ],
        );
        assert_eq!(code, 0, "{err}");
        out
    }

    fn spend(&self, args: &[&str]) -> Value {
        let out = self.status(args);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert!(v.get("spend").is_some(), "no spend key: {v}");
        v["spend"].clone()
    }

    fn kept_files(&self) -> Vec<String> {
        std::fs::read_dir(self.cache())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("totals-"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn reply(fx: &mut Fixture, sid: &str, t: i64, cost: f64) {
    fx.user_message(sid, t - 1000).unwrap();
    fx.assistant_message(
        sid,
        t,
        AssistantSpec {
            completed: Some(t + 500),
            finish: Some("stop".into()),
            cost,
            ..AssistantSpec::default()
        },
    )
    .unwrap();
}

fn dollars(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn spend_is_todays_and_all_time_cost_kept_from_run_to_run() {
    let w = World::new();
    // Two days ago, and now.
    let mut fx = w.with_replies(&[(1.5, 48), (0.25, 0)]);
    let spend = w.spend(&["status", "--json"]);
    assert_eq!(dollars(&spend["all_time"]), 1.75, "{spend}");
    assert_eq!(dollars(&spend["today"]), 0.25, "{spend}");
    assert_eq!(spend["currency"], "USD");
    assert_eq!(w.kept_files().len(), 1, "{:?}", w.kept_files());

    // The next run reads only what was added since, and agrees with a fresh read.
    reply(&mut fx, "ses_spend", now_ms(), 0.125);
    let next = w.spend(&["status", "--json"]);
    assert_eq!(dollars(&next["all_time"]), 1.875, "{next}");
    std::fs::remove_dir_all(w.cache()).unwrap();
    assert_eq!(w.spend(&["status", "--json"]), next);
}

#[test]
fn no_spend_where_no_cost_is_recorded_nor_on_the_demo() {
    let w = World::new();
    assert_eq!(w.spend(&["status", "--json"]), Value::Null, "no database");
    let _fx = w.with_replies(&[(0.0, 1), (0.0, 30)]);
    assert_eq!(
        w.spend(&["status", "--json"]),
        Value::Null,
        "only zero costs"
    );
    // The demo records none, as most local and subscription providers.
    assert_eq!(w.spend(&["--demo", "status", "--json"]), Value::Null);
}

#[test]
fn the_plain_segment_reads_no_totals() {
    let w = World::new();
    let _fx = w.with_replies(&[(2.0, 1)]);
    w.status(&["status"]);
    w.status(&["status", "--plain", "--empty", "none"]);
    assert!(w.kept_files().is_empty(), "{:?}", w.kept_files());
    w.spend(&["status", "--json"]);
    assert_eq!(w.kept_files().len(), 1);
}

/// `{waited}` counts the waits of today's sessions that no process runs any more: a question
/// answered 20 s after it was asked, in a session that ended since.
#[test]
fn waited_counts_a_session_that_ended_today() {
    let w = World::new();
    let mut fx = w.with_replies(&[]);
    let now = now_ms();
    let (asked, answered) = (now - 60_000, now - 40_000);
    fx.user_message("ses_spend", asked - 5_000).unwrap();
    let a = fx
        .assistant_message(
            "ses_spend",
            asked - 4_000,
            AssistantSpec {
                completed: Some(answered + 2_000),
                finish: Some("stop".into()),
                ..AssistantSpec::default()
            },
        )
        .unwrap();
    let question = serde_json::json!({"type": "tool", "tool": "question", "callID": "c1",
        "state": {"status": "completed", "input": {"questions": []},
                  "time": {"start": asked, "end": answered}}});
    fx.part_json(&a, asked, &question.to_string()).unwrap();
    // A session runs (a segment with none shows its `--empty` text): a stand-in of another.
    fx.session(SessionSpec {
        id: "ses_live".into(),
        directory: w.tmp.path().display().to_string(),
        created: now - 1_000,
        ..SessionSpec::default()
    })
    .unwrap();
    let standins = support::StandIns::new();
    let live = standins.spawn_session("ses_live", w.tmp.path(), &[]);
    let comm = format!("/proc/{}/comm", live.pid);
    let running = support::wait_for(std::time::Duration::from_secs(5), || {
        (std::fs::read_to_string(&comm).ok()?.trim() == "opencode").then_some(())
    });
    assert!(running.is_some(), "the stand-in never ran");
    // Only what fell after local midnight is today's.
    let midnight = otop::collect::local_midnight_ms(now);
    let want = answered - asked.max(midnight).min(answered);
    // `--db`: this database alone, whatever other opencode processes run on the machine.
    let db = w.db().display().to_string();
    let out = w.status(&["--db", &db, "status", "--plain", "--format", "[{waited}]"]);
    assert_eq!(
        out.trim(),
        format!("[{}]", otop::tui::text::duration(want)),
        "a wait of {want} ms"
    );
}
