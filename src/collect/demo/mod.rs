//! `otop --demo`: a simulated fleet of opencode sessions, a deterministic function of `now`,
//! so the monitor can be tried (and snapshot-tested) without opencode or tmux.

use crate::collect::{Detail, Focus, Snapshot, Source};
use crate::error::Error;
use crate::model::request::Order;
use crate::model::request::Request;
use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::state::{MatchRule, State, Status};
use crate::source::db::types::{
    HistoryItem, QuestionFacts, Role, SessionFacts, Todo, Tokens, ToolFacts, ToolStatus, Totals,
    TotalsPair,
};
use crate::source::process::types::{Kind, ProcessInfo};
use fleet::{FLEET, HELPERS, Phase, Spec};

mod day;
mod fleet;

/// Where the demo's panes say they are: no tmux server listens there.
pub const DEMO_SOCKET: &str = "/nonexistent/otop-demo/default";

/// The built-in simulated fleet. A session waiting for an answer waits until it is answered
/// here (in the monitor or the picker, which keep one source): then it goes on through its
/// script, and in time asks again.
#[derive(Debug, Default, Clone)]
pub struct DemoSource {
    /// When each waiting session (by its index in the fleet) was last answered, Unix ms.
    answered: Answered,
}

/// Fleet index → when its request was answered.
pub type Answered = std::collections::HashMap<usize, i64>;

impl Source for DemoSource {
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        snapshot_answered(focus, now, &self.answered)
    }

    /// Takes the answer as opencode would (the session goes on) and says it is the demo's.
    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        let i = FLEET
            .iter()
            .enumerate()
            .position(|(i, _)| order.row.session_id() == Some(id("ses", i as u64 + 1).as_str()));
        // As it is now, not as the caller last saw it.
        let current = i.map(|i| row(&FLEET[i], i, now, self.answered.get(&i).copied()));
        let request = current
            .as_ref()
            .and_then(|r| r.status.request.as_deref())
            .ok_or_else(|| Error::Refused("this demo session waits for no answer".into()))?;
        // Named as a real session's misfit is (`reply::give`).
        request.check(&order.answer).map_err(|why| Error::Misfit {
            session: request.session_id.clone(),
            why,
        })?;
        let said = format!(
            "demo: answered {} to {}; the simulated session goes on (nothing is sent in the \
             demo)",
            order.answer.describe(),
            request.summary()
        );
        if let Some(i) = i {
            self.answered.insert(i, now);
        }
        Ok(said)
    }
}

/// A 26-character base62 tail, deterministic per seed, like opencode's ids.
fn id(prefix: &str, seed: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x2545_F491);
    let tail: String = (0..26)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 62) as usize] as char
        })
        .collect();
    format!("{prefix}_{tail}")
}

fn pid(i: usize) -> u32 {
    41_200 + 37 * i as u32
}

/// How long an unanswered request has been waiting at `now` (ms): it counts up to the length
/// of its phase, then from 0 again (as if asked anew; what the demo showed before answers).
fn waiting_for(first: &Phase, i: usize, now: i64) -> i64 {
    (now / 1000 + 7 * i as i64).rem_euclid(first.2.max(1)) * 1000 + now.rem_euclid(1000)
}

/// The phase a spec is in at `now`, and how long it has been in it (ms). A spec that starts by
/// waiting for an answer stays there until `answered` (when it was last answered), then plays
/// its other phases once and waits again.
fn phase_at(spec: &Spec, i: usize, now: i64, answered: Option<i64>) -> (&'static Phase, i64) {
    let first = &spec.phases[0];
    if first.1 == State::Waiting {
        let Some(at) = answered else {
            return (first, waiting_for(first, i, now));
        };
        let mut t = now.saturating_sub(at);
        for p in &spec.phases[1..] {
            if t < p.2 * 1000 {
                return (p, t);
            }
            t -= p.2 * 1000;
        }
        return (first, t);
    }
    let total: i64 = spec.phases.iter().map(|p| p.2).sum::<i64>().max(1);
    let mut t = (now / 1000 + 7 * i as i64).rem_euclid(total);
    for p in spec.phases {
        if t < p.2 {
            return (p, t * 1000 + now.rem_euclid(1000));
        }
        t -= p.2;
    }
    (first, 0)
}

