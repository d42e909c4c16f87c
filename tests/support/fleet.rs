//! A fleet of real opencode TUIs in a private tmux server, talking to the scripted model, with
//! every directory opencode and otop use isolated in one temporary directory. Everything it
//! starts is killed when it drops (also when a test panics).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::model_server::ModelServer;
use super::{TmuxServer, wait_for};

/// One TUI to start: `opencode <args>` in `<root>/<dir>`, in tmux session `tmux_session`.
#[derive(Debug, Clone)]
pub struct TuiSpec {
    pub name: &'static str,
    pub dir: &'static str,
    pub tmux_session: &'static str,
    pub args: Vec<String>,
}

impl TuiSpec {
    pub fn new(name: &'static str, dir: &'static str) -> TuiSpec {
        TuiSpec {
            name,
            dir,
            tmux_session: "a",
            args: Vec::new(),
        }
    }
}

/// Specs of `(name, project dir)`, all in tmux session `a` but `twin2`, which goes to `b` (so
/// jumping to it crosses sessions).
pub fn specs(list: &[(&'static str, &'static str)]) -> Vec<TuiSpec> {
    list.iter()
        .map(|(n, d)| {
            let mut s = TuiSpec::new(n, d);
            if *n == "twin2" {
                s.tmux_session = "b";
            }
            s
        })
        .collect()
}

/// A started TUI.
#[derive(Debug, Clone)]
pub struct Tui {
    pub name: &'static str,
    pub dir: PathBuf,
    pub pane: String,
    pub pid: u32,
}

pub struct Fleet {
    pub bin: PathBuf,
    pub version: String,
    pub root: PathBuf,
    pub tuis: HashMap<&'static str, Tui>,
    /// Added to [`env_vars`] for every process started from now on.
    pub extra_env: Vec<(String, String)>,
    children: std::sync::Mutex<Vec<Child>>,
    // Dropped in this order after `Drop::drop` killed the processes.
    pub tmux: TmuxServer,
    pub model: ModelServer,
    _tmp: tempfile::TempDir,
}

/// The isolated environment of every opencode and otop process of a fleet.
pub fn env_vars(root: &Path) -> Vec<(String, String)> {
    let d = |s: &str| root.join("env").join(s).display().to_string();
    vec![
        ("HOME".into(), d("home")),
        ("XDG_DATA_HOME".into(), d("data")),
        ("XDG_CONFIG_HOME".into(), d("config")),
        ("XDG_STATE_HOME".into(), d("state")),
        ("XDG_CACHE_HOME".into(), d("cache")),
        ("OPENCODE_DISABLE_MODELS_FETCH".into(), "1".into()),
        ("OPENCODE_DISABLE_AUTOUPDATE".into(), "1".into()),
    ]
}

fn write_config(root: &Path, base_url: &str) {
    for d in ["home", "data", "config/opencode", "state", "cache"] {
        std::fs::create_dir_all(root.join("env").join(d)).expect("mkdir env");
    }
    std::fs::write(
        root.join("env/config/opencode/opencode.json"),
        opencode_config(base_url).to_string(),
    )
    .expect("write opencode.json");
}

/// The `opencode.json` of an offline opencode on the scripted model at `base_url`.
pub fn opencode_config(base_url: &str) -> Value {
    serde_json::json!({
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": false,
        "share": "disabled",
        "provider": {"scripted": {
            "npm": "@ai-sdk/openai-compatible",
            "name": "Scripted",
            "options": {"baseURL": base_url, "apiKey": "x"},
            "models": {"m": {"name": "m", "tool_call": true}}
        }},
        "model": "scripted/m",
        "small_model": "scripted/m"
    })
}

