//! The demo fleet's script: who the sessions are and the phases each goes through.

use crate::model::state::State;
use crate::source::process::types::Kind;

/// One phase of a session's life: (fine status, state, seconds it lasts, last output line).
pub type Phase = (&'static str, State, i64, &'static str);

pub struct Spec {
    pub title: &'static str,
    pub dir: &'static str,
    pub model: &'static str,
    pub kind: Kind,
    /// Index of the parent session (subagents).
    pub parent: Option<usize>,
    /// `opencode run`: permission rules set.
    pub noninteractive: bool,
    /// (tmux session, window, window name, pane id); None for a plain terminal.
    pub tmux: Option<(&'static str, u32, &'static str, &'static str)>,
    /// Process uptime at `now`, minutes; 0 for a session without its own process.
    pub age_min: i64,
    pub phases: &'static [Phase],
    pub todos: &'static [(&'static str, &'static str, &'static str)],
}

const GEN: &str = "Now I'll update the middleware to validate the token expiry.";

pub const FLEET: &[Spec] = &[
    Spec {
        title: "Refactor auth middleware",
        dir: "/home/dev/src/api",
        model: "anthropic/claude-sonnet-4-5",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: Some(("work", 1, "api", "%3")),
        age_min: 192,
        phases: &[
            (
                "thinking",
                State::Working,
                6,
                "Let me look at how sessions are validated.",
            ),
            ("generating", State::Working, 14, GEN),
            ("tool:bash", State::Working, 10, "Running the test suite."),
            (
                "idle",
                State::Idle,
                20,
                "All 214 tests pass; the middleware now checks expiry.",
            ),
        ],
        todos: &[
            ("Read the current middleware", "completed", "high"),
            ("Validate token expiry", "in_progress", "high"),
            ("Add tests for expired tokens", "pending", "medium"),
            ("Update the API docs", "pending", "low"),
        ],
    },
    Spec {
        title: "Fix flaky CI on macOS",
        dir: "/home/dev/src/ci",
        model: "openai/gpt-5",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: Some(("work", 2, "ci", "%5")),
        age_min: 47,
        phases: &[
            (
                "asking",
                State::Waiting,
                40,
                "Which runner image should the job pin?",
            ),
            (
                "generating",
                State::Working,
                10,
                "Pinning macos-14 and retrying the job.",
            ),
        ],
        todos: &[],
    },
    Spec {
        title: "CJK 対応: 日本語のタイトル表示 🎌",
        dir: "/home/dev/src/i18n",
        model: "anthropic/claude-opus-4-1",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: Some(("i18n", 0, "zsh", "%8")),
        age_min: 12,
        phases: &[
            (
                "permission",
                State::Waiting,
                25,
                "I need to edit src/width.rs.",
            ),
            ("tool:edit", State::Working, 8, "Editing src/width.rs"),
            (
                "compacting",
                State::Working,
                7,
                "Summarising the conversation.",
            ),
        ],
        todos: &[
            ("全角文字の幅を計算する", "completed", "high"),
            ("Emoji 🎉 width tests", "in_progress", "medium"),
            ("Drop the old byte-based cut", "cancelled", "low"),
        ],
    },
    Spec {
        title: "Write release notes for v2.3",
        dir: "/home/dev/src/app",
        model: "anthropic/claude-haiku-4-5",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: None,
        age_min: 1500,
        phases: &[(
            "idle",
            State::Idle,
            60,
            "Release notes are in CHANGELOG.md.",
        )],
        todos: &[],
    },
    Spec {
        title: "Migrate billing schema",
        dir: "/home/dev/src/billing",
        model: "google/gemini-2.5-pro",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: Some(("work", 3, "billing", "%9")),
        age_min: 95,
        phases: &[
            (
                "retrying",
                State::Error,
                15,
                "APIError: 529 overloaded, retrying in 8s",
            ),
            (
                "generating",
                State::Working,
                10,
                "Writing the migration for invoices.",
            ),
            ("error", State::Error, 15, "APIError: rate limit exceeded"),
        ],
        todos: &[],
    },
    Spec {
        title: "Explore the plugin system",
        dir: "/home/dev/src/plugins",
        model: "anthropic/claude-sonnet-4-5",
        kind: Kind::Tui,
        parent: None,
        noninteractive: false,
        tmux: Some(("scratch", 0, "plugins", "%11")),
        age_min: 300,
        phases: &[(
            "stalled",
            State::Stalled,
            60,
            "Reading src/plugin/loader.ts",
        )],
        todos: &[],
    },
    Spec {
        title: "Find every caller of validate() (@explore subagent)",
        dir: "/home/dev/src/api",
        model: "anthropic/claude-haiku-4-5",
        kind: Kind::Tui,
        parent: Some(0),
        noninteractive: false,
        tmux: None,
        age_min: 0,
        phases: &[
            ("tool:grep", State::Working, 9, "Searching for validate("),
            (
                "generating",
                State::Working,
                9,
                "Found 7 callers in 4 files.",
            ),
        ],
        todos: &[],
    },
    Spec {
        title: "Generate commit message",
        dir: "/home/dev/src/app",
        model: "anthropic/claude-haiku-4-5",
        kind: Kind::Run,
        parent: None,
        noninteractive: true,
        tmux: None,
        age_min: 1,
        phases: &[(
            "generating",
            State::Working,
            30,
            "feat: add expiry check to auth",
        )],
        todos: &[],
    },
];

/// Helper processes: (name, argv, owner index in FLEET).
pub const HELPERS: &[(&str, &[&str], usize)] = &[
    ("rust-analyzer", &["rust-analyzer"], 0),
    (
        "node",
        &[
            "node",
            "/usr/lib/node_modules/@modelcontextprotocol/server-github/dist/index.js",
        ],
        2,
    ),
];
