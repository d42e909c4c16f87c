//! Large fixture databases for benchmarks: thousands of sessions across many project
//! directories, hundreds of thousands of messages and millions of parts, shaped like opencode's
//! (user prompts, assistant steps with reasoning, tool calls, text and step-finish parts with
//! tokens, todos, subagent sessions), plus a few "live" sessions in distinct directories whose
//! latest rows look like a fleet at work right now.
//!
//! Everything is written in one transaction through prepared statements: a million parts take
//! seconds, not the minutes row-at-a-time inserts with autocommit would.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use serde_json::json;

use super::{RUN_PERMISSION, Schema};

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

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }
}

/// Prose and code to cut text from: ASCII so any byte offset is a char boundary.
const CORPUS: &str = "I'll start by reading the configuration loader to see where the timeout is \
applied, then check the retry path. The function `load_config` reads the file once and caches \
the parsed value; the bug is that the cache key ignores the profile name, so switching profiles \
returns stale settings.\nfn load_config(path: &Path, profile: &str) -> Result<Config> {\n    \
let raw = std::fs::read_to_string(path)?;\n    let all: HashMap<String, Config> = toml::from_str(&raw)?;\n    \
all.get(profile).cloned().ok_or_else(|| anyhow!(\"no profile {profile}\"))\n}\n\
Running the test suite now. 42 passed, 1 failed: config::tests::switching_profiles_reloads. \
The failure confirms the diagnosis. I've changed the cache to key on (path, profile) and added \
a regression test. Next I'll update the documentation and the changelog entry, then run clippy \
and the full suite once more to make sure nothing else depends on the old behaviour.\n\
Summary of changes:\n- src/config.rs: cache keyed by path and profile\n- tests/config.rs: new test \
for profile switching\n- CHANGELOG.md: note under Unreleased\nAll 43 tests pass and clippy is \
clean. Let me know if you'd like the cache to be invalidated on file modification time as well; \
that would need a stat per lookup, which is cheap, but it changes the semantics for callers that \
edit the file while the program runs.\n";

fn text(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let mut want = rng.range(lo, hi);
    let mut out = String::with_capacity(want);
    let mut at = rng.below(CORPUS.len() as u64) as usize;
    while want > 0 {
        let take = want.min(CORPUS.len() - at);
        out.push_str(&CORPUS[at..at + take]);
        want -= take;
        at = 0;
    }
    out
}

const TOOLS: [&str; 6] = ["bash", "read", "edit", "grep", "glob", "write"];

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

struct Writer<'c> {
    session: rusqlite::Statement<'c>,
    message: rusqlite::Statement<'c>,
    part: rusqlite::Statement<'c>,
    todo: rusqlite::Statement<'c>,
    rng: Rng,
    seq: u64,
}

