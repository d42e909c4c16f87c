//! Processes, accounts and commands for the test sshd: what runs below it, who owns what,
//! and commands run under a deadline.

#![allow(dead_code)]

use super::*;

/// Why the sshd tests cannot run here, if they cannot.
pub(super) fn can_run() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("the sshd tests run as root (they add a user and start sshd)".into());
    }
    if !Path::new(SSHD).is_file() {
        return Err(format!(
            "{SSHD} is missing (apt-get install openssh-server)"
        ));
    }
    let tools = [
        "ssh",
        "ssh-keygen",
        "tmux",
        "script",
        "setsid",
        "runuser",
        "useradd",
    ];
    match tools.into_iter().find(|t| tool(t).is_none()) {
        Some(t) => Err(format!("{t} is not installed")),
        None => Ok(()),
    }
}

/// Where `name` is: on PATH, else in the sbin directories a test's PATH may lack.
pub(super) fn tool(name: &str) -> Option<PathBuf> {
    which::which(name).ok().or_else(|| {
        ["/usr/sbin", "/sbin"]
            .iter()
            .map(|d| Path::new(d).join(name))
            .find(|p| p.is_file())
    })
}

pub(super) fn sbin(name: &str) -> Command {
    Command::new(tool(name).unwrap_or_else(|| PathBuf::from(name)))
}

/// The remote account as `/etc/passwd` has it.
#[derive(Clone)]
pub(super) struct Account {
    pub(super) uid: u32,
    pub(super) gid: u32,
    pub(super) home: PathBuf,
}

pub(super) fn account() -> Option<Account> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 7 && f[0] == USER).then(|| Account {
            uid: f[2].parse().unwrap_or(u32::MAX),
            gid: f[3].parse().unwrap_or(u32::MAX),
            home: PathBuf::from(f[5]),
        })
    })
}

/// Creates [`USER`] when missing (another test process may be doing the same), unlocks its
/// password for sshd without PAM, and removes what killed test processes left in its HOME.
pub(super) fn ensure_user() -> Account {
    static ONCE: OnceLock<Account> = OnceLock::new();
    ONCE.get_or_init(|| {
        let deadline = Instant::now() + Duration::from_secs(10);
        let acc = loop {
            if let Some(acc) = account() {
                break acc;
            }
            let out = within(
                sbin("useradd").args(["-m", "-s", "/bin/sh", "-p", "*", USER]),
                "useradd",
            );
            assert!(
                out.status.success() || Instant::now() < deadline,
                "useradd {USER}: {}",
                text(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        // Without PAM sshd turns away an account whose password starts with `!` (locked),
        // which is how useradd leaves it without `-p`.
        let shadow = std::fs::read_to_string("/etc/shadow").unwrap_or_default();
        let locked = shadow.lines().any(|l| {
            l.strip_prefix(USER)
                .and_then(|r| r.strip_prefix(":!"))
                .is_some()
        });
        if locked {
            let out = within(sbin("usermod").args(["-p", "*", USER]), "usermod");
            assert!(out.status.success(), "usermod: {}", text(&out.stderr));
        }
        std::fs::create_dir_all(&acc.home).expect("the remote HOME");
        let _ = std::os::unix::fs::chown(&acc.home, Some(acc.uid), Some(acc.gid));
        stop_stale_sshd();
        for entry in std::fs::read_dir(&acc.home).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let owner = name
                .strip_prefix("t-")
                .and_then(|r| r.split('-').next())
                .and_then(|p| p.parse::<u32>().ok());
            if owner.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
                sweep(&entry.path(), acc.uid);
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        acc
    })
    .clone()
}

/// Kills the sshd processes that test processes gone without dropping their Remote (killed,
/// timed out) left running, and removes their directories.
pub(super) fn stop_stale_sshd() {
    let gone = |pid: &str| !Path::new(&format!("/proc/{pid}")).exists();
    for pid in pids() {
        if stat(pid).is_none_or(|s| s.comm != "sshd") {
            continue;
        }
        // The listener rewrites its argv into one title: `sshd: /usr/sbin/sshd -D -e -f …`.
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let mut words = cmdline.split_whitespace();
        let Some(config) = words.by_ref().find(|w| *w == "-f").and(words.next()) else {
            continue;
        };
        let Some(dir) = Path::new(config).parent() else {
            continue;
        };
        let owner = dir
            .file_name()
            .and_then(|n| n.to_str()?.strip_prefix(SSHD_DIR)?.split('-').next())
            .map(str::to_string);
        if owner.is_some_and(|o| gone(&o)) {
            for p in descendants(pid).into_iter().chain([pid]) {
                signal(p, libc::SIGKILL);
            }
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `s` quoted for sh.
pub(super) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub(super) fn qpath(p: &Path) -> String {
    quote(&p.display().to_string())
}

pub(super) fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

pub(super) fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

pub(super) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`run_within`] with the harness's bound; panics naming `what` when it fails or overruns.
pub(super) fn within(cmd: &mut Command, what: &str) -> Output {
    run_within(cmd, COMMAND).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Runs `cmd` to its end with no stdin, its output captured; kills it after `timeout`.
pub(super) fn run_within(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run: {e}"))?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("did not finish within {timeout:?}"));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    // A daemon it started may hold the pipes: a bounded wait for the rest of the output.
    let rest = Duration::from_secs(3);
    let stdout = out
        .recv_timeout(rest)
        .map_err(|_| "its stdout stayed open")?;
    let stderr = err
        .recv_timeout(rest)
        .map_err(|_| "its stderr stayed open")?;
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

pub(super) fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        let _ = tx.send(buf);
    });
    rx
}

/// What the harness reads of `/proc/<pid>/stat`.
pub(super) struct Stat {
    pub(super) comm: String,
    pub(super) state: char,
    pub(super) ppid: u32,
    /// Clock ticks after boot: with the pid, names one process even once pids are reused.
    pub(super) start: u64,
}

pub(super) fn stat(pid: u32) -> Option<Stat> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, tail) = s.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_string();
    let f: Vec<&str> = tail.split_whitespace().collect();
    Some(Stat {
        comm,
        state: f.first()?.chars().next()?,
        ppid: f.get(1)?.parse().ok()?,
        start: f.get(19)?.parse().ok()?,
    })
}

/// Whether `pid` runs and is not a zombie (init may reap orphans only now and then).
pub fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|s| s.state != 'Z' && s.state != 'X')
}

