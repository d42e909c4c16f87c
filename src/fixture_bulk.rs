//! Large fixture databases for benchmarks: thousands of sessions across many project
//! directories, hundreds of thousands of messages and millions of parts, shaped like opencode's
//! (user prompts, assistant steps with reasoning, tool calls, text and step-finish parts with
//! tokens, todos, subagent sessions), plus a few "live" sessions in distinct directories whose
//! latest rows look like a fleet at work right now.
//!
//! Everything is written in one transaction through prepared statements: a million parts take
//! seconds, not the minutes row-at-a-time inserts with autocommit would. This file plans the
//! sessions and their messages; `fixture_bulk_rows.rs` writes the rows.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::{INSERT_PROJECT, Schema, SessionSpec};

#[path = "fixture_bulk_rows.rs"]
mod rows;

use rows::{OpenTool, Rng, Writer};

/// The title of subagent sessions.
const SUBAGENT_TITLE: &str = "Explore the config loader (@explore subagent)";

/// What to generate.
#[derive(Debug, Clone)]
pub struct BulkSpec {
    pub messages: usize,
    pub parts: usize,
    pub sessions: usize,
    /// Sessions made to look live (distinct directories, latest activity near `now`).
    pub live: usize,
    /// Messages in each live session, whatever the total: keeps "the same live sessions"
    /// when comparing small and large databases.
    pub live_messages: usize,
    /// Project directories are `<root>/proj-NNN`.
    pub root: PathBuf,
    pub schema: Schema,
    /// Unix ms; live sessions end just before it, history lies in the 180 days before.
    pub now: i64,
    pub seed: u64,
}

impl BulkSpec {
    pub fn new(messages: usize, parts: usize, sessions: usize, root: &Path, now: i64) -> Self {
        BulkSpec {
            messages,
            parts,
            sessions,
            live: 10,
            live_messages: 100,
            root: root.to_path_buf(),
            schema: Schema::Current,
            now,
            seed: 0x5eed,
        }
    }
}

/// A live session: where a stand-in process must run to be matched to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSession {
    pub id: String,
    pub directory: String,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct BulkSummary {
    pub sessions: usize,
    pub messages: usize,
    pub parts: usize,
    pub live: Vec<LiveSession>,
    pub directories: Vec<String>,
}

/// One message of the plan: its role and how many parts it gets.
#[derive(Clone, Copy)]
struct Planned {
    user: bool,
    parts: usize,
}

/// Roles per session (a user prompt, then one to four assistant steps), then parts spread
/// evenly over assistant messages (users get their one text part).
fn plan(counts: &[usize], total_parts: usize, rng: &mut Rng) -> Vec<Vec<Planned>> {
    let mut out: Vec<Vec<Planned>> = counts
        .iter()
        .map(|&n| {
            let mut v = Vec::with_capacity(n);
            while v.len() < n {
                v.push(Planned {
                    user: true,
                    parts: 1,
                });
                for _ in 0..rng.range(1, 4) {
                    if v.len() < n {
                        v.push(Planned {
                            user: false,
                            parts: 0,
                        });
                    }
                }
            }
            v
        })
        .collect();
    let users: usize = out.iter().flatten().filter(|m| m.user).count();
    let assistants: usize = out.iter().flatten().filter(|m| !m.user).count();
    let budget = total_parts.saturating_sub(users);
    let per = assistants.max(1);
    for (k, m) in out.iter_mut().flatten().filter(|m| !m.user).enumerate() {
        // Bresenham: exactly `budget` parts over `assistants` messages.
        m.parts = (k + 1) * budget / per - k * budget / per;
    }
    out
}

/// Message counts: live sessions get `live_messages`; the rest share what is left, skewed so
/// a few sessions are long and most are short, as in real use.
fn message_counts(spec: &BulkSpec, rng: &mut Rng) -> Vec<usize> {
    let live = spec.live.min(spec.sessions);
    let live_total = (spec.live_messages * live).min(spec.messages);
    let rest = spec.messages - live_total;
    let history = spec.sessions - live;
    let weights: Vec<u64> = (0..history).map(|_| 1 + rng.below(10).pow(2)).collect();
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| (rest as u64 * w / sum) as usize)
        .collect();
    // Rounding leftovers, one each to the first sessions.
    let left = rest - counts.iter().sum::<usize>();
    for c in counts.iter_mut().take(left) {
        *c += 1;
    }
    counts.extend(std::iter::repeat_n(live_total / live.max(1), live));
    counts
}