fn tool_for(detail: &str) -> Option<ToolFacts> {
    let (tool, title, summary, has_metadata) = match detail {
        "asking" => (
            "question",
            None,
            "Which runner image should the job pin?",
            true,
        ),
        "permission" => ("edit", None, "src/width.rs", false),
        "tool:bash" => (
            "bash",
            Some("Run the test suite"),
            "cargo test --workspace",
            true,
        ),
        "tool:edit" => ("edit", Some("src/width.rs"), "src/width.rs", true),
        "tool:grep" => ("grep", Some("validate\\("), "validate\\(", true),
        _ => return None,
    };
    let questions = (tool == "question")
        .then(|| QuestionFacts {
            question: summary.to_string(),
            header: Some("Runner".into()),
            options: vec!["ubuntu-24.04".into(), "ubuntu-22.04".into()],
            multiple: false,
            custom: true,
        })
        .into_iter()
        .collect();
    Some(ToolFacts {
        tool: tool.to_string(),
        title: title.map(str::to_string),
        status: ToolStatus::Running,
        started_at: None,
        has_metadata,
        child_session: None,
        input_summary: Some(summary.to_string()),
        part_id: format!("prt_demo_{tool}"),
        questions,
        ..ToolFacts::default()
    })
}

fn session(spec: &Spec, i: usize, now: i64, answered: Option<i64>) -> SessionFacts {
    let ((detail, _, _, last), in_phase) = phase_at(spec, i, now, answered);
    let minutes = now / 60_000;
    let age = spec.age_min.max(3) * 60_000;
    let context = 18_000 + (i as u64 * 9_731) % 40_000 + (minutes as u64 % 90) * 613;
    let output = 900 + (i as u64 * 3_517) % 9_000 + (minutes as u64 % 90) * 57;
    SessionFacts {
        id: id("ses", i as u64 + 1),
        title: Some(spec.title.to_string()),
        directory: Some(spec.dir.to_string()),
        parent_id: spec.parent.map(|p| id("ses", p as u64 + 1)),
        project_id: None,
        created_at: Some(now - age),
        updated_at: Some(now - in_phase),
        compacting_at: (*detail == "compacting").then_some(now - in_phase),
        archived_at: None,
        has_permission: Some(spec.noninteractive),
        model: Some(spec.model.to_string()),
        agent: Some(
            if spec.parent.is_some() {
                "explore"
            } else {
                "build"
            }
            .to_string(),
        ),
        message_count: 6 + (i as u64 * 13) % 80 + (minutes as u64 % 90) / 3,
        tokens: Tokens {
            input: context / 3,
            output,
            reasoning: output / 4,
            cache_read: context - context / 3,
            cache_write: 2_048,
        },
        context_tokens: Some(context),
        cost: None,
        last_message: None,
        round_started_at: Some(now - in_phase - 45_000 * (i as i64 % 4)),
        last_output: Some(last.to_string()),
        tools: tool_for(detail).into_iter().collect(),
        todos: spec
            .todos
            .iter()
            .map(|(c, s, p)| Todo {
                content: c.to_string(),
                status: s.to_string(),
                priority: p.to_string(),
            })
            .collect(),
        last_activity_at: Some(now - in_phase),
    }
}

fn process(
    pid: u32,
    name: &str,
    argv: &[&str],
    cwd: &str,
    tty: Option<String>,
    started_at: i64,
) -> ProcessInfo {
    ProcessInfo {
        pid,
        ppid: 1,
        name: name.to_string(),
        exe: None,
        argv: argv.iter().map(|s| s.to_string()).collect(),
        cwd: Some(cwd.to_string()),
        tty,
        started_at,
        cpu_time_ms: 0,
        rss_bytes: (180 + (u64::from(pid) % 200)) << 20,
        ..ProcessInfo::default()
    }
}

