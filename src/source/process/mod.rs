//! The process table: opencode processes, their helpers, and CPU sampled as a delta.
//!
//! The OS layer (`linux.rs`, `macos.rs`) only reads facts; which processes are
//! opencode, how wrappers merge and who owns a helper is decided here by pure functions.

use std::collections::{HashMap, HashSet};

#[cfg(target_os = "linux")]
use self::linux as os;
#[cfg(target_os = "macos")]
use self::macos as os;

mod cpu;
mod details;
pub mod foreground;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
pub mod types;
pub mod version;

pub use self::cpu::CpuSampler;
pub use self::details::Scanner;

use self::types::{Kind, OpencodeProcess, ProcEnv, ProcessInfo};

/// Parent chains longer than this are loops (pid reuse mid-scan) or not worth following.
const MAX_DEPTH: usize = 64;

/// Every opencode process on the machine (wrapper and native binary merged into one) and the
/// helpers they started, excluding otop itself. A process that exits mid-scan is skipped.
pub fn scan() -> Vec<OpencodeProcess> {
    scan_with(OpenFiles::All, true)
}

/// Which of an opencode process's open files a scan reads (Linux; each is a readlink of
/// `/proc/<pid>/fd/N`, and opencode 1.18 holds about 45).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFiles {
    /// The database and every log file (the log tier needs them).
    All,
    /// Up to the first opencode database: it names the database the process uses.
    Database,
}

/// [`scan`], reading only the open files `files` asks for; without `helpers`, only opencode
/// itself (no `Kind::Helper` rows: the commands, language servers and MCP servers it started,
/// which the status line does not show), and nothing of the machine's other processes but
/// their short name.
pub fn scan_with(files: OpenFiles, helpers: bool) -> Vec<OpencodeProcess> {
    Scanner::default().scan(files, helpers)
}

impl Scanner {
    /// [`scan_with`], taking what a process's details were a moment ago instead of reading
    /// them again (see [`Scanner`]).
    pub fn scan(&mut self, files: OpenFiles, helpers: bool) -> Vec<OpencodeProcess> {
        let only: Option<fn(&str) -> bool> = (!helpers).then_some(may_run_opencode);
        let mut all = os::read_all(only);
        // argv only where the short name allows opencode (or the node/bun wrapper); most of a
        // machine's processes cost one read of their stat file.
        for p in all.iter_mut().filter(|p| may_run_opencode(&p.name)) {
            os::read_argv(p);
        }
        // Only this user's opencode: another user's sessions can be neither read, jumped to
        // nor answered (their tmux sockets and databases are theirs), even by root. Their
        // look-alikes leave the list here, before anything reads their argv as evidence: one
        // started as `opencode -s <your id>` (your ids show in `ps`) must not take your
        // session's row. A process whose owner cannot be told is not known to be yours.
        let me = crate::source::file::uid();
        all.retain(|p| {
            let look_alike = may_run_opencode(&p.name) || might_be_opencode(&p.name, &p.argv);
            !look_alike || me.is_none() || os::owner(p.pid) == me
        });
        let parents: HashMap<u32, u32> = all.iter().map(|p| (p.pid, p.ppid)).collect();
        let hinted: HashSet<u32> = all
            .iter()
            .filter(|p| might_be_opencode(&p.name, &p.argv))
            .map(|p| p.pid)
            .collect();
        // Costly reads (argv, environ, fds, cwd) only for opencode look-alikes and their
        // descendants; a descendant's open files are never used (its environment says whose
        // it is). What was read a moment ago is taken as it was.
        let now = std::time::Instant::now();
        let mut work: Vec<(&mut ProcessInfo, Option<OpenFiles>)> = all
            .iter_mut()
            .filter_map(|p| {
                let own = hinted.contains(&p.pid);
                let want = own.then_some(files);
                (own || helpers && nearest_in(p.ppid, &parents, &hinted).is_some())
                    .then_some((p, want))
            })
            .filter_map(|(p, want)| (!self.recall(p, want, now)).then_some((p, want)))
            .collect();
        let details = |work: &mut [(&mut ProcessInfo, Option<OpenFiles>)]| {
            for (p, want) in work {
                if want.is_none() && p.argv.is_empty() {
                    os::read_argv(p);
                }
                os::read_details(p, *want);
            }
        };
        // A fleet of TUIs is mostly descriptor reads: two cores read it in half the time.
        if work.len() < 4 {
            details(&mut work);
        } else {
            let half = work.len() / 2;
            let (a, b) = work.split_at_mut(half);
            std::thread::scope(|s| {
                s.spawn(|| details(b));
                details(a);
            });
        }
        for (p, want) in &work {
            self.remember(p, *want, now);
        }
        self.forget(&all, now);
        // A full scan read every process's parent: the chains of opencode's processes (for
        // their tmux pane) come from it, not from a /proc read per ancestor later.
        if helpers {
            for p in all.iter_mut().filter(|p| hinted.contains(&p.pid)) {
                p.ancestors = ancestors_by(p.pid, |pid| parents.get(&pid).copied());
            }
        }
        let mut table = build_table(all, std::process::id());
        for p in table.iter_mut().filter(|p| p.kind != Kind::Helper) {
            p.info.cwd = project_dir(&p.info);
        }
        table
    }
}

