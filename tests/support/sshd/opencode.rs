//! A real opencode TUI of the remote user, in a world's tmux server, on the scripted model
//! (loopback TCP, so the remote user reaches it): what `otop send|interrupt|end box:…` act on
//! over ssh.

#![allow(dead_code)]

use super::*;

/// The opencode TUI started by [`RemoteWorld::start_opencode`].
#[derive(Debug, Clone)]
pub struct RemoteTui {
    pub pane: String,
    /// The opencode process (the pane's process: `exec`ed into).
    pub pid: u32,
}

impl RemoteWorld {
    /// Starts the installed opencode `bin` (`…/node_modules/.bin/opencode`) as the remote user
    /// in tmux session `oc`, configured as the end-to-end suite's (offline, the scripted model
    /// at `base_url`), with this world's data directory (the fixture database removed: opencode
    /// makes its own) and config, state and cache directories of its own; with `plugin`, otop's
    /// companion plugin installed first, by `otop plugin install` run there. Waits until its
    /// prompt box shows.
    pub fn start_opencode(
        &self,
        bin: &Path,
        base_url: &str,
        plugin: bool,
        timeout: Duration,
    ) -> RemoteTui {
        let bin = self.reachable_opencode(bin);
        let d = |sub: &str| self.dir.join(sub);
        for sub in ["home", "oc-config/opencode", "oc-project"] {
            std::fs::create_dir_all(d(sub)).expect("mkdir for opencode");
        }
        let config = super::super::fleet::opencode_config(base_url).to_string();
        std::fs::write(d("oc-config/opencode/opencode.json"), config).expect("opencode.json");
        for f in ["opencode.db", "opencode.db-wal", "opencode.db-shm"] {
            let _ = std::fs::remove_file(self.data.join("opencode").join(f));
        }
        for sub in ["home", "oc-config", "oc-project"] {
            self.shared.chown_r(&d(sub));
        }
        let env = format!(
            "HOME={} XDG_DATA_HOME={} XDG_CONFIG_HOME={} XDG_STATE_HOME={} XDG_CACHE_HOME={} \
             OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_AUTOUPDATE=1",
            qpath(&d("home")),
            qpath(&self.data),
            qpath(&d("oc-config")),
            qpath(&d("state")),
            qpath(&d("cache")),
        );
        if plugin {
            let out = self
                .shared
                .as_user(&format!("env {env} {} plugin install", quote(&self.otop)));
            assert!(
                out.status.success(),
                "otop plugin install there: {}",
                text(&out.stderr)
            );
        }
        let project = d("oc-project").display().to_string();
        let cmd = format!("exec env {env} {}", qpath(&bin));
        let pane = self.tmux(&[
            "new-session",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            "oc",
            "-c",
            &project,
            &cmd,
        ]);
        let pane = pane.trim().to_string();
        let pid = self.pane_pid(&pane);
        let tui = RemoteTui { pane, pid };
        let ready = wait_for(timeout, || {
            let screen = self.capture(&tui);
            (screen.contains("Ask anything") || screen.contains("Scripted")).then_some(())
        });
        assert!(
            ready.is_some(),
            "opencode there showed no prompt within {timeout:?}:\n{}",
            self.capture(&tui)
        );
        tui
    }

    /// What the TUI's pane shows.
    pub fn capture(&self, tui: &RemoteTui) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &tui.pane])
    }

    /// Types `text` into the TUI's prompt, as its user would, and submits it.
    pub fn prompt(&self, tui: &RemoteTui, text: &str) {
        self.tmux(&["send-keys", "-t", &tui.pane, "-l", text]);
        let typed = wait_for(Duration::from_secs(15), || {
            self.capture(tui).contains(text).then_some(())
        });
        assert!(typed.is_some(), "never typed:\n{}", self.capture(tui));
        self.tmux(&["send-keys", "-t", &tui.pane, "Enter"]);
    }

    /// When the remote otop began its latest act (ms since the epoch): the first field of the
    /// last line of its `answers.log`.
    pub fn last_act_at(&self) -> Option<i64> {
        let log = std::fs::read_to_string(self.dir.join("state/otop/answers.log")).ok()?;
        let at = log.lines().last()?.split('\t').next()?;
        Some(
            chrono::DateTime::parse_from_rfc3339(at)
                .ok()?
                .timestamp_millis(),
        )
    }

    /// When the latest turn of `session` that ended aborted (`MessageAbortedError`) ended, as
    /// opencode's database says (read-only; opencode keeps its WAL files open meanwhile).
    pub fn aborted_at(&self, session: &str) -> Option<i64> {
        let db = self.data.join("opencode/opencode.db");
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()?;
        let _ = conn.busy_timeout(Duration::from_secs(5));
        conn.query_row(
            "SELECT json_extract(data, '$.time.completed') FROM message WHERE session_id = ?1 \
             AND json_extract(data, '$.error.name') = 'MessageAbortedError' \
             ORDER BY time_created DESC LIMIT 1",
            [session],
            |r| r.get(0),
        )
        .ok()
    }

    /// The opencode installed at `bin`, where the remote user can run it: its package
    /// (`package.json`, by which otop tells its version, and the native binary, hard-linked when
    /// it can be) laid out below this world as npm lays it out, `.bin/opencode` included (the
    /// name the process runs under).
    fn reachable_opencode(&self, bin: &Path) -> PathBuf {
        let exe = std::fs::canonicalize(bin).expect("the opencode binary");
        let package = exe
            .parent()
            .and_then(Path::parent)
            .expect("opencode-ai/bin/opencode.exe");
        let modules = self.dir.join("oc/node_modules");
        let there = modules.join("opencode-ai");
        std::fs::create_dir_all(there.join("bin")).expect("mkdir opencode-ai/bin");
        std::fs::create_dir_all(modules.join(".bin")).expect("mkdir .bin");
        std::fs::copy(package.join("package.json"), there.join("package.json"))
            .expect("copy package.json");
        let name = exe.file_name().expect("binary name");
        let copy = there.join("bin").join(name);
        if std::fs::hard_link(&exe, &copy).is_err() {
            std::fs::copy(&exe, &copy).expect("copy the opencode binary");
        }
        let link = modules.join(".bin/opencode");
        let target = Path::new("../opencode-ai/bin").join(name);
        std::os::unix::fs::symlink(target, &link).expect("link .bin/opencode");
        // Readable and runnable by the remote user, owned by root (never chown a hard link:
        // that would change the cache's file).
        for dir in [self.dir.join("oc"), modules.clone(), there.clone()] {
            chmod(&dir, 0o755);
        }
        link
    }
}