impl Fleet {
    /// Isolated dirs, the model server and an empty tmux server (sessions `a` and `b`, each
    /// with a placeholder window). No opencode runs yet.
    pub fn new(bin: PathBuf, version: &str) -> Fleet {
        let tmp = tempfile::Builder::new()
            .prefix("otop-e2e-")
            .tempdir()
            .expect("tempdir");
        let root = tmp.path().to_path_buf();
        let model = ModelServer::start(&root);
        write_config(&root, &model.base_url());
        let tmux = TmuxServer::start("a", &root, "sleep 86400");
        tmux.session("b", &root, "sleep 86400");
        eprintln!(
            "fleet in {} (opencode {version}, model on port {})",
            root.display(),
            model.port
        );
        Fleet {
            bin,
            version: version.to_string(),
            root,
            tuis: HashMap::new(),
            extra_env: Vec::new(),
            children: std::sync::Mutex::new(Vec::new()),
            tmux,
            model,
            _tmp: tmp,
        }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = env_vars(&self.root);
        env.extend(self.extra_env.iter().cloned());
        env
    }

    /// Makes project `dir` ask before every bash command (`"permission": {"bash": "ask"}`).
    pub fn ask_before_bash(&self, dir: &str) {
        std::fs::write(
            self.project(dir).join("opencode.json"),
            r#"{"$schema":"https://opencode.ai/config.json","permission":{"bash":"ask"}}"#,
        )
        .expect("write opencode.json");
    }

    /// Sends tmux key names (`Enter`, `Escape`, `C-c`) to a TUI.
    pub fn keys(&self, name: &str, keys: &[&str]) {
        let pane = &self.tui(name).pane;
        let mut args = vec!["send-keys", "-t", pane.as_str()];
        args.extend_from_slice(keys);
        self.tmux.ok(&args);
    }

    /// Where the companion plugin of process `pid` writes its state.
    pub fn plugin_file(&self, pid: u32) -> PathBuf {
        self.root
            .join("env/data/opencode/otop")
            .join(format!("{pid}.json"))
    }