/// Whether a process of this short name (on Linux its executable's file name, or `comm`, 15
/// bytes at most, where that is unreadable) can be opencode or its npm wrapper. Kernel
/// threads, shells and editors cannot.
fn may_run_opencode(name: &str) -> bool {
    name.contains("opencode") || is_runtime_name(name)
}

/// The processes whose short name `keep` accepts, with their argv and terminal: the ssh
/// clients a jump to another machine looks for. This user's only, as every process otop looks at.
pub fn named(keep: fn(&str) -> bool) -> Vec<ProcessInfo> {
    let mut all = os::read_all(Some(keep));
    let me = crate::source::file::uid();
    all.retain(|p| me.is_none() || os::owner(p.pid) == me);
    for p in &mut all {
        os::read_argv(p);
    }
    all
}

/// One process read again now, to act on it (`otop end`): its facts (name, exe, argv, start
/// time, environment) and the user it runs as; None once it is gone.
pub fn reread(pid: u32) -> Option<(ProcessInfo, Option<u32>)> {
    let mut info = os::one(pid)?;
    os::read_argv(&mut info);
    os::read_details(&mut info, None);
    Some((info, os::owner(pid)))
}

/// Where `pid` has written the file at `path` up to, for each descriptor it holds on it: the
/// file's inode and the descriptor's offset. A file opened for appending (opencode's shared
/// log) is written at its end, so the offset is the end of the process's own latest write,
/// whatever other processes appended since: which lines are whose, at any machine load.
/// Empty where the OS does not say (macOS) or the process is gone or another user's.
pub fn write_offsets(pid: u32, path: &str) -> Vec<types::WriteOffset> {
    os::write_offsets(pid, path)
}

/// Pids of `pid`'s ancestors, nearest first (for mapping a process to a tmux pane).
pub fn ancestors(pid: u32) -> Vec<u32> {
    ancestors_by(pid, os::parent_of)
}

/// [`ancestors`] through `parent_of`: /proc, or the table a full scan just read.
fn ancestors_by(pid: u32, parent_of: impl Fn(u32) -> Option<u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur = pid;
    while out.len() < MAX_DEPTH {
        match parent_of(cur) {
            Some(pp) if pp > 0 && pp != cur && !out.contains(&pp) => {
                out.push(pp);
                if pp == 1 {
                    break;
                }
                cur = pp;
            }
            _ => break,
        }
    }
    out
}

