//! The remote user's world: a tmux server with opencode stand-ins in its panes, and the
//! command line a `[[hosts]] otop = "..."` setting holds to see them.

use super::*;

/// A tmux server of the remote user with opencode stand-ins in its panes (see
/// [`Remote::world`]); the server is killed on drop.
pub struct RemoteWorld {
    pub(super) shared: Arc<Shared>,
    /// The world's directory below the Remote's root.
    pub dir: PathBuf,
    /// The tmux server's socket.
    pub socket: PathBuf,
    /// `XDG_DATA_HOME` of the stand-ins and of the remote otop.
    pub data: PathBuf,
    /// The remote otop's configuration (`OTOP_CONFIG`), listing the socket.
    pub config: PathBuf,
    pub sessions: Vec<RemoteSession>,
    pub(super) otop: String,
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
    pub(super) fn start(remote: &Remote, sessions: &[(&str, &str)]) -> RemoteWorld {
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
            let pid = world.pane_pid(&pane);
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

    /// The pid of the process in `pane`.
    pub fn pane_pid(&self, pane: &str) -> u32 {
        self.tmux(&["display", "-p", "-t", pane, "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
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
