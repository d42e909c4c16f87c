//! The precise kinds an answer can fail with, below [`super::Error`]: an answer the request
//! does not take ([`Misfit`], from `model::request`), a terminal whose keys another process
//! could read ([`Doubt`], from `source::process::foreground`), and the companion plugin's
//! channel ([`ChannelError`], from `reply::channel`). They live here, with the one error type,
//! so that it can wrap them without reaching up the flow.

use std::path::PathBuf;

/// Why an answer does not fit the request it is for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Misfit {
    /// A permission takes once, always or reject; `tool` asks it.
    #[error("it asks permission for {tool}: answer once, always or reject")]
    Permission { tool: String },
    /// A question takes an option or a typed answer.
    #[error("it asks a question: answer with --option N or --text")]
    Question,
    /// Several questions, or one with several choices: opencode's own dialog answers them.
    #[error("it asks {} at once: answer it in opencode", several(*questions))]
    Several { questions: usize },
    #[error("it has options 1 to {count}, not {chosen}")]
    NoOption { count: usize, chosen: usize },
    #[error("it takes one of its options only, not a typed answer")]
    NotTyped,
    #[error("an empty answer")]
    Empty,
    #[error("a typed answer is one line of text, without control characters")]
    NotOneLine,
}

fn several(questions: usize) -> String {
    match questions {
        1 => "a question with several choices".into(),
        n => format!("{n} questions"),
    }
}

/// Why keys typed into a terminal might reach another process than the session's opencode.
/// `who` names a process as `pid 40 (cat)`, its name sanitised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Doubt {
    /// The pid now belongs to another process (it started at another time, or ended).
    #[error("pid {0} is no longer the process that was seen")]
    Replaced(u32),
    #[error("cannot read the pane's process {0}")]
    PaneUnreadable(u32),
    #[error("cannot read pid {0}")]
    Unreadable(u32),
    #[error("{who} does not run on the pane's terminal")]
    OtherTerminal { who: String },
    /// Another process group is in the terminal's foreground: `front` would read the keys.
    #[error("{who} is not in the foreground of its terminal: {front} is, and would read the keys")]
    Behind { who: String, front: String },
    /// A process that does not descend from opencode shares its foreground group.
    #[error("{who} shares the terminal's foreground with {other}, which could read the keys")]
    Shared { who: String, other: String },
}

/// Why the companion plugin's channel did not carry an answer.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("cannot tell which user otop runs as")]
    NoUser,
    #[error("no directory")]
    NoDir,
    #[error("{}: {source}", path.display())]
    Stat {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a directory", .0.display())]
    NotDir(PathBuf),
    #[error("{} belongs to another user", .0.display())]
    Foreign(PathBuf),
    #[error("{} may be entered by other users (mode {mode:o})", path.display())]
    Open { path: PathBuf, mode: u32 },
    #[error("{} is not a socket of this user's", .0.display())]
    NotSocket(PathBuf),
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    #[error("{0}")]
    Timeouts(std::io::Error),
    #[error("cannot send: {0}")]
    Send(std::io::Error),
    #[error("the plugin did not answer in time")]
    Late,
    #[error("cannot read its answer: {0}")]
    Read(std::io::Error),
    #[error("the plugin's answer is not JSON")]
    NotJson,
    /// The plugin no longer holds the request pending: answered or withdrawn meanwhile.
    #[error("no longer pending")]
    NotPending,
    /// The plugin refused, in its own words (its protocol carries a reason as text).
    #[error("{0}")]
    Plugin(String),
}