/// The file name part of a path, without the ` (deleted)` Linux adds to replaced binaries.
pub(super) fn basename(path: &str) -> &str {
    let path = path.strip_suffix(" (deleted)").unwrap_or(path);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `.opencode` is the native binary the 1.2.x npm wrapper starts; `opencode.exe` is 1.18's.
fn is_opencode_name(s: &str) -> bool {
    matches!(basename(s), "opencode" | "opencode.exe" | ".opencode")
}

fn is_runtime_name(s: &str) -> bool {
    matches!(
        basename(s),
        "node" | "nodejs" | "bun" | "node.exe" | "bun.exe"
    )
}

/// A node/bun process running the npm package's `bin/opencode` script.
pub fn is_wrapper(name: &str, exe: Option<&str>, argv: &[String]) -> bool {
    let runtime = is_runtime_name(name)
        || exe.is_some_and(is_runtime_name)
        || argv.first().is_some_and(|a| is_runtime_name(a));
    runtime
        && argv
            .get(1)
            .is_some_and(|s| s.ends_with("/opencode") || s.ends_with("\\opencode"))
}

/// Whether a process is opencode: the native binary, or the npm node/bun wrapper.
pub fn is_opencode(name: &str, exe: Option<&str>, argv: &[String]) -> bool {
    is_opencode_name(name)
        || exe.is_some_and(is_opencode_name)
        || argv.first().is_some_and(|a| is_opencode_name(a))
        || is_wrapper(name, exe, argv)
}

/// Cheap first-pass filter before reading exe/environ/fds.
fn might_be_opencode(name: &str, argv: &[String]) -> bool {
    name.contains("opencode") || argv.iter().take(2).any(|a| a.contains("opencode"))
}

/// Flags whose value is the next word, so that value is not taken for a subcommand.
pub const VALUE_FLAGS: &[&str] = &[
    "-s",
    "--session",
    "-m",
    "--model",
    "--prompt",
    "--agent",
    "--port",
    "--hostname",
    "--log-level",
    "--attach",
    "--format",
    "--title",
    "-f",
    "--file",
    "--dir",
    "--variant",
    "--cors",
    "--mdns-domain",
];

const OTHER_SUBCOMMANDS: &[&str] = &[
    "acp",
    "auth",
    "models",
    "db",
    "session",
    "upgrade",
    "uninstall",
    "mcp",
    "stats",
    "export",
    "import",
    "github",
    "pr",
    "debug",
    "agent",
    "plugin",
    "completion",
    "generate",
];

/// The directory opencode files its sessions under. opencode takes it from `$PWD` (the
/// end-to-end suite showed this), not from the kernel's cwd: the two differ through symlinks,
/// or when a script or editor changes directory without updating `PWD`. With a project argument
/// (`opencode ~/proj`) opencode changes directory itself, and then the kernel's cwd is right.
pub fn project_dir(info: &ProcessInfo) -> Option<String> {
    let project_arg = first_word(&info.argv).is_some_and(|w| subcommand(w) == Kind::Tui);
    match &info.env.pwd {
        Some(pwd) if pwd.starts_with('/') && !project_arg => Some(pwd.clone()),
        _ => info.cwd.clone(),
    }
}

/// The first word of argv that is not a flag or a flag's value (a subcommand or a project).
fn first_word(argv: &[String]) -> Option<&str> {
    let skip = if argv.first().is_some_and(|a| is_runtime_name(a)) {
        2
    } else {
        1
    };
    let mut words = argv.iter().skip(skip).map(String::as_str);
    while let Some(w) = words.next() {
        match w {
            "--" => return words.next(),
            _ if VALUE_FLAGS.contains(&w) => {
                words.next();
            }
            _ if w.starts_with('-') => {}
            _ => return Some(w),
        }
    }
    None
}

/// What an opencode process is, from its argv (`argv[0]` included).
pub fn classify(argv: &[String]) -> Kind {
    let skip = if argv.first().is_some_and(|a| is_runtime_name(a)) {
        2
    } else {
        1
    };
    let mut words = argv.iter().skip(skip).map(String::as_str);
    while let Some(w) = words.next() {
        match w {
            // `opencode --version` and friends are one-shot commands, not a TUI.
            "-h" | "--help" | "-v" | "--version" => return Kind::Other,
            "--" => return words.next().map_or(Kind::Tui, subcommand),
            _ if VALUE_FLAGS.contains(&w) => {
                words.next();
            }
            _ if w.starts_with('-') => {}
            _ => return subcommand(w),
        }
    }
    Kind::Tui
}

fn subcommand(w: &str) -> Kind {
    match w {
        "run" => Kind::Run,
        "serve" | "web" => Kind::Serve,
        "attach" => Kind::Attach,
        _ if OTHER_SUBCOMMANDS.contains(&w) => Kind::Other,
        // A project directory (or nothing at all) starts the TUI.
        _ => Kind::Tui,
    }
}

/// The variables otop cares about, from `(name, value)` pairs. A process carries a hundred
/// variables or more: only the few read here are converted to text.
pub fn proc_env<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> ProcEnv {
    let mut env = ProcEnv::default();
    for (k, v) in pairs {
        let text = || Some(String::from_utf8_lossy(v.as_ref()).into_owned());
        match k.as_ref() {
            b"TMUX" => env.tmux = text(),
            b"TMUX_PANE" => env.tmux_pane = text(),
            b"OPENCODE_PID" => env.opencode_pid = text().and_then(|s| s.trim().parse().ok()),
            b"OPENCODE_DB" => env.opencode_db = text(),
            b"XDG_DATA_HOME" => env.xdg_data_home = text(),
            b"HOME" => env.home = text(),
            b"PWD" => env.pwd = text(),
            _ => {}
        }
    }
    env
}

/// An open file worth reporting: an opencode log (`…/opencode/log/….log`) or database.
pub fn is_interesting_file(path: &str) -> bool {
    let name = basename(path);
    (path.contains("/opencode/log/") && name.ends_with(".log"))
        || (name.starts_with("opencode") && name.ends_with(".db"))
}

/// argv and environment from macOS `KERN_PROCARGS2` bytes: a native-endian `i32` argc, the
/// exec path, NUL padding, argc argv strings, then `NAME=value` strings. Pure so it is
/// tested on Linux too.
pub fn parse_procargs2(buf: &[u8]) -> (Vec<String>, Vec<(String, String)>) {
    let Some((argc, rest)) = buf.split_first_chunk::<4>() else {
        return (Vec::new(), Vec::new());
    };
    let argc = usize::try_from(i32::from_ne_bytes(*argc)).unwrap_or(0);
    let exec_end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let start = rest[exec_end..]
        .iter()
        .position(|&b| b != 0)
        .map_or(rest.len(), |i| exec_end + i);
    let mut strings = rest[start..]
        .split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned());
    let argv: Vec<String> = strings.by_ref().take(argc).collect();
    let env = strings
        .take_while(|s| !s.is_empty())
        .filter_map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    (argv, env)
}