fn row(spec: &Spec, i: usize, now: i64, answered: Option<i64>) -> Row {
    let s = session(spec, i, now, answered);
    let ((detail, state, _, _), _) = phase_at(spec, i, now, answered);
    let working = *state == State::Working;
    let proc_row = (spec.age_min > 0).then(|| {
        let argv: &[&str] = if spec.kind == Kind::Run {
            &["opencode", "run", "Generate a commit message"]
        } else {
            &["opencode"]
        };
        let tty = Some(format!("/dev/pts/{}", 2 + i));
        ProcessRow {
            info: process(
                pid(i),
                "opencode",
                argv,
                spec.dir,
                tty,
                now - spec.age_min * 60_000,
            ),
            kind: spec.kind,
            cpu_percent: Some(if working {
                18.0 + (i * 11 % 60) as f32
            } else {
                0.3
            }),
            owner: None,
            plugin: false,
        }
    });
    let tmux = spec.tmux.map(|(session, window, name, pane)| TmuxLocation {
        // Shaped like a server's socket, but none: nothing may mistake a demo pane for one of
        // the user's (a jump, `watch`'s per-pane options).
        socket: DEMO_SOCKET.to_string(),
        pane_id: pane.to_string(),
        target: format!("{session}:{window}.0"),
        session: session.to_string(),
        window,
        window_name: name.to_string(),
        host: None,
    });
    Row {
        matched: proc_row.as_ref().map(|_| MatchRule::Flag),
        process: proc_row,
        status: Status::new(*state, *detail).with_request(
            s.tools
                .first()
                .filter(|_| *state == State::Waiting)
                .and_then(|t| Request::from_part(&s.id, t)),
        ),
        session: Some(s),
        tmux,
        unseen: false,
        certain: false,
        host: None,
    }
}

fn helper(j: usize, now: i64) -> Option<Row> {
    let (name, argv, owner) = HELPERS.get(j)?;
    let spec = FLEET.get(*owner)?;
    let info = process(pid(20 + j), name, argv, spec.dir, None, now - 40 * 60_000);
    Some(Row {
        process: Some(ProcessRow {
            info,
            kind: Kind::Helper,
            cpu_percent: Some(1.5 * j as f32),
            owner: Some(pid(*owner)),
            plugin: false,
        }),
        session: None,
        status: Status::new(State::Idle, "helper"),
        matched: None,
        tmux: None,
        unseen: false,
        certain: false,
        host: None,
    })
}

fn totals(now: i64) -> TotalsPair {
    let minutes = (now / 60_000).rem_euclid(1440) as u64;
    TotalsPair {
        today: Totals {
            sessions: 14,
            messages: 380 + minutes / 4,
            context_tokens: 4_200_000 + minutes * 9_000,
            output_tokens: 96_000 + minutes * 210,
            // As most local and subscription providers record: no COST is shown.
            cost_micros: 0,
        },
        all_time: Totals {
            sessions: 1_287,
            messages: 41_930 + minutes / 4,
            context_tokens: 912_000_000 + minutes * 9_000,
            output_tokens: 18_400_000 + minutes * 210,
            cost_micros: 0,
        },
    }
}

fn history(i: usize, now: i64) -> Vec<HistoryItem> {
    let spec = &FLEET[i.min(FLEET.len() - 1)];
    let model = Some(spec.model.to_string());
    let mut items = Vec::new();
    for k in 0..4u64 {
        let at = now - (4 - k as i64) * 240_000;
        items.push(HistoryItem {
            id: id("msg", 100 * i as u64 + 2 * k),
            role: Role::User,
            created_at: Some(at),
            completed_at: None,
            agent: Some("build".to_string()),
            model: model.clone(),
            tokens: Tokens::default(),
            finish: None,
            error: None,
            text: format!("Step {}: {}", k + 1, spec.title),
            tools: Vec::new(),
        });
        let last = k == 3;
        items.push(HistoryItem {
            id: id("msg", 100 * i as u64 + 2 * k + 1),
            role: Role::Assistant,
            created_at: Some(at + 2_000),
            completed_at: (!last).then_some(at + 95_000),
            agent: Some("build".to_string()),
            model: model.clone(),
            tokens: Tokens {
                input: 1_200 * (k + 1),
                output: 310 * (k + 1),
                reasoning: 40,
                cache_read: 20_000 + 4_000 * k,
                cache_write: 0,
            },
            finish: (!last).then(|| if k == 1 { "tool-calls" } else { "stop" }.to_string()),
            error: (k == 2 && i == 4).then(|| "APIError".to_string()),
            text: "I looked at the code.\nThe change is small: one check and two tests."
                .to_string(),
            tools: vec![
                (
                    "read".to_string(),
                    Some("src/auth.rs".to_string()),
                    ToolStatus::Completed,
                ),
                (
                    "bash".to_string(),
                    Some("cargo test".to_string()),
                    if last {
                        ToolStatus::Running
                    } else {
                        ToolStatus::Completed
                    },
                ),
            ],
        });
    }
    items
}

