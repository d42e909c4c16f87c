//! A real `sshd` on 127.0.0.1 for the tests of sessions on other hosts (issue #18). The "remote
//! machine" is a second local account, [`USER`]: its own HOME, its own tmux servers, and
//! processes that are not the test's (otop lists only its own user's opencode processes).
//!
//! [`Remote::start`] makes the keys and the configuration in a temporary directory, starts
//! `sshd -D` and waits until it lets the client in; [`Remote::world`] starts, as the remote
//! user, a tmux server with opencode stand-ins in its panes and gives the command line a
//! `[[hosts]] otop = "..."` setting would hold to see them. Everything a `Remote` starts is
//! killed when it drops, and its directory below the remote HOME removed; tests that use one
//! may run at the same time, in one binary or in several.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use otop::testkit::fixture::{AssistantSpec, Fixture, Schema};

use super::wait_for;

mod opencode;
mod procs;
mod world;
use super::world::session;
pub use procs::alive;
use procs::*;
pub use world::*;

/// The account that plays the remote machine.
pub const USER: &str = "otopremote";
const SSHD: &str = "/usr/sbin/sshd";
/// How long sshd has to let a first client in.
const READY: Duration = Duration::from_secs(10);
/// The longest any one command of the harness (ssh, runuser, tmux) may take.
const COMMAND: Duration = Duration::from_secs(30);
/// Marks every process started for a [`Remote`] (its value is the Remote's root), so the sweep
/// on drop finds even those the harness did not start itself (a pane's children).
const MARK: &str = "OTOP_TEST_REMOTE";
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";
/// The start of the name of each Remote's temporary directory, then the test's pid.
const SSHD_DIR: &str = "otop-sshd-";

/// Each Remote's directory is `t-<pid>-<n>` below the remote HOME.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// sshd on a free port of 127.0.0.1 that lets [`USER`] in with a key of its own; killed, with
/// everything started for it, on drop.
pub struct Remote {
    shared: Arc<Shared>,
    /// Keys, `sshd_config`, `known_hosts`, `sshd.log` (readable by the remote user).
    dir: tempfile::TempDir,
    port: u16,
    sshd: Option<Child>,
    home: PathBuf,
    otop: OnceLock<String>,
}

/// What a Remote and the worlds and processes it made share: what to clean up.
struct Shared {
    root: PathBuf,
    uid: u32,
    gid: u32,
    /// Process groups started as the remote user, as (pid, start time).
    groups: Mutex<Vec<(u32, u64)>>,
    /// Sockets of tmux servers started as the remote user.
    sockets: Mutex<Vec<PathBuf>>,
    /// Commands of connections that outlived a killed sshd, as (pid, start time).
    orphans: Mutex<Vec<(u32, u64)>>,
    worlds: AtomicUsize,
}

