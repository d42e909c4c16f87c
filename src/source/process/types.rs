//! Facts about processes: plain owned data, no OS calls here.

use serde::{Deserialize, Serialize};

/// What an opencode process is, from its argv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The interactive TUI (`opencode`, `opencode <dir>`, `-c`, `-s`).
    Tui,
    /// `opencode run …`: one non-interactive prompt.
    Run,
    /// `opencode serve` or `opencode web`.
    Serve,
    /// `opencode attach <url>`: a client whose sessions live in a server.
    Attach,
    /// `opencode acp` and other subcommands (`db`, `models`, `auth`, …).
    Other,
    /// A child of an opencode process: LSP servers, MCP servers, tool commands.
    Helper,
}

impl Kind {
    /// Processes correlation ties to sessions (the collector's `correlated`).
    pub fn runs_sessions(self) -> bool {
        matches!(self, Kind::Tui | Kind::Run | Kind::Attach)
    }
}

/// Environment variables otop cares about (Linux only; empty on macOS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcEnv {
    /// `TMUX`: `<socket path>,<server pid>,<session index>`.
    pub tmux: Option<String>,
    /// `TMUX_PANE`: `%N`.
    pub tmux_pane: Option<String>,
    /// `OPENCODE_PID`: set by opencode for the commands it starts.
    pub opencode_pid: Option<u32>,
    pub opencode_db: Option<String>,
    pub xdg_data_home: Option<String>,
    pub home: Option<String>,
    /// `PWD`: opencode names its directory after it (see `process::project_dir`).
    pub pwd: Option<String>,
}

/// One process, as read in one scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcessInfo {
    pub pid: u32,
    pub ppid: u32,
    /// Short name (`comm` on Linux).
    pub name: String,
    pub exe: Option<String>,
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    /// Controlling terminal path such as `/dev/pts/3`; None when it has none.
    pub tty: Option<String>,
    /// Process start time, Unix milliseconds.
    pub started_at: i64,
    /// Cumulative user+system CPU time in milliseconds; CPU% comes from the delta of two scans.
    pub cpu_time_ms: u64,
    pub rss_bytes: u64,
    pub env: ProcEnv,
    /// Open files of interest: opencode `*.log` and `*.db` files.
    pub open_files: Vec<String>,
    /// Parent, grandparent… up to init, where a full scan read them (else empty: see
    /// `process::ancestors`).
    pub ancestors: Vec<u32>,
}

/// An opencode process (or a helper it started), classified.
#[derive(Debug, Clone, PartialEq)]
pub struct OpencodeProcess {
    pub info: ProcessInfo,
    pub kind: Kind,
    /// For a helper: the pid of the opencode process it belongs to.
    pub owner: Option<u32>,
    /// The npm node wrapper merged into this native process (opencode 1.2.x), if any.
    pub wrapper_pid: Option<u32>,
}

/// One descriptor's place in a file a process holds open (see `process::write_offsets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOffset {
    pub inode: u64,
    pub offset: u64,
}