/// A fake `capture-pane -e -p` of a TUI in state `detail`, with colours and one hostile escape
/// the view must strip.
fn pane_text(title: &str, detail: &str) -> String {
    let body = match detail {
        "permission" => "\u{1b}[33m△ Permission required\u{1b}[0m\n\
             ← Edit src/width.rs\n\
             \n\
             \u{1b}]0;pwned\u{7}\u{1b}[7m Allow once \u{1b}[0m  Allow always   Reject\n"
            .to_string(),
        "asking" => "\u{1b}[36mRunner\u{1b}[0m\n\
             Which runner image should the job pin?\n\
             \u{1b}]0;pwned\u{7}\u{1b}[7m 1. ubuntu-24.04 \u{1b}[0m\n\
             \x20 2. ubuntu-22.04\n\
             \x20 3. Type your own answer\n"
            .to_string(),
        _ => "\u{1b}[32m$ cargo test --workspace\u{1b}[0m\n\
             running 214 tests\n\
             test auth::expired_token_is_rejected ... \u{1b}[32mok\u{1b}[0m\n\
             test auth::fresh_token_is_accepted ... \u{1b}[32mok\u{1b}[0m\n\
             \u{1b}]0;pwned\u{7}test result: \u{1b}[1;32mok\u{1b}[0m. 214 passed; 0 failed\n"
            .to_string(),
    };
    format!(
        "\u{1b}[1;36m┃\u{1b}[0m  {title}\n\
         \u{1b}[1;36m┃\u{1b}[0m\n\
         {body}\
         \n\
         \u{1b}[7m build \u{1b}[0m \u{1b}[2mclaude-sonnet-4-5\u{1b}[0m   \u{1b}[33mctrl+p\u{1b}[0m commands\n"
    )
}

/// The MCP panel of a demo session in `dir`: made up like the rest (the GitHub server is the
/// `node` helper the fleet shows), never read from this machine.
pub fn mcp(dir: Option<&str>) -> crate::source::opencode_config::McpPanel {
    use crate::source::opencode_config::{McpFile, McpPanel, parse_mcp};
    const CONFIG: &str = r#"{"mcp": {
        "github": {"type": "local", "command": ["npx", "-y", "@modelcontextprotocol/server-github"]},
        "docs": {"type": "remote", "url": "https://mcp.example.com/sse", "enabled": false}
    }}"#;
    McpPanel {
        files: vec![McpFile {
            path: format!("{}/opencode.json (demo)", dir.unwrap_or("/home/dev/src")),
            servers: parse_mcp(CONFIG),
        }],
    }
}

/// The whole fleet at `now`, nothing answered yet, with the focused session's details.
pub fn snapshot(focus: &Focus, now: i64) -> Snapshot {
    snapshot_answered(focus, now, &Answered::new())
}