    /// The companion plugin's state file of process `pid`, parsed; None while there is none.
    pub fn plugin_state(&self, pid: u32) -> Option<Value> {
        let text = std::fs::read_to_string(self.plugin_file(pid)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// A project directory: a git repository with one commit, so it is its own opencode
    /// project; a name starting with `plain` is a plain directory (opencode's `global` project).
    pub fn project(&self, name: &str) -> PathBuf {
        let dir = self.root.join("projects").join(name);
        if !dir.exists() && name.starts_with("plain") {
            std::fs::create_dir_all(&dir).expect("mkdir project");
        } else if !dir.exists() {
            std::fs::create_dir_all(&dir).expect("mkdir project");
            let git = |args: &[&str]| {
                let _ = Command::new("git")
                    .args(args)
                    .current_dir(&dir)
                    .env("GIT_CONFIG_GLOBAL", "/dev/null")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            };
            git(&["init", "-q"]);
            git(&[
                "-c",
                "user.name=otop",
                "-c",
                "user.email=otop@example.com",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                name,
            ]);
        }
        dir
    }

    fn shell_command(&self, args: &[String]) -> String {
        let env: Vec<String> = self
            .env()
            .iter()
            .map(|(k, v)| format!("{k}='{v}'"))
            .collect();
        let args: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        format!(
            "exec env {} '{}' {}",
            env.join(" "),
            self.bin.display(),
            args.join(" ")
        )
    }

    /// Starts every TUI, then waits until each shows its prompt. Without a database yet the
    /// first TUI starts alone: opencode creates and migrates the database on first start, and
    /// several processes doing that at once can fail.
    pub fn start_tuis(&mut self, specs: &[TuiSpec], timeout: Duration) {
        let start = Instant::now();
        let first_alone = usize::from(!self.db_path().exists()).min(specs.len());
        let (first, rest) = specs.split_at(first_alone);
        for batch in [first, rest] {
            for s in batch {
                self.start_tui(s);
            }
            for s in batch {
                let tui = self.tuis[s.name].clone();
                let left = timeout.saturating_sub(start.elapsed());
                let ready = wait_for(left, || self.is_ready(&tui).then_some(()));
                assert!(
                    ready.is_some(),
                    "TUI {} (pid {}) showed no prompt within {timeout:?}; its pane:\n{}",
                    tui.name,
                    tui.pid,
                    self.capture(&tui.pane)
                );
            }
        }
        eprintln!("{} TUIs ready in {:.0?}", specs.len(), start.elapsed());
    }

    fn start_tui(&mut self, s: &TuiSpec) {
        let dir = self.project(s.dir);
        let cmd = self.shell_command(&s.args);
        let pane = self.tmux.window(s.tmux_session, &dir, &cmd);
        self.tmux.ok(&["rename-window", "-t", &pane, s.name]);
        let pid = self.tmux.pane_pid(&pane);
        self.tuis.insert(
            s.name,
            Tui {
                name: s.name,
                dir,
                pane,
                pid,
            },
        );
    }

    pub fn capture(&self, pane: &str) -> String {
        String::from_utf8_lossy(&self.tmux.tmux(&["capture-pane", "-p", "-t", pane]).stdout)
            .into_owned()
    }

    /// The TUI draws its prompt box (placeholder text on a new session, the agent and model
    /// line below the box on any session).
    fn is_ready(&self, tui: &Tui) -> bool {
        let text = self.capture(&tui.pane);
        text.contains("Ask anything") || text.contains("Scripted")
    }

    pub fn tui(&self, name: &str) -> &Tui {
        self.tuis
            .get(name)
            .unwrap_or_else(|| panic!("no TUI named {name}"))
    }

    /// Types `text` into a TUI's prompt and submits it; returns once the model saw the request
    /// (`text` must be unique to this prompt).
    pub fn prompt(&self, name: &str, text: &str) {
        let tui = self.tui(name);
        self.tmux.ok(&["send-keys", "-t", &tui.pane, "-l", text]);
        let typed = wait_for(Duration::from_secs(15), || {
            self.capture(&tui.pane).contains(text).then_some(())
        });
        assert!(
            typed.is_some(),
            "{name}: typed text never showed in the pane:\n{}",
            self.capture(&tui.pane)
        );
        for _ in 0..3 {
            self.tmux.ok(&["send-keys", "-t", &tui.pane, "Enter"]);
            let seen = wait_for(Duration::from_secs(20), || {
                (self.model.requests_containing(text) > 0).then_some(())
            });
            if seen.is_some() {
                return;
            }
        }
        panic!(
            "{name}: the model never received {text:?}; pane:\n{}",
            self.capture(&tui.pane)
        );
    }

    /// Starts `opencode run <message>` in project `dir` in the background; returns its pid.
    pub fn spawn_run(&self, dir: &str, message: &str) -> u32 {
        let child = self
            .run_command(dir, message)
            .spawn()
            .expect("spawn opencode run");
        let pid = child.id();
        self.adopt(child);
        pid
    }

    /// Runs `opencode run <message>` in project `dir` to the end.
    pub fn run_to_end(&self, dir: &str, message: &str, timeout: Duration) {
        let mut child = self
            .run_command(dir, message)
            .spawn()
            .expect("spawn opencode run");
        let done = wait_for(timeout, || child.try_wait().ok().flatten());
        if done.is_none() {
            kill_tree(child.id());
            let _ = child.wait();
        }
        let err = std::fs::read_to_string(self.run_log(message, "err")).unwrap_or_default();
        let status = done.unwrap_or_else(|| {
            panic!("opencode run {message:?} did not finish in {timeout:?}; stderr:\n{err}")
        });
        assert!(
            status.success(),
            "opencode run {message:?} failed: {status}; stderr:\n{err}"
        );
    }

    /// Where `opencode run <message>` writes its output.
    fn run_log(&self, message: &str, ext: &str) -> PathBuf {
        let name: String = message
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.root.join(format!("run-{name}.{ext}"))
    }

    fn run_command(&self, dir: &str, message: &str) -> Command {
        let dir = self.project(dir);
        let log = |ext: &str| {
            std::fs::File::create(self.run_log(message, ext))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null())
        };
        let mut cmd = Command::new(&self.bin);
        // opencode takes its directory from $PWD, not getcwd(), as a shell would set it.
        cmd.arg("run")
            .arg(message)
            .env("PWD", &dir)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log("out"))
            .stderr(log("err"))
            .env_remove("TMUX")
            .env_remove("TMUX_PANE");
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }

