//! Per-refresh costs of the monitor's pieces. Targets (issue "cheap enough to run forever"):
//! one database refresh for 10 live sessions costs at most 1.3× more on a 1,000,000-message
//! database than on a 10,000-message one (`db_refresh/large` vs `db_refresh/small`); the other
//! figures feed the monitor's ≤ 1% CPU budget at a 2 s interval (≤ 20 ms of CPU per refresh,
//! drawing included).
//!
//!   cargo bench --bench refresh
//!
//! The databases are generated once into `target/bench-fixtures/` (the large one takes about a
//! minute and 2.5 GB) and reused.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use otop::model::correlate::{self, Evidence};
use otop::source::db::Db;
use otop::source::db::types::Candidate;
use otop::testkit::fixture::bulk::{self, BulkSpec, LiveSession};

const HOUR: i64 = 3_600_000;

/// When the fixture `name` was generated (its `.live` file is written right after): its
/// sessions' times are relative to that moment, not to today's clock, so the benches read "the
/// processes started an hour before" against it.
fn made_at(name: &str) -> i64 {
    std::fs::metadata(fixtures().join(format!("{name}.db.live")))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(
            || chrono::Utc::now().timestamp_millis(),
            |d| d.as_millis() as i64,
        )
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-fixtures")
}

/// The database `name` with `messages`/`parts`, generated on first use; its live sessions.
fn fixture(name: &str, messages: usize, parts: usize) -> (PathBuf, Vec<LiveSession>) {
    let dir = fixtures();
    let path = dir.join(format!("{name}.db"));
    let live = dir.join(format!("{name}.db.live"));
    if let Ok(tsv) = std::fs::read_to_string(&live) {
        return (path, bulk::parse_live_tsv(&tsv));
    }
    std::fs::create_dir_all(&dir).expect("mkdir target/bench-fixtures");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    eprintln!(
        "generating {} ({messages} messages, {parts} parts)…",
        path.display()
    );
    let now = chrono::Utc::now().timestamp_millis();
    let spec = BulkSpec::new(messages, parts, 2_000, &dir.join("projects"), now);
    let sum = bulk::generate(&path, &spec).expect("generate fixture");
    std::fs::write(&live, bulk::live_tsv(&sum.live)).expect("write .live");
    (path, sum.live)
}

/// What the collector reads per refresh for `live` processes (started at `started`): their
/// directories' candidates, recent-message counts where there are recent messages,
/// their sessions' children, then the facts of all of them.
fn refresh(db: &mut Db, live: &[LiveSession], started: i64) -> usize {
    let ids = candidates(db, live, started);
    facts(db, ids)
}

fn candidates(db: &mut Db, live: &[LiveSession], started: i64) -> Vec<String> {
    let dirs: Vec<&str> = live.iter().map(|s| s.directory.as_str()).collect();
    // As the collector reads them: the newest and the active sessions where the schema allows,
    // every session of the directories where it does not.
    let by_dir = match db
        .recent_candidates_in(&dirs, 20, started, &[])
        .expect("recent candidates")
    {
        Some(by_dir) => by_dir,
        None => db.candidates_in(&dirs, 20).expect("candidates"),
    };
    let mut ids = Vec::new();
    for s in live {
        let mut cands = by_dir.get(&s.directory).cloned().unwrap_or_default();
        db.activity(&mut cands, started).expect("activity");
        if let Some(top) = cands
            .iter()
            .filter(|c| c.parent_id.is_none())
            .max_by_key(|c| c.messages_since)
        {
            ids.push(top.id.clone());
        }
    }
    ids
}

fn facts(db: &mut Db, mut ids: Vec<String>) -> usize {
    let kids = db.children(&ids).expect("children");
    ids.extend(kids.into_iter().map(|k| k.id));
    db.session_facts(&ids).expect("facts").len()
}

fn db_refresh(c: &mut Criterion) {
    let mut g = c.benchmark_group("db_refresh");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    for (name, messages, parts) in [("small", 10_000, 40_000), ("large", 1_000_000, 2_000_000)] {
        let (path, live) = fixture(name, messages, parts);
        let mut db = Db::open(&path).expect("open");
        let started = made_at(name) - HOUR;
        assert!(refresh(&mut db, &live, started) >= live.len());
        // Each iteration reads: the answers kept while nothing was committed (what a refresh
        // of an idle fleet costs) would measure a hash lookup instead.
        g.bench_function(name, |b| {
            b.iter(|| {
                db.forget_kept();
                refresh(&mut db, &live, started)
            })
        });
        // The two halves, to see which one grows with the history.
        g.bench_function(format!("{name}/candidates"), |b| {
            b.iter(|| {
                db.forget_kept();
                candidates(&mut db, &live, started)
            })
        });
        let ids = candidates(&mut db, &live, started);
        g.bench_function(format!("{name}/facts"), |b| {
            b.iter(|| {
                db.forget_kept();
                facts(&mut db, ids.clone())
            })
        });
        g.bench_function(format!("{name}/unchanged"), |b| {
            b.iter(|| refresh(&mut db, &live, started))
        });
    }
    g.finish();
}