/// The whole fleet at `now`, after the `answered` answers.
pub fn snapshot_answered(focus: &Focus, now: i64, answered: &Answered) -> Snapshot {
    let mut rows: Vec<Row> = FLEET
        .iter()
        .enumerate()
        .map(|(i, s)| row(s, i, now, answered.get(&i).copied()))
        .collect();
    rows.extend((0..HELPERS.len()).filter_map(|j| helper(j, now)));
    let detail = focus.session_id.as_ref().map(|sid| {
        let i = rows
            .iter()
            .position(|r| r.session_id() == Some(sid.as_str()));
        Detail {
            session_id: Some(sid.clone()),
            history: i.map(|i| history(i, now)).unwrap_or_default(),
            pane_text: focus.pane.as_ref().map(|_| {
                let row = i.and_then(|i| rows.get(i));
                pane_text(
                    i.and_then(|i| FLEET.get(i)).map_or("", |s| s.title),
                    row.map_or("", |r| r.status.detail.as_str()),
                )
            }),
        }
    });
    Snapshot {
        taken_at: now,
        rows,
        db_path: Some("~/.local/share/opencode/opencode.db (demo)".to_string()),
        db_error: None,
        totals: Some(totals(now)),
        detail,
        warnings: Vec::new(),
        demo: true,
        timelines: day::timelines(now, answered),
        ..Snapshot::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::Answer;

    #[test]
    fn ids_look_like_opencode_ids() {
        let a = id("ses", 1);
        assert_eq!(a.len(), 30);
        assert!(a.starts_with("ses_"));
        assert_ne!(a, id("ses", 2));
    }

    #[test]
    fn fleet_covers_every_state_over_time() {
        let mut seen = std::collections::HashSet::new();
        for t in 0..120 {
            for r in snapshot(&Focus::default(), 1_700_000_000_000 + t * 1000).rows {
                seen.insert(r.status.detail.clone());
            }
        }
        for want in [
            "generating",
            "tool:bash",
            "asking",
            "permission",
            "idle",
            "retrying",
            "stalled",
        ] {
            assert!(seen.contains(want), "{want} never shown");
        }
    }

    /// Issue 28 (point 9): a waiting demo session waits until it is answered; the answer is
    /// taken, says it is the demo's, and the session goes on, then in time asks again.
    #[test]
    fn a_waiting_demo_session_waits_until_answered() {
        let t0 = 1_700_000_000_000;
        let waiting = |snap: &Snapshot, title: &str| {
            let r = snap
                .rows
                .iter()
                .find(|r| r.session.as_ref().and_then(|s| s.title.as_deref()) == Some(title))
                .unwrap();
            (
                r.status.state == State::Waiting && r.status.request.is_some(),
                r.clone(),
            )
        };
        let mut src = DemoSource::default();
        for minute in 0..30 {
            let snap = src.collect(&Focus::default(), t0 + minute * 60_000 + 17);
            assert!(waiting(&snap, "Fix flaky CI on macOS").0, "minute {minute}");
        }
        let (_, row) = waiting(&src.collect(&Focus::default(), t0), "Fix flaky CI on macOS");
        let order = |answer| Order {
            row: row.clone(),
            request: None,
            answer,
        };
        assert!(
            src.answer(&order(Answer::Option(3)), t0).is_err(),
            "no option 3"
        );
        let said = src.answer(&order(Answer::Option(1)), t0).unwrap();
        assert!(
            said.starts_with("demo: answered") && said.contains("nothing is sent"),
            "{said}"
        );
        let after = src.collect(&Focus::default(), t0 + 2_000);
        assert!(
            !waiting(&after, "Fix flaky CI on macOS").0,
            "answered: it goes on"
        );
        let again = src
            .answer(&order(Answer::Option(1)), t0 + 2_000)
            .unwrap_err();
        assert!(again.to_string().contains("waits for no answer"), "{again}");
        // Its other phases played (10 s), it asks again.
        let later = src.collect(&Focus::default(), t0 + 12_000);
        assert!(waiting(&later, "Fix flaky CI on macOS").0);
    }

    /// The detail pane of a waiting row shows what it waits for, and the MCP panel has the
    /// demo's servers, not this machine's files.
    #[test]
    fn the_detail_matches_the_row() {
        let snap = snapshot(&Focus::default(), 0);
        let row = snap
            .rows
            .iter()
            .find(|r| r.status.detail == "permission")
            .unwrap();
        let focus = Focus {
            session_id: row.session_id().map(str::to_string),
            pane: row.tmux.clone(),
        };
        let pane = snapshot(&focus, 0)
            .detail
            .unwrap_or_default()
            .pane_text
            .unwrap_or_default();
        assert!(
            pane.contains("Edit src/width.rs") && pane.contains("Allow once"),
            "{pane}"
        );
        assert!(!pane.contains("cargo test"), "{pane}");
        let panel = mcp(Some("/home/dev/src/i18n"));
        assert_eq!(panel.files.len(), 1);
        let servers = panel.files[0].servers.clone().unwrap_or_default();
        assert_eq!(servers.len(), 2, "{servers:?}");
        assert!(panel.files[0].path.ends_with("opencode.json (demo)"));
    }

    #[test]
    fn focus_brings_details() {
        let snap = snapshot(&Focus::default(), 0);
        let first = snap.rows[0].clone();
        let focus = Focus {
            session_id: first.session_id().map(str::to_string),
            pane: first.tmux.clone(),
        };
        let d = snapshot(&focus, 0).detail.unwrap_or_default();
        assert_eq!(d.history.len(), 8);
        assert!(d.pane_text.is_some_and(|t| t.contains("cargo test")));
    }
}
