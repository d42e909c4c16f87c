//! Shared test support: private tmux servers and opencode stand-in processes.
#![allow(dead_code)]

pub mod checks;
pub mod days;
#[cfg(target_os = "linux")]
pub mod dbus;
pub mod drive;
pub mod fleet;
pub mod model_server;
pub mod opencode;
pub mod replies;
pub mod sshd;
pub mod timeline;
pub mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use otop::testkit::standin::Standin;

/// A tmux server of the test's own, on a socket in a temporary directory; killed on drop.
pub struct TmuxServer {
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl TmuxServer {
    /// Starts a server with a first session `session` running `cmd` in `cwd`, 120×40.
    pub fn start(session: &str, cwd: &Path, cmd: &str) -> TmuxServer {
        TmuxServer::start_sized(session, cwd, cmd, 120, 40)
    }

    /// A server whose session `t` runs a plain `sh` (prompt `$ `, colours allowed) in the
    /// server's own temporary directory, `width`×`height`: a terminal to type commands into.
    pub fn shell(width: u16, height: u16) -> TmuxServer {
        let cwd = std::env::temp_dir();
        let srv = TmuxServer::start_sized("t", &cwd, "env PS1='$ ' NO_COLOR= sh", width, height);
        srv.wait_text("t", "$");
        srv
    }

    /// Starts a server with a first session `session` running `cmd` in `cwd`.
    pub fn start_sized(
        session: &str,
        cwd: &Path,
        cmd: &str,
        width: u16,
        height: u16,
    ) -> TmuxServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("tmux.sock");
        let server = TmuxServer { socket, _dir: dir };
        server.ok(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-c",
            &cwd.display().to_string(),
            cmd,
        ]);
        server
    }

    /// Starts a server as a user's `tmux` does: `config` loaded before its first session (`t`,
    /// a plain `sh`, 120×40) exists, `env` in the environment it starts with.
    pub fn start_with_config(config: &Path, env: &[(&str, String)]) -> TmuxServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("tmux.sock");
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .arg("-f")
            .arg(config)
            .args([
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "120",
                "-y",
                "40",
                "sh",
            ])
            .env_remove("TMUX")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux -f {}: {}",
            config.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        TmuxServer { socket, _dir: dir }
    }

    /// The server's own temporary directory (removed with it).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    /// Runs a tmux command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Opens a new window running `cmd` in `cwd`; returns its pane id.
    pub fn window(&self, target_session: &str, cwd: &Path, cmd: &str) -> String {
        self.ok(&[
            "new-window",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-t",
            &format!("{target_session}:"),
            "-c",
            &cwd.display().to_string(),
            cmd,
        ])
        .trim()
        .to_string()
    }

    /// Starts another session running `cmd`; returns its first pane id.
    pub fn session(&self, name: &str, cwd: &Path, cmd: &str) -> String {
        self.ok(&[
            "new-session",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            &cwd.display().to_string(),
            cmd,
        ])
        .trim()
        .to_string()
    }

    /// The pid of the process running in `pane`.
    pub fn pane_pid(&self, pane: &str) -> u32 {
        self.ok(&["display", "-p", "-t", pane, "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    pub fn socket_str(&self) -> String {
        self.socket.display().to_string()
    }

    /// Sends keys (tmux key names: `Enter`, `Escape`, `j`) to `target`.
    pub fn send(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend(keys);
        self.ok(&args);
    }

    /// Types `text` literally into `target`.
    pub fn type_text(&self, target: &str, text: &str) {
        self.ok(&["send-keys", "-t", target, "-l", text]);
    }

    /// What `target` shows now.
    pub fn screen(&self, target: &str) -> String {
        self.ok(&["capture-pane", "-p", "-t", target])
    }

    /// A tmux format expanded for `target` (`#{pane_pid}`, `#W`).
    pub fn display(&self, target: &str, format: &str) -> String {
        self.ok(&["display", "-p", "-t", target, format])
            .trim()
            .to_string()
    }

    /// The pane option `name` of `pane` (`@otop_state`), empty when unset.
    pub fn pane_option(&self, pane: &str, name: &str) -> String {
        self.ok(&["show-option", "-pqv", "-t", pane, name])
            .trim()
            .to_string()
    }

    /// Polls `target`'s screen until `ok` holds; panics with the last screen after 15 s.
    pub fn wait_screen(&self, target: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen(target);
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Polls `target`'s screen until it shows `needle`.
    pub fn wait_text(&self, target: &str, needle: &str) -> String {
        self.wait_screen(target, needle, |s| s.contains(needle))
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Whether tmux is installed; tests that need it say why they skip when it is not.
pub fn have_tmux() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
        eprintln!("skipping: tmux is not installed");
    }
    ok
}

/// Stand-in `opencode` executables: a copy of `sleep` (argv `opencode 3600`) for plain TUIs, and
/// a copy of `bash` for argv with flags (`-s <id>`), which bash ignores after `-c CMD NAME`.
pub struct StandIns {
    pub dir: tempfile::TempDir,
}

impl StandIns {
    pub fn new() -> StandIns {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("sleep")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("bash")).expect("mkdir");
        std::fs::copy("/bin/sleep", dir.path().join("sleep/opencode")).expect("copy sleep");
        std::fs::copy("/bin/bash", dir.path().join("bash/opencode")).expect("copy bash");
        StandIns { dir }
    }

    /// A shell command that runs a plain `opencode` (no arguments but a duration).
    pub fn plain(&self) -> String {
        format!(
            "exec {} 3600",
            self.dir.path().join("sleep/opencode").display()
        )
    }

    /// A shell command that runs `opencode -s <id>` (bash ignores the words after `-c CMD NAME`).
    pub fn with_session(&self, id: &str) -> String {
        format!("exec {}", self.session_argv(id))
    }

    /// `opencode -s <id>` run detached from the test in `cwd`, with `env`; killed on drop.
    pub fn spawn_session(&self, id: &str, cwd: &Path, env: &[(&str, &str)]) -> Standin {
        Standin::spawn(&self.session_argv(id), cwd, env)
    }

    /// `opencode -s <id>` as the user and group `uid` (through `setpriv`: needs root), detached
    /// in `cwd`; killed on drop.
    pub fn spawn_session_as(&self, uid: u32, id: &str, cwd: &Path) -> Standin {
        // The other user must be able to run the stand-in's binary.
        Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(self.dir.path())
            .status()
            .expect("chmod");
        let as_them = format!("setpriv --reuid={uid} --regid={uid} --clear-groups");
        Standin::spawn(&format!("{as_them} {}", self.session_argv(id)), cwd, &[])
    }

    fn session_argv(&self, id: &str) -> String {
        format!(
            "{} -c 'sleep 3600; :' opencode -s {id}",
            self.dir.path().join("bash/opencode").display()
        )
    }
}

/// Runs `cmd` (a stand-in command) with the test's data directory in its environment, as a
/// user's shell would, so otop finds that process's database the way it finds a real one's.
pub fn in_env(data: &Path, cmd: &str) -> String {
    let cmd = cmd.strip_prefix("exec ").unwrap_or(cmd);
    format!("exec env XDG_DATA_HOME={} {cmd}", data.display())
}

/// Polls `f` until it returns Some or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs the otop binary with `args` and environment overrides; returns (status, stdout, stderr).
pub fn otop(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otop"));
    cmd.args(args).env_remove("TMUX").env_remove("TMUX_PANE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run otop");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A tmux client attached from a pseudo-terminal (`script`), as a person's terminal would be.
/// Everything the client draws is written to `typescript`.
pub struct Client {
    child: std::process::Child,
    pub name: String,
    pub typescript: PathBuf,
}

impl Client {
    pub fn attach(srv: &TmuxServer, session: &str) -> Client {
        let typescript = srv._dir.path().join(format!("client-{session}.typescript"));
        let cmd = format!("tmux -u -S {} attach -t {session}", srv.socket.display());
        let before: Vec<String> = srv
            .ok(&["list-clients", "-F", "#{client_name}"])
            .lines()
            .map(str::to_string)
            .collect();
        let child = Command::new("script")
            .args(["-qfc", &cmd])
            .arg(&typescript)
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env_remove("TMUX")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn script");
        let name = wait_for(Duration::from_secs(10), || {
            srv.ok(&["list-clients", "-F", "#{client_name}"])
                .lines()
                .find(|c| !before.iter().any(|b| b == c))
                .map(str::to_string)
        })
        .expect("client attached");
        Client {
            child,
            name,
            typescript,
        }
    }

    /// `session_name window_index pane_id` of what the client shows now. Read from
    /// list-clients: `display -c` takes its pane from tmux's current client, not this one, when
    /// several are attached.
    pub fn showing(&self, srv: &TmuxServer) -> String {
        srv.ok(&[
            "list-clients",
            "-F",
            "#{client_name}\t#{session_name} #{window_index} #{pane_id}",
        ])
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{}\t", self.name)))
        .unwrap_or("")
        .to_string()
    }

    /// Types `bytes` on the client's terminal, as a person at its keyboard would (`\x02o` is
    /// `prefix + o` with tmux's default prefix). tmux takes a key that comes within
    /// `assume-paste-time` (1 ms) of the two before it for pasted text and passes it to the pane
    /// unbound; a CI machine answers fast enough for a prefix typed right after the poll that saw
    /// the previous key done to be such a key (seen: `q` closing TPM's report, then `prefix + o`
    /// typed `o` into the pane). So the prefix, and what follows it, come 10 ms after the key
    /// before, as a person's do.
    pub fn press(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("client's terminal");
        for keys in bytes.split_inclusive(|&b| b == 0x02) {
            std::thread::sleep(Duration::from_millis(10));
            stdin
                .write_all(keys)
                .expect("type on the client's terminal");
            stdin.flush().expect("flush the client's terminal");
        }
    }

    /// What the client's terminal received so far, escape sequences removed.
    pub fn screen_text(&self) -> String {
        let raw = std::fs::read(&self.typescript).unwrap_or_default();
        otop::model::sanitize::clean(&String::from_utf8_lossy(&raw)).into_owned()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Busy loops on every core (a loaded machine), each ended by `timeout` after `limit` at the
/// latest, and on drop.
pub struct Load(Vec<std::process::Child>);

impl Load {
    pub fn start(limit: Duration) -> Load {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let spin = |_| {
            Command::new("timeout")
                .arg(limit.as_secs().max(1).to_string())
                .args(["sh", "-c", "while :; do :; done"])
                .spawn()
                .expect("start a busy loop")
        };
        Load((0..cores).map(spin).collect())
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        // TERM to `timeout` ends its loop too (KILL would leave the loop running).
        for c in &mut self.0 {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }
}