/// Generates a database at `path` (which must not exist yet).
pub fn generate(path: &Path, spec: &BulkSpec) -> rusqlite::Result<BulkSummary> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Nothing to lose while generating: the file is thrown away if this fails.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.execute_batch(spec.schema.ddl())?;
    conn.execute(INSERT_PROJECT, [])?;
    let tx = conn.transaction()?;
    let summary = fill(&tx, spec)?;
    tx.commit()?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // No ANALYZE: opencode does not run it, and the query planner must do well without stats.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(summary)
}

fn fill(conn: &Connection, spec: &BulkSpec) -> rusqlite::Result<BulkSummary> {
    let mut rng = Rng(spec.seed);
    let counts = message_counts(spec, &mut rng);
    let plans = plan(&counts, spec.parts, &mut rng);
    let live = spec.live.min(spec.sessions);
    let history = spec.sessions - live;
    // About twenty sessions per project, and never fewer directories than live sessions.
    let projects = (spec.sessions / 20).max(live).max(1);
    let dirs: Vec<String> = (0..projects)
        .map(|i| spec.root.join(format!("proj-{i:03}")).display().to_string())
        .collect();

    let mut w = Writer::new(conn, spec.seed, spec.schema.version())?;
    let mut out = BulkSummary {
        directories: dirs.clone(),
        ..BulkSummary::default()
    };
    let day = 86_400_000i64;
    let mut tops: Vec<(String, usize)> = Vec::new();
    let mut totals: Vec<(String, u64, u64, f64)> = Vec::new();
    for (i, planned) in plans.iter().enumerate() {
        let is_live = i >= history;
        // History spreads over 180 days up to a day ago; live sessions began two hours ago.
        let created = if is_live {
            spec.now - 2 * 3_600_000
        } else {
            spec.now - 180 * day + (i as i64 * 179 * day) / history.max(1) as i64
        };
        let dir_ix = if is_live {
            // Live sessions: one directory each, the last `live` directories.
            projects - live + (i - history)
        } else {
            w.rng.below(projects as u64) as usize
        };
        // One history session in ten is a subagent of the previous top-level session there.
        let parent = (!is_live && w.rng.below(10) == 0)
            .then(|| {
                tops.iter()
                    .rev()
                    .find(|(_, d)| *d == dir_ix)
                    .map(|(id, _)| id.clone())
            })
            .flatten();
        // Live sessions step every 30 s and end 15 s to 5 min before now; history every 20 s.
        let step = if is_live { 30_000 } else { 20_000 };
        let first = if is_live {
            let end = spec.now - 15_000 - (i - history) as i64 * 30_000;
            end - step * planned.len().saturating_sub(1) as i64
        } else {
            created
        };
        let last = first + step * planned.len().saturating_sub(1) as i64;
        let sid = w.id("ses", created, true);
        let title = match &parent {
            Some(_) => SUBAGENT_TITLE.to_string(),
            None => format!("Fix profile switching in config loader #{i}"),
        };
        let session = SessionSpec {
            title,
            directory: dirs[dir_ix].clone(),
            permission: parent.is_some(),
            parent_id: parent.clone(),
            created,
            updated: last.max(created),
            ..SessionSpec::default()
        };
        w.session(&sid, &session, &format!("bench-{i}"))?;
        if parent.is_none() {
            tops.push((sid.clone(), dir_ix));
        }
        let live_ix = is_live.then(|| i - history);
        let (ctx, outp, cost) =
            write_messages(&mut w, &sid, planned, first, step, live_ix, &dirs[dir_ix])?;
        out.messages += planned.len();
        out.parts += planned.iter().map(|m| m.parts).sum::<usize>();
        totals.push((sid.clone(), ctx, outp, cost));
        if is_live {
            out.live.push(LiveSession {
                id: sid.clone(),
                directory: dirs[dir_ix].clone(),
            });
        }
        if is_live || w.rng.below(5) == 0 {
            for pos in 0..w.rng.range(2, 7) {
                let status = [
                    "completed",
                    "completed",
                    "in_progress",
                    "pending",
                    "pending",
                ][pos.min(4)];
                let content = format!("Step {pos}: update the loader and its tests");
                w.todo(&sid, pos, &content, status)?;
            }
        }
    }
    // Live session 3 runs a subagent: one more session row.
    out.sessions = plans.len() + usize::from(live > 3);
    if spec.schema == Schema::Current {
        let mut up = conn.prepare(
            "UPDATE session SET tokens_input = ?2, tokens_output = ?3, cost = ?4, agent = 'build', \
             model = '{\"id\":\"claude-sonnet-4\",\"providerID\":\"anthropic\",\"variant\":\"default\"}' WHERE id = ?1",
        )?;
        for (sid, ctx, outp, cost) in &totals {
            up.execute(params![sid, *ctx as i64, *outp as i64, cost])?;
        }
    }
    Ok(out)
}