pub(super) fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

pub(super) fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = pids()
        .into_iter()
        .filter_map(|p| stat(p).map(|s| (p, s.ppid)))
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

pub(super) fn signal(pid: u32, sig: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill has no memory preconditions; a stale pid only makes it fail.
        let _ = unsafe { libc::kill(pid, sig) };
    }
}

/// Kills the group `pid` leads and `pid` itself, unless `pid` is now another process.
pub(super) fn kill_group(pid: u32, start: u64) {
    match stat(pid) {
        Some(s) if s.start != start => {}
        _ => {
            if let Ok(p) = i32::try_from(pid) {
                // SAFETY: as in `signal`; a negative pid names a process group.
                let _ = unsafe { libc::kill(-p, libc::SIGKILL) };
            }
            signal(pid, libc::SIGKILL);
        }
    }
}

/// Live processes of `uid` that belong to the Remote rooted at `root`: [`MARK`]ed with it, or
/// working in or below it.
pub(super) fn marked(root: &Path, uid: u32) -> Vec<u32> {
    let mark = format!("{MARK}={}", root.display());
    pids()
        .into_iter()
        .filter(|p| alive(*p) && uid_of(*p) == Some(uid))
        .filter(|p| {
            let env = std::fs::read(format!("/proc/{p}/environ")).unwrap_or_default();
            let in_root =
                std::fs::read_link(format!("/proc/{p}/cwd")).is_ok_and(|c| c.starts_with(root));
            in_root || env.split(|b| *b == 0).any(|e| e == mark.as_bytes())
        })
        .collect()
}

/// Kills every process [`marked`] for `root`, until none is left (bounded).
pub(super) fn sweep(root: &Path, uid: u32) {
    for _ in 0..40 {
        let left = marked(root, uid);
        if left.is_empty() {
            return;
        }
        for p in left {
            signal(p, libc::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

pub(super) fn uid_of(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