impl Writer<'_> {
    /// opencode-style ids: prefix, 12 hex digits of time (inverted for sessions, which sort
    /// newest first), then a unique tail.
    fn id(&mut self, prefix: &str, t: i64, descending: bool) -> String {
        self.seq += 1;
        let v = (u64::try_from(t).unwrap_or(0).wrapping_mul(0x1000) + (self.seq & 0xfff))
            & 0xffff_ffff_ffff;
        let v = if descending { !v & 0xffff_ffff_ffff } else { v };
        format!("{prefix}_{v:012x}{:014}", self.seq)
    }

    fn part(
        &mut self,
        msg: &str,
        sid: &str,
        t: i64,
        data: &serde_json::Value,
    ) -> rusqlite::Result<()> {
        let id = self.id("prt", t, false);
        self.part
            .execute(params![id, msg, sid, t, data.to_string()])?;
        Ok(())
    }

    fn user(&mut self, sid: &str, t: i64) -> rusqlite::Result<String> {
        let data = json!({"role": "user", "time": {"created": t}, "agent": "build",
            "model": {"providerID": "anthropic", "modelID": "claude-sonnet-4"},
            "summary": {"diffs": []}});
        let id = self.id("msg", t, false);
        self.message
            .execute(params![id, sid, t, t, data.to_string()])?;
        let body = text(&mut self.rng, 40, 600);
        self.part(
            &id,
            sid,
            t,
            &json!({"type": "text", "text": body, "time": {"start": t, "end": t}}),
        )?;
        Ok(id)
    }

    /// One assistant step of `n` parts; `open` leaves it unfinished (no `time.completed`) with
    /// its last tool in `open_tool` state. Returns (id, tokens input+cache, output).
    fn assistant(
        &mut self,
        sid: &str,
        parent: &str,
        t: i64,
        n: usize,
        open: Option<OpenTool<'_>>,
    ) -> rusqlite::Result<(String, u64, u64)> {
        let input = 200 + self.rng.below(4_000);
        let cache = 10_000 + self.rng.below(60_000);
        let output = 50 + self.rng.below(1_500);
        let reasoning = self.rng.below(500);
        let cost = (input as f64 * 3.0 + output as f64 * 15.0) / 1e6;
        let tokens = json!({"total": input + output + reasoning + cache, "input": input,
            "output": output, "reasoning": reasoning, "cache": {"write": 0, "read": cache}});
        let done = t + 5_000 + self.rng.below(30_000) as i64;
        let mut time = json!({"created": t});
        let mut data = json!({"parentID": parent, "role": "assistant", "mode": "build",
            "agent": "build", "path": {"cwd": "/", "root": "/"}, "cost": cost, "tokens": tokens,
            "modelID": "claude-sonnet-4", "providerID": "anthropic"});
        if open.is_none() {
            time["completed"] = json!(done);
            data["finish"] = json!(if n >= 4 { "tool-calls" } else { "stop" });
        }
        data["time"] = time;
        let id = self.id("msg", t, false);
        let updated = if open.is_none() { done } else { t };
        self.message
            .execute(params![id, sid, t, updated, data.to_string()])?;
        let kinds = step_layout(n, open.is_some());
        let last_tool = kinds.iter().rposition(|k| *k == "tool");
        for (i, kind) in kinds.iter().enumerate() {
            let pt = t + i as i64 * 400;
            let data = match *kind {
                "step-start" => {
                    json!({"type": "step-start", "snapshot": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"})
                }
                "reasoning" => json!({"type": "reasoning", "text": text(&mut self.rng, 100, 1_200),
                    "time": {"start": pt, "end": pt + 300}}),
                "text" => json!({"type": "text", "text": text(&mut self.rng, 80, 1_500),
                    "time": {"start": pt, "end": pt + 200}}),
                "step-finish" => json!({"type": "step-finish", "reason": "stop", "cost": cost,
                    "tokens": tokens, "snapshot": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"}),
                _ => match (&open, Some(i) == last_tool) {
                    (Some(o), true) => o.part(pt),
                    _ => self.completed_tool(pt),
                },
            };
            self.part(&id, sid, pt, &data)?;
        }
        Ok((id, input + cache, output))
    }

    fn completed_tool(&mut self, t: i64) -> serde_json::Value {
        let tool = TOOLS[self.rng.below(TOOLS.len() as u64) as usize];
        self.seq += 1;
        let input = match tool {
            "bash" => json!({"command": "cargo test --quiet", "description": "Run the tests"}),
            "grep" => json!({"pattern": "load_config", "path": "src"}),
            "glob" => json!({"pattern": "src/**/*.rs"}),
            _ => json!({"filePath": "/src/config.rs"}),
        };
        let output = text(&mut self.rng, 100, 2_000);
        json!({"type": "tool", "tool": tool, "callID": format!("call_{}", self.seq),
            "state": {"status": "completed", "input": input, "output": output,
                "title": "src/config.rs", "metadata": {"truncated": false},
                "time": {"start": t, "end": t + 800}}})
    }
}

/// The tool a live session is in the middle of.
#[derive(Clone, Copy)]
enum OpenTool<'a> {
    /// A question waiting for an answer.
    Question,
    /// bash waiting for permission (no metadata yet).
    Permission,
    /// bash running.
    Running,
    /// A task running the given subagent session.
    Task(&'a str),
}

impl OpenTool<'_> {
    fn part(&self, t: i64) -> serde_json::Value {
        let (tool, state) = match self {
            OpenTool::Question => (
                "question",
                json!({"status": "running",
                "input": {"questions": [{"header": "Which database?", "question": "Use SQLite or Postgres?"}]},
                "time": {"start": t}}),
            ),
            OpenTool::Permission => (
                "bash",
                json!({"status": "running",
                "input": {"command": "rm -rf target/tmp"}, "time": {"start": t}}),
            ),
            OpenTool::Running => (
                "bash",
                json!({"status": "running",
                "input": {"command": "cargo build --release"}, "metadata": {"output": ""},
                "time": {"start": t}}),
            ),
            OpenTool::Task(child) => (
                "task",
                json!({"status": "running",
                "input": {"description": "Explore the code", "subagent_type": "explore"},
                "metadata": {"sessionId": child}, "time": {"start": t}}),
            ),
        };
        json!({"type": "tool", "tool": tool, "callID": format!("call_open_{t}"), "state": state})
    }
}

/// Part kinds of an assistant step with `n` parts, in order. An open step ends on its tool.
fn step_layout(n: usize, open: bool) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = match n {
        0 => vec![],
        1 => vec!["text"],
        2 => vec!["step-start", "text"],
        3 => vec!["step-start", "text", "step-finish"],
        4 => vec!["step-start", "tool", "text", "step-finish"],
        _ => {
            let mut v = vec!["step-start", "reasoning"];
            v.extend(std::iter::repeat_n("tool", n - 4));
            v.extend(["text", "step-finish"]);
            v
        }
    };
    if open {
        v.retain(|k| *k != "step-finish" && *k != "text");
        v.push("tool");
    }
    v
}

/// Generates a database at `path` (which must not exist yet).
pub fn generate(path: &Path, spec: &BulkSpec) -> rusqlite::Result<BulkSummary> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Nothing to lose while generating: the file is thrown away if this fails.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.execute_batch(spec.schema.ddl())?;
    conn.execute(
        "INSERT INTO project (id, worktree, vcs, time_created, time_updated, sandboxes) \
         VALUES ('global', '/', 'git', 0, 0, '[]')",
        [],
    )?;
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

    let mut w = Writer {
        session: conn.prepare(
            "INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, \
             permission, time_created, time_updated) VALUES (?1, 'global', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?,
        message: conn.prepare(
            "INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?,
        part: conn.prepare(
            "INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) \
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        )?,
        todo: conn.prepare(
            "INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) \
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
        )?,
        rng: Rng(spec.seed ^ 0xabcd),
        seq: 0,
    };
    let version = match spec.schema {
        Schema::Current => "1.18.33",
        Schema::Old => "1.2.27",
    };
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
            Some(_) => "Explore the config loader (@explore subagent)".to_string(),
            None => format!("Fix profile switching in config loader #{i}"),
        };
        let slug = format!("bench-{i}");
        w.session.execute(params![
            sid,
            parent,
            slug,
            dirs[dir_ix],
            title,
            version,
            parent.as_ref().map(|_| RUN_PERMISSION),
            created,
            last.max(created)
        ])?;
        if parent.is_none() {
            tops.push((sid.clone(), dir_ix));
        }
        let live_ix = is_live.then(|| i - history);
        let (ctx, outp, cost) = write_messages(
            &mut w,
            &sid,
            planned,
            first,
            step,
            live_ix,
            &dirs[dir_ix],
            version,
        )?;
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
                w.todo
                    .execute(params![sid, content, status, "medium", pos as i64])?;
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
#[allow(clippy::too_many_arguments)]
fn write_messages(
    w: &mut Writer<'_>,
    sid: &str,
    planned: &[Planned],
    first: i64,
    step: i64,
    live: Option<usize>,
    dir: &str,
    version: &str,
) -> rusqlite::Result<(u64, u64, f64)> {
    let mut child = None;
    if live == Some(3) {
        let t = first + step * planned.len().saturating_sub(1) as i64;
        let cid = w.id("ses", t, true);
        w.session.execute(params![
            cid,
            sid,
            format!("{sid}-child"),
            dir,
            "Explore the config loader (@explore subagent)",
            version,
            RUN_PERMISSION,
            t,
            t + 1_000
        ])?;
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