/// Writes one session's messages, `step` ms apart from `first`. A live session (`live` = its
/// index) ends in a state that depends on the index: waiting on a question, waiting on a
/// permission, running bash, running a subagent, or idle. Returns (context tokens, output
/// tokens, cost) summed over its assistant messages.
fn write_messages(
    w: &mut Writer<'_>,
    sid: &str,
    planned: &[Planned],
    first: i64,
    step: i64,
    live: Option<usize>,
    dir: &str,
) -> rusqlite::Result<(u64, u64, f64)> {
    let mut child = None;
    if live == Some(3) {
        let t = first + step * planned.len().saturating_sub(1) as i64;
        let cid = w.id("ses", t, true);
        let row = SessionSpec {
            title: SUBAGENT_TITLE.to_string(),
            directory: dir.to_string(),
            parent_id: Some(sid.to_string()),
            permission: true,
            created: t,
            updated: t + 1_000,
            ..SessionSpec::default()
        };
        w.session(&cid, &row, &format!("{sid}-child"))?;
        let u = w.user(&cid, t)?;
        w.assistant(&cid, &u, t + 1_000, 5, Some(OpenTool::Running))?;
        child = Some(cid);
    }
    let open = match live {
        Some(0) => Some(OpenTool::Question),
        Some(1) => Some(OpenTool::Permission),
        Some(2) | Some(4) => Some(OpenTool::Running),
        Some(3) => child.as_deref().map(OpenTool::Task),
        _ => None,
    };
    let (mut ctx, mut out, mut cost) = (0u64, 0u64, 0f64);
    let mut parent = String::new();
    let n = planned.len();
    for (j, m) in planned.iter().enumerate() {
        let t = first + step * j as i64;
        let last = j + 1 == n;
        if m.user && !(last && open.is_some()) {
            parent = w.user(sid, t)?;
        } else {
            let parts = if m.user { 5 } else { m.parts };
            let o = if last { open } else { None };
            let (_, c, op) = w.assistant(sid, &parent, t, parts, o)?;
            ctx += c;
            out += op;
            cost += (c as f64 * 0.3 + op as f64 * 15.0) / 1e6;
        }
    }
    Ok((ctx, out, cost))
}

/// Marks the live sessions active at `now`: their latest message (and its parts) moves to
/// `now`, so stand-in processes started before this call see activity since their start and
/// are matched to them, as real TUIs would be. States stay as generated.
pub fn touch(path: &Path, live: &[LiveSession], now: i64) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    let tx = conn.transaction()?;
    for (k, s) in live.iter().enumerate() {
        let t = now - k as i64;
        let latest: String = tx.query_row(
            "SELECT id FROM message WHERE session_id = ?1 ORDER BY time_created DESC, id DESC LIMIT 1",
            [&s.id],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE message SET time_created = ?2, time_updated = ?2 WHERE id = ?1",
            params![latest, t],
        )?;
        tx.execute(
            "UPDATE part SET time_created = ?2, time_updated = ?2 WHERE message_id = ?1",
            params![latest, t],
        )?;
        tx.execute(
            "UPDATE session SET time_updated = ?2 WHERE id = ?1 OR parent_id = ?1",
            params![s.id, t],
        )?;
    }
    tx.commit()
}

/// The live sessions of a generated database, as `id<TAB>directory` lines.
pub fn live_tsv(live: &[LiveSession]) -> String {
    live.iter()
        .map(|s| format!("{}\t{}\n", s.id, s.directory))
        .collect()
}

/// Parses [`live_tsv`] output.
pub fn parse_live_tsv(s: &str) -> Vec<LiveSession> {
    s.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, d)| LiveSession {
            id: id.to_string(),
            directory: d.to_string(),
        })
        .collect()
}