/// The first of `start` and its ancestors (via `parents`) that is in `set`.
fn nearest_in(start: u32, parents: &HashMap<u32, u32>, set: &HashSet<u32>) -> Option<u32> {
    let mut cur = start;
    for _ in 0..MAX_DEPTH {
        if set.contains(&cur) {
            return Some(cur);
        }
        match parents.get(&cur) {
            Some(&pp) if pp != cur && cur > 1 => cur = pp,
            _ => return None,
        }
    }
    None
}

/// Classifies a full process list: opencode processes (wrappers merged into their native
/// child), then helpers with their owner. Pure, so it is tested on hand-made lists.
pub fn build_table(all: Vec<ProcessInfo>, self_pid: u32) -> Vec<OpencodeProcess> {
    let all: Vec<ProcessInfo> = all
        .into_iter()
        .filter(|p| p.pid != self_pid && p.ppid != self_pid)
        .collect();
    let parents: HashMap<u32, u32> = all.iter().map(|p| (p.pid, p.ppid)).collect();
    // A command opencode started (`OPENCODE_PID` set) is a helper even if it is opencode.
    let is_oc = |p: &ProcessInfo| {
        p.env.opencode_pid.is_none() && is_opencode(&p.name, p.exe.as_deref(), &p.argv)
    };
    let oc: HashSet<u32> = all.iter().filter(|p| is_oc(p)).map(|p| p.pid).collect();
    let wrappers: HashSet<u32> = all
        .iter()
        .filter(|p| oc.contains(&p.pid) && is_wrapper(&p.name, p.exe.as_deref(), &p.argv))
        .map(|p| p.pid)
        .collect();

    // wrapper pid -> the native child that stands for it.
    let mut alias: HashMap<u32, u32> = HashMap::new();
    for p in &all {
        if oc.contains(&p.pid) && !wrappers.contains(&p.pid) && wrappers.contains(&p.ppid) {
            alias.entry(p.ppid).or_insert(p.pid);
        }
    }
    let merged: HashMap<u32, u32> = alias.iter().map(|(&w, &n)| (n, w)).collect();

    let mut out = Vec::new();
    let mut helpers = Vec::new();
    for p in all {
        if oc.contains(&p.pid) {
            if alias.contains_key(&p.pid) {
                continue; // represented by its native child
            }
            out.push(OpencodeProcess {
                kind: classify(&p.argv),
                wrapper_pid: merged.get(&p.pid).copied(),
                owner: None,
                info: p,
            });
        } else if let Some(owner) = nearest_in(p.ppid, &parents, &oc) {
            let owner = alias.get(&owner).copied().unwrap_or(owner);
            helpers.push(OpencodeProcess {
                info: p,
                kind: Kind::Helper,
                owner: Some(owner),
                wrapper_pid: None,
            });
        }
    }
    out.sort_by_key(|p| p.info.pid);
    helpers.sort_by_key(|p| p.info.pid);
    out.extend(helpers);
    out
}

#[cfg(test)]
mod tests;