impl Remote {
    /// Starts sshd for [`USER`] (created when missing). None, with the reason on stderr, when
    /// the test cannot run it here (not root, no sshd); under `CI` that panics instead.
    pub fn start() -> Option<Remote> {
        if let Err(why) = can_run() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the sshd tests: {why}"
            );
            eprintln!("skipping: {why}");
            return None;
        }
        let account = ensure_user();
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root = account.home.join(format!("t-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create the remote root");
        std::os::unix::fs::chown(&root, Some(account.uid), Some(account.gid))
            .expect("give the remote root to the remote user");
        // Named after this process, so a later run can stop an sshd this one left running.
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SSHD_DIR}{}-", std::process::id()))
            .tempdir()
            .expect("tempdir");
        chmod(dir.path(), 0o755);
        let mut remote = Remote {
            shared: Arc::new(Shared {
                root,
                uid: account.uid,
                gid: account.gid,
                groups: Mutex::default(),
                sockets: Mutex::default(),
                orphans: Mutex::default(),
                worlds: AtomicUsize::new(0),
            }),
            dir,
            port: 0,
            sshd: None,
            home: account.home,
            otop: OnceLock::new(),
        };
        remote.keygen("host_key");
        remote.keygen("client_key");
        let authorized = remote.file("authorized_keys");
        std::fs::copy(remote.file("client_key.pub"), &authorized).expect("authorized_keys");
        chmod(&authorized, 0o644);
        // /run/sshd: the empty directory the pre-authentication child chroots into.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        chmod(Path::new("/run/sshd"), 0o755);
        // A port picked free can be taken before sshd binds it: then another.
        for attempt in 0.. {
            remote.port = free_port();
            remote.write_config();
            match remote.launch() {
                Ok(()) => break,
                Err(_) if attempt < 3 && remote.log().contains("Address already in use") => {}
                Err(why) => panic!("{why}\n--- sshd log ---\n{}", remote.log()),
            }
        }
        Some(remote)
    }

    /// The port sshd listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The ssh destination: `otopremote@127.0.0.1`.
    pub fn dest(&self) -> String {
        format!("{USER}@127.0.0.1")
    }

    /// The arguments before the destination, as a `[[hosts]] ssh_args` setting holds them: no
    /// user ssh configuration, this port, key and known host, never a prompt.
    pub fn ssh_args(&self) -> Vec<String> {
        let known = format!("UserKnownHostsFile={}", self.file("known_hosts").display());
        let key = self.file("client_key").display().to_string();
        let mut args = words("-F /dev/null -p");
        args.extend([self.port.to_string(), "-i".into(), key, "-o".into(), known]);
        // IdentitiesOnly: that key alone, not an agent's (a few would use up MaxAuthTries).
        args.extend(words(
            "-o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=3 \
             -o IdentitiesOnly=yes",
        ));
        args
    }

    /// `ssh <ssh_args> <dest> <remote_cmd>`, not started (stdio as the caller sets it).
    pub fn ssh_command(&self, remote_cmd: &str) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.args(self.ssh_args()).arg(self.dest()).arg(remote_cmd);
        cmd
    }

    /// Runs `remote_cmd` on the remote side through ssh; panics if it takes over 30 s.
    pub fn ssh(&self, remote_cmd: &str) -> Output {
        within(&mut self.ssh_command(remote_cmd), "ssh")
    }

    /// The remote user's HOME.
    pub fn home(&self) -> PathBuf {
        self.home.clone()
    }

    /// The remote user's uid.
    pub fn uid(&self) -> u32 {
        self.shared.uid
    }

    /// This Remote's own directory below the remote HOME, owned by the remote user; removed on
    /// drop. Worlds, sockets, configuration and the copied otop go there.
    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// The listening sshd's pid, while it runs.
    pub fn sshd_pid(&self) -> Option<u32> {
        self.sshd.as_ref().map(Child::id)
    }

    /// Runs `shell_cmd` with `sh -c` as the remote user on this machine (quicker than ssh), in
    /// [`Remote::root`], with a clean environment (HOME the remote user's).
    pub fn as_user(&self, shell_cmd: &str) -> Output {
        self.shared.as_user(shell_cmd)
    }

    /// Copies the otop under test into [`Remote::root`] (once), executable by the remote user;
    /// returns its path.
    pub fn install_otop(&self) -> String {
        self.otop
            .get_or_init(|| {
                let bin = self.shared.root.join("bin");
                std::fs::create_dir_all(&bin).expect("mkdir bin");
                let path = bin.join("otop");
                std::fs::copy(env!("CARGO_BIN_EXE_otop"), &path).expect("copy otop");
                chmod(&path, 0o755);
                self.shared.chown_r(&bin);
                path.display().to_string()
            })
            .clone()
    }

    /// Runs `cmd` (a simple command line: `env` executes it) as the remote user in `cwd`, with
    /// `env` added, detached (its own session, no stdio); its process group is killed on drop.
    pub fn spawn_as(&self, cmd: &str, cwd: &Path, env: &[(&str, &str)]) -> RemoteProcess {
        self.shared.spawn_as(cmd, cwd, env)
    }

    /// Kills the listening sshd and every sshd it forked for a connection, as a host dropping
    /// off the network would: open connections break, new ones are refused. What the
    /// connections ran (and the sessions' tmux servers and stand-ins) keeps running.
    pub fn kill_sshd(&mut self) {
        self.kill_tree(false);
    }

    /// Starts sshd again on the same port and waits until it lets a client in.
    pub fn restart_sshd(&mut self) {
        if self.sshd.is_some() {
            return;
        }
        if let Err(why) = self.launch() {
            panic!("restarting: {why}\n--- sshd log ---\n{}", self.log());
        }
    }

    /// A tmux server of the remote user, on a socket in [`Remote::root`], whose tmux session
    /// `home` runs a plain `sleep` and session `s<i>` a stand-in `opencode -s <id>` for each of
    /// `sessions` (`(id, title)`), in a project directory of its own, with a database that
    /// holds those sessions, each idle after a finished reply.
    pub fn world(&self, sessions: &[(&str, &str)]) -> RemoteWorld {
        RemoteWorld::start(self, sessions)
    }

    /// The pids of the remote user's live processes that belong to the Remote whose root is
    /// `root` (marked in their environment, or working below it): none after it dropped.
    pub fn processes_of(root: &Path, uid: u32) -> Vec<u32> {
        marked(root, uid)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.file("sshd.log")).unwrap_or_default()
    }

    fn keygen(&self, name: &str) {
        let out = within(
            Command::new("ssh-keygen")
                .args(["-q", "-N", "", "-t", "ed25519", "-C", "otop-test", "-f"])
                .arg(self.file(name)),
            "ssh-keygen",
        );
        assert!(out.status.success(), "ssh-keygen: {}", text(&out.stderr));
    }

    fn write_config(&self) {
        let host_key = std::fs::read_to_string(self.file("host_key.pub")).expect("host key");
        let known = format!("[127.0.0.1]:{} {}", self.port, host_key.trim());
        std::fs::write(self.file("known_hosts"), known + "\n").expect("write known_hosts");
        let f = |name: &str| self.file(name).display().to_string();
        // UsePAM no: then sshd turns away an account whose password is locked (`!`).
        // SetEnv LANG: what PAM's pam_env gives a session on a usual host (/etc/default/locale).
        // Without a UTF-8 locale tmux prints the 0x1f of otop's formats as `_` and the remote
        // otop finds no pane (try `env -u LANG <command>`).
        let config = format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {host}\nAuthorizedKeysFile {keys}\n\
             PidFile {pid}\nAllowUsers {USER}\nPermitRootLogin no\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             StrictModes no\nUseDNS no\nPrintMotd no\nPrintLastLog no\nX11Forwarding no\n\
             PermitUserEnvironment no\nMaxStartups 50\nMaxSessions 50\nLoginGraceTime 10\n\
             LogLevel VERBOSE\nSetEnv LANG=C.UTF-8\n",
            port = self.port,
            host = f("host_key"),
            keys = f("authorized_keys"),
            pid = f("sshd.pid"),
        );
        std::fs::write(self.file("sshd_config"), config).expect("write sshd_config");
    }

    /// Starts sshd (stderr appended to `sshd.log`) and waits until `ssh true` succeeds.
    fn launch(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.file("sshd.log"))
            .expect("open sshd.log");
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(self.file("sshd_config"))
            .env_clear()
            .env("PATH", PATH)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {SSHD}: {e}"))?;
        self.sshd = Some(child);
        let deadline = Instant::now() + READY;
        loop {
            if let Some(status) = self.sshd.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                self.sshd = None;
                return Err(format!("sshd exited at start: {status}"));
            }
            let mut ssh = self.ssh_command("true");
            let left = deadline.saturating_duration_since(Instant::now());
            if run_within(&mut ssh, left.max(Duration::from_secs(1)))
                .is_ok_and(|o| o.status.success())
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.kill_tree(true);
                return Err(format!("sshd did not let a client in within {READY:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the listening sshd and the sshd processes below it; with `everything`, what the
    /// connections run too, else those are kept to be killed on drop.
    fn kill_tree(&mut self, everything: bool) {
        let Some(mut child) = self.sshd.take() else {
            return;
        };
        let listener = child.id();
        // Stopped first, from the top, so none forks a process the walk would miss.
        let mut frozen = BTreeSet::from([listener]);
        signal(listener, libc::SIGSTOP);
        loop {
            let fresh: Vec<u32> = descendants(listener)
                .into_iter()
                .filter(|p| !frozen.contains(p) && stat(*p).is_some_and(|s| s.comm == "sshd"))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for p in fresh {
                signal(p, libc::SIGSTOP);
                frozen.insert(p);
            }
        }
        let others: Vec<u32> = descendants(listener)
            .into_iter()
            .filter(|p| !frozen.contains(p))
            .collect();
        for p in &others {
            if let Some(s) = stat(*p) {
                if everything {
                    signal(*p, libc::SIGKILL);
                } else {
                    lock(&self.shared.orphans).push((*p, s.start));
                }
            }
        }
        for p in &frozen {
            signal(*p, libc::SIGKILL);
        }
        let _ = child.kill();
        let _ = child.wait();
        wait_for(Duration::from_secs(5), || {
            frozen.iter().all(|p| !alive(*p)).then_some(())
        });
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.kill_tree(true);
        for (pid, start) in std::mem::take(&mut *lock(&self.shared.orphans)) {
            kill_group(pid, start);
        }
        self.shared.clean();
    }
}

impl Shared {
    fn as_user(&self, shell_cmd: &str) -> Output {
        within(&mut self.user_command(shell_cmd), shell_cmd)
    }

    fn user_command(&self, shell_cmd: &str) -> Command {
        let mut cmd = sbin("runuser");
        cmd.args(["-u", USER, "--", "sh", "-c", shell_cmd])
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", PATH)
            .env("LANG", "C.UTF-8")
            .env("SHELL", "/bin/sh")
            .env(MARK, &self.root);
        cmd
    }

    fn spawn_as(&self, cmd: &str, cwd: &Path, env: &[(&str, &str)]) -> RemoteProcess {
        let mut line = format!("cd {} || exit 1; setsid env", qpath(cwd));
        for (k, v) in env {
            let _ = write!(line, " {}", quote(&format!("{k}={v}")));
        }
        let _ = write!(line, " {cmd} </dev/null >/dev/null 2>&1 & echo $!");
        let out = self.as_user(&line);
        assert!(
            out.status.success(),
            "spawn as {USER} `{cmd}`: {}",
            text(&out.stderr)
        );
        let pid: u32 = text(&out.stdout).trim().parse().expect("the spawned pid");
        let start = stat(pid).map_or(0, |s| s.start);
        lock(&self.groups).push((pid, start));
        RemoteProcess { pid, start }
    }

    /// Files below `path` (and itself) to the remote user.
    fn chown_r(&self, path: &Path) {
        let _ = std::os::unix::fs::lchown(path, Some(self.uid), Some(self.gid));
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                self.chown_r(&entry.path());
            }
        }
    }

    /// Stops the tmux servers, kills the process groups, then whatever else is still marked,
    /// and removes the root.
    fn clean(&self) {
        for socket in std::mem::take(&mut *lock(&self.sockets)) {
            let cmd = format!("tmux -S {} kill-server", qpath(&socket));
            let _ = run_within(&mut self.user_command(&cmd), Duration::from_secs(5));
        }
        for (pid, start) in std::mem::take(&mut *lock(&self.groups)) {
            kill_group(pid, start);
        }
        sweep(&self.root, self.uid);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A process group started as the remote user; killed on drop.
pub struct RemoteProcess {
    pub pid: u32,
    start: u64,
}

impl RemoteProcess {
    /// Whether its first process still runs.
    pub fn alive(&self) -> bool {
        stat(self.pid).is_some_and(|s| s.start == self.start && s.state != 'Z')
    }
}

impl Drop for RemoteProcess {
    fn drop(&mut self) {
        kill_group(self.pid, self.start);
    }
}