    /// Keeps `child` alive until the fleet drops, then kills it.
    pub fn adopt(&self, child: Child) {
        if let Ok(mut c) = self.children.lock() {
            c.push(child);
        }
    }

    /// Runs otop with the fleet's environment; returns stdout, failing on a non-zero exit.
    pub fn otop(&self, args: &[&str]) -> String {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (code, out, err) = super::otop(args, &env);
        assert_eq!(code, 0, "otop {args:?} failed: {err}");
        out
    }

    /// `otop sessions --json [--all]`, parsed.
    pub fn sessions(&self, all: bool) -> Vec<Value> {
        let mut args = vec!["sessions", "--json"];
        if all {
            args.push("--all");
        }
        let out = self.otop(&args);
        match serde_json::from_str::<Value>(&out) {
            Ok(Value::Array(rows)) => rows,
            _ => panic!("otop sessions --json printed no array: {out}"),
        }
    }

    /// opencode's database, as opencode itself resolves it in the fleet's environment.
    /// opencode's shared log (1.17+).
    pub fn log_path(&self) -> PathBuf {
        self.root.join("env/data/opencode/log/opencode.log")
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join("env/data/opencode/opencode.db")
    }

    /// Ground truth from the database: the top-level session whose conversation contains
    /// `marker` (a word only one prompt uses).
    pub fn session_with(&self, marker: &str) -> Option<String> {
        let conn = rusqlite::Connection::open_with_flags(
            self.db_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()?;
        conn.busy_timeout(Duration::from_secs(5)).ok()?;
        conn.query_row(
            "SELECT p.session_id FROM part p JOIN session s ON s.id = p.session_id \
             WHERE s.parent_id IS NULL AND p.data LIKE '%' || ?1 || '%' \
             ORDER BY p.time_created LIMIT 1",
            [marker],
            |r| r.get::<_, String>(0),
        )
        .ok()
    }

    /// Waits for [`Fleet::session_with`].
    pub fn wait_session_with(&self, marker: &str, timeout: Duration) -> String {
        wait_for(timeout, || self.session_with(marker))
            .unwrap_or_else(|| panic!("no session in the database mentions {marker:?}"))
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let mut children = match self.children.lock() {
            Ok(mut c) => std::mem::take(&mut *c),
            Err(_) => Vec::new(),
        };
        let mut roots: Vec<u32> = self.tuis.values().map(|t| t.pid).collect();
        roots.extend(children.iter().map(Child::id));
        kill_trees(&roots);
        for c in &mut children {
            let _ = c.wait();
        }
    }
}

/// Parent pid of every process, from /proc.
fn parents() -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
            out.insert(pid, ppid);
        }
    }
    out
}

/// `pid` and all its descendants.
pub fn tree(pid: u32) -> Vec<u32> {
    let parents = parents();
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Whether `pid` is gone (or a zombie waiting for its parent).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state == "Z"),
    }
}

/// SIGTERM to `pid` and its descendants, SIGKILL to whatever is left after a grace period.
pub fn kill_tree(pid: u32) {
    kill_trees(&[pid]);
}

/// [`kill_tree`] for several roots at once (one grace period for all).
pub fn kill_trees(roots: &[u32]) {
    let mut pids: Vec<u32> = roots.iter().flat_map(|r| tree(*r)).collect();
    pids.sort_unstable();
    pids.dedup();
    if pids.is_empty() {
        return;
    }
    let signal = |sig: &str, pids: &[u32]| {
        let _ = Command::new("kill")
            .arg(sig)
            .args(pids.iter().map(u32::to_string))
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM", &pids);
    let all_gone = wait_for(Duration::from_secs(5), || {
        pids.iter().all(|p| gone(*p)).then_some(())
    });
    if all_gone.is_none() {
        let left: Vec<u32> = pids.iter().copied().filter(|p| !gone(*p)).collect();
        signal("-KILL", &left);
    }
}
