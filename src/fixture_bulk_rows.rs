//! The rows of a bulk fixture: opencode-shaped messages and parts (user prompts, assistant
//! steps with reasoning, tool calls, text and step-finish parts with tokens), written through
//! prepared statements, and the seeded randomness that varies them.

use rusqlite::{Connection, params};
use serde_json::json;

use crate::fixture::{
    INSERT_MESSAGE, INSERT_PART, INSERT_SESSION, INSERT_TODO, SessionSpec, insert_session, next_id,
};

/// splitmix64: deterministic, no dependency.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub(super) fn range(&mut self, lo: usize, hi: usize) -> usize {
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

/// Prepared inserts into one transaction, and what varies the rows.
pub(super) struct Writer<'c> {
    session: rusqlite::Statement<'c>,
    message: rusqlite::Statement<'c>,
    part: rusqlite::Statement<'c>,
    todo: rusqlite::Statement<'c>,
    pub(super) rng: Rng,
    seq: u64,
    /// opencode's version, as the session rows record it.
    version: &'static str,
}

impl<'c> Writer<'c> {
    pub(super) fn new(
        conn: &'c Connection,
        seed: u64,
        version: &'static str,
    ) -> rusqlite::Result<Self> {
        Ok(Writer {
            session: conn.prepare(INSERT_SESSION)?,
            message: conn.prepare(INSERT_MESSAGE)?,
            part: conn.prepare(INSERT_PART)?,
            todo: conn.prepare(INSERT_TODO)?,
            rng: Rng(seed ^ 0xabcd),
            seq: 0,
            version,
        })
    }
}

impl Writer<'_> {
    /// An opencode-style id (sessions `descending`, as they sort newest first).
    pub(super) fn id(&mut self, prefix: &str, t: i64, descending: bool) -> String {
        next_id(&mut self.seq, prefix, t, descending)
    }

    /// The session row of `s`, with an id from [`Writer::id`].
    pub(super) fn session(
        &mut self,
        id: &str,
        s: &SessionSpec,
        slug: &str,
    ) -> rusqlite::Result<()> {
        insert_session(&mut self.session, id, s, slug, self.version)
    }

    pub(super) fn todo(
        &mut self,
        sid: &str,
        position: usize,
        content: &str,
        status: &str,
    ) -> rusqlite::Result<()> {
        self.todo
            .execute(params![sid, content, status, "medium", position as i64])?;
        Ok(())
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

    pub(super) fn user(&mut self, sid: &str, t: i64) -> rusqlite::Result<String> {
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
    pub(super) fn assistant(
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
pub(super) enum OpenTool<'a> {
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
