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
use super::world::session;

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

/// A tmux server of the remote user with opencode stand-ins in its panes (see
/// [`Remote::world`]); the server is killed on drop.
pub struct RemoteWorld {
    shared: Arc<Shared>,
    /// The world's directory below the Remote's root.
    pub dir: PathBuf,
    /// The tmux server's socket.
    pub socket: PathBuf,
    /// `XDG_DATA_HOME` of the stand-ins and of the remote otop.
    pub data: PathBuf,
    /// The remote otop's configuration (`OTOP_CONFIG`), listing the socket.
    pub config: PathBuf,
    pub sessions: Vec<RemoteSession>,
    otop: String,
}

/// One stand-in in a remote pane.
#[derive(Debug, Clone)]
pub struct RemoteSession {
    /// The opencode session id (`opencode -s <id>`).
    pub id: String,
    pub title: String,
    /// The tmux session it runs in (`s0`, `s1`…).
    pub tmux_session: String,
    /// Its pane id (`%3`).
    pub pane: String,
    /// The stand-in's pid (the pane's process).
    pub pid: u32,
    pub project: PathBuf,
}

/// A tmux client of the remote server, attached as the remote user from a pseudo-terminal.
pub struct RemoteClient {
    /// The client's name (its tty), for `-c`.
    pub name: String,
    _process: RemoteProcess,
}

impl RemoteWorld {
    fn start(remote: &Remote, sessions: &[(&str, &str)]) -> RemoteWorld {
        let shared = Arc::clone(&remote.shared);
        let otop = remote.install_otop();
        let n = shared.worlds.fetch_add(1, Ordering::Relaxed);
        let dir = shared.root.join(format!("w{n}"));
        let data = dir.join("data");
        for sub in ["data/opencode", "state", "cache", "run", "bin"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir in the world");
        }
        chmod(&dir.join("run"), 0o700);
        let standin = dir.join("bin/opencode");
        std::fs::copy("/bin/bash", &standin).expect("copy bash");
        let socket = dir.join("tmux.sock");
        let config = dir.join("config.toml");
        let sockets = format!("[tmux]\nsockets = [{:?}]\n", socket.display().to_string());
        std::fs::write(&config, sockets).expect("write the remote config");

        let t = otop::collect::now_ms() - 60_000;
        let mut fx = Fixture::create(&data.join("opencode/opencode.db"), Schema::Current)
            .expect("fixture database");
        let mut planned = Vec::new();
        for (i, (id, title)) in sessions.iter().enumerate() {
            let project = dir.join(format!("p{i}"));
            std::fs::create_dir_all(&project).expect("mkdir project");
            let sid = session(&mut fx, id, title, &project, t);
            fx.user_message(&sid, t + 1).expect("user message");
            let m = fx
                .assistant_message(
                    &sid,
                    t + 2,
                    AssistantSpec {
                        completed: Some(t + 3),
                        finish: Some("stop".into()),
                        ..AssistantSpec::default()
                    },
                )
                .expect("assistant message");
            fx.text_part(&m, t + 2, "Done.\n").expect("text part");
            planned.push((sid, title.to_string(), format!("s{i}"), project));
        }
        drop(fx);
        shared.chown_r(&dir);

        lock(&shared.sockets).push(socket.clone());
        let mut world = RemoteWorld {
            shared,
            dir,
            socket,
            data,
            config,
            sessions: Vec::new(),
            otop,
        };
        let home = world.dir.display().to_string();
        world.tmux_words(
            "-f /dev/null new-session -d -s home -x 120 -y 40 -c",
            &[&home, "exec sleep 86400"],
        );
        for (id, title, tmux_session, project) in planned {
            let cmd = format!(
                "exec env XDG_DATA_HOME={} {} -c 'sleep 3600; :' opencode -s {}",
                qpath(&world.data),
                qpath(&standin),
                quote(&id)
            );
            let project_dir = project.display().to_string();
            let pane = world.tmux_words(
                "new-session -d -P -F #{pane_id} -x 120 -y 40 -s",
                &[&tmux_session, "-c", &project_dir, &cmd],
            );
            let pane = pane.trim().to_string();
            let pid: u32 = world
                .tmux(&["display", "-p", "-t", &pane, "#{pane_pid}"])
                .trim()
                .parse()
                .expect("pane pid");
            let exec = wait_for(Duration::from_secs(5), || {
                stat(pid).filter(|s| s.comm == "opencode").map(|_| ())
            });
            assert!(
                exec.is_some(),
                "the stand-in in {pane} never became opencode"
            );
            world.sessions.push(RemoteSession {
                id,
                title,
                tmux_session,
                pane,
                pid,
                project,
            });
        }
        world
    }

    /// The command a `[[hosts]] otop = "..."` setting would hold for the remote otop to see
    /// this world: its data, its configuration (the socket), state, cache and runtime
    /// directories of its own (so concurrent tests share no lock), HOME left as it is.
    pub fn command(&self) -> String {
        let d = |sub: &str| qpath(&self.dir.join(sub));
        format!(
            "env XDG_DATA_HOME={} XDG_STATE_HOME={} XDG_CACHE_HOME={} XDG_RUNTIME_DIR={} \
             OTOP_CONFIG={} {MARK}={} {}",
            d("data"),
            d("state"),
            d("cache"),
            d("run"),
            qpath(&self.config),
            qpath(&self.shared.root),
            quote(&self.otop)
        )
    }