/// What the monitor's timelines (#30) add to a refresh of 10 live sessions: today's day of
/// each, read from opencode's records. `first`: nothing kept (the first refresh, or a one-shot
/// command); `steady`: kept from the last refresh, so only the newest message on is read.
fn day_refresh(c: &mut Criterion) {
    let mut g = c.benchmark_group("day_refresh");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    let (path, live) = fixture("small", 10_000, 40_000);
    let mut db = Db::open(&path).expect("open");
    let now = made_at("small");
    let midnight = now - 6 * HOUR;
    let ids = candidates(&mut db, &live, now - HOUR);
    let days = |db: &mut Db| {
        ids.iter()
            .map(|id| {
                let facts = db.day_facts(id, midnight).expect("day");
                otop::model::timeline::from_records(&facts, now, now)
                    .intervals
                    .len()
            })
            .sum::<usize>()
    };
    assert!(days(&mut db) >= ids.len(), "the live sessions have a day");
    g.bench_function("first", |b| {
        b.iter(|| {
            db.forget_kept();
            days(&mut db)
        })
    });
    g.bench_function("steady", |b| b.iter(|| days(&mut db)));
    g.finish();
}

fn db_totals(c: &mut Criterion) {
    let (path, _) = fixture("large", 1_000_000, 2_000_000);
    let mut db = Db::open(&path).expect("open");
    let midnight = otop::collect::local_midnight_ms(chrono::Utc::now().timestamp_millis());
    // The first call reads the whole message table; the monitor pays it once.
    db.totals(midnight).expect("totals");
    c.bench_function("db_totals/large_steady", |b| {
        b.iter(|| db.totals(midnight).expect("totals"))
    });
}

fn process_scan(c: &mut Criterion) {
    c.bench_function("process_scan", |b| b.iter(otop::source::process::scan));
}

fn correlation(c: &mut Criterion) {
    let (path, live) = fixture("large", 1_000_000, 2_000_000);
    let mut db = Db::open(&path).expect("open");
    let started = made_at("large") - HOUR;
    let dirs: Vec<&str> = live.iter().map(|s| s.directory.as_str()).collect();
    let mut by_dir = db.candidates_in(&dirs, 20).expect("candidates");
    let candidates: Vec<Vec<Candidate>> = live
        .iter()
        .map(|s| {
            let mut c = by_dir.remove(&s.directory).unwrap_or_default();
            db.activity(&mut c, started).expect("activity");
            c
        })
        .collect();
    let evidence: Vec<Evidence> = live
        .iter()
        .zip(candidates)
        .enumerate()
        .map(|(i, (s, candidates))| Evidence {
            pid: 1000 + i as u32,
            started_at: started,
            cwd: Some(s.directory.clone()),
            candidates,
            ..Evidence::default()
        })
        .collect();
    assert_eq!(correlate::correlate(&evidence).len(), live.len());
    c.bench_function("correlate/10", |b| {
        b.iter(|| correlate::correlate(&evidence))
    });
}

fn render_frame(c: &mut Criterion) {
    use otop::monitor::draw as view;
    use otop::monitor::state::{App, action::Action};
    use otop::tui::theme::Theme;
    use ratatui::{Terminal, backend::TestBackend};
    let t = 1_760_000_000_000;
    let mut app = App::new(t, Theme::default());
    app.apply(Action::Resize(200, 50));
    app.ingest(otop::collect::demo::snapshot(
        &otop::collect::Focus::default(),
        t,
    ));
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("render_frame/200x50", |b| {
        b.iter(|| {
            term.draw(|f| view::draw(f, &app)).expect("draw");
        })
    });
}

/// A key press on a list of 200 sessions: the action, the state change and the frame it draws,
/// as the monitor's loop does them (target: one 60 Hz frame, 16 ms).
fn keypress_200_rows(c: &mut Criterion) {
    use otop::monitor::draw as view;
    use otop::monitor::state::{App, action::Action};
    use otop::tui::theme::Theme;
    use ratatui::{Terminal, backend::TestBackend};
    let t = 1_760_000_000_000;
    let demo = otop::collect::demo::snapshot(&otop::collect::Focus::default(), t);
    let mut snap = demo.clone();
    snap.rows = (0..200)
        .map(|i| {
            let mut r = demo.rows[i % demo.rows.len()].clone();
            if let Some(s) = r.session.as_mut() {
                s.id = format!("ses_{i:026}");
                s.title = Some(format!("{} #{i}", s.title.clone().unwrap_or_default()));
            }
            if let Some(p) = r.process.as_mut() {
                p.info.pid = 10_000 + i as u32;
            }
            r
        })
        .collect();
    let mut app = App::new(t, Theme::default());
    app.apply(Action::Resize(200, 50));
    app.ingest(snap);
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut down = true;
    c.bench_function("keypress/200_rows_200x50", |b| {
        b.iter(|| {
            // Down to the end and back, so the list scrolls.
            if app.selected + 1 >= app.shown.len() {
                down = false;
            } else if app.selected == 0 {
                down = true;
            }
            app.apply(if down { Action::Down } else { Action::Up });
            term.draw(|f| view::draw(f, &app)).expect("draw");
        })
    });
}

criterion_group!(
    benches,
    db_refresh,
    day_refresh,
    db_totals,
    process_scan,
    correlation,
    render_frame,
    keypress_200_rows
);
criterion_main!(benches);