    /// The stand-in of session `id`.
    pub fn session(&self, id: &str) -> &RemoteSession {
        self.sessions
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no remote session {id}"))
    }

    /// The socket's path as a string.
    pub fn socket_str(&self) -> String {
        self.socket.display().to_string()
    }

    /// [`RemoteWorld::tmux`] with the words of `fixed` (no quoting in them), then `tail`.
    fn tmux_words(&self, fixed: &str, tail: &[&str]) -> String {
        let mut args: Vec<&str> = fixed.split_whitespace().collect();
        args.extend(tail);
        self.tmux(&args)
    }

    /// Runs `tmux -S <socket> args…` as the remote user; it must succeed; returns its stdout.
    pub fn tmux(&self, args: &[&str]) -> String {
        let mut line = format!("tmux -S {}", qpath(&self.socket));
        for a in args {
            let _ = write!(line, " {}", quote(a));
        }
        let out = self.shared.as_user(&line);
        assert!(
            out.status.success(),
            "remote tmux {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Adds rows to the world's database (as root), then gives its files back to the remote
    /// user (a WAL database's readers must be able to write its `-shm`).
    pub fn with_db<T>(&self, f: impl FnOnce(&mut Fixture) -> T) -> T {
        let db = self.data.join("opencode/opencode.db");
        let mut fx = Fixture::open(&db, Schema::Current).expect("open the world's database");
        let v = f(&mut fx);
        drop(fx);
        self.shared.chown_r(&self.data);
        v
    }

    /// Attaches a tmux client to `tmux_session` as the remote user, from a 120×40
    /// pseudo-terminal (`script`), as a person's terminal would be; detached on drop.
    pub fn attach(&self, tmux_session: &str) -> RemoteClient {
        let clients = || -> Vec<String> {
            self.tmux(&["list-clients", "-F", "#{client_name}"])
                .lines()
                .map(str::to_string)
                .collect()
        };
        let before = clients();
        let inner = format!(
            "stty cols 120 rows 40; exec tmux -u -S {} attach -t {}",
            qpath(&self.socket),
            quote(tmux_session)
        );
        let process = self.shared.spawn_as(
            &format!("script -qfc {} /dev/null", quote(&inner)),
            &self.dir,
            &[("TERM", "xterm-256color")],
        );
        let name = wait_for(Duration::from_secs(10), || {
            clients().into_iter().find(|c| !before.contains(c))
        })
        .unwrap_or_else(|| panic!("no client attached to remote session {tmux_session}"));
        RemoteClient {
            name,
            _process: process,
        }
    }

    /// `session_name window_index pane_id` of what `client` shows now.
    pub fn showing(&self, client: &RemoteClient) -> String {
        self.tmux(&[
            "display",
            "-p",
            "-c",
            &client.name,
            "#{session_name} #{window_index} #{pane_id}",
        ])
        .trim()
        .to_string()
    }
}

impl Drop for RemoteWorld {
    fn drop(&mut self) {
        let cmd = format!("tmux -S {} kill-server", qpath(&self.socket));
        let _ = run_within(&mut self.shared.user_command(&cmd), Duration::from_secs(5));
    }
}

/// Why the sshd tests cannot run here, if they cannot.
fn can_run() -> Result<(), String> {
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
fn tool(name: &str) -> Option<PathBuf> {
    which::which(name).ok().or_else(|| {
        ["/usr/sbin", "/sbin"]
            .iter()
            .map(|d| Path::new(d).join(name))
            .find(|p| p.is_file())
    })
}

fn sbin(name: &str) -> Command {
    Command::new(tool(name).unwrap_or_else(|| PathBuf::from(name)))
}

/// The remote account as `/etc/passwd` has it.
#[derive(Clone)]
struct Account {
    uid: u32,
    gid: u32,
    home: PathBuf,
}

fn account() -> Option<Account> {
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
fn ensure_user() -> Account {
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
fn stop_stale_sshd() {
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `s` quoted for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn qpath(p: &Path) -> String {
    quote(&p.display().to_string())
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`run_within`] with the harness's bound; panics naming `what` when it fails or overruns.
fn within(cmd: &mut Command, what: &str) -> Output {
    run_within(cmd, COMMAND).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Runs `cmd` to its end with no stdin, its output captured; kills it after `timeout`.
fn run_within(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
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

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
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
struct Stat {
    comm: String,
    state: char,
    ppid: u32,
    /// Clock ticks after boot: with the pid, names one process even once pids are reused.
    start: u64,
}

fn stat(pid: u32) -> Option<Stat> {
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

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

fn descendants(root: u32) -> Vec<u32> {
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

fn signal(pid: u32, sig: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill has no memory preconditions; a stale pid only makes it fail.
        let _ = unsafe { libc::kill(pid, sig) };
    }
}

/// Kills the group `pid` leads and `pid` itself, unless `pid` is now another process.
fn kill_group(pid: u32, start: u64) {
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
fn marked(root: &Path, uid: u32) -> Vec<u32> {
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
fn sweep(root: &Path, uid: u32) {
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

fn uid_of(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
