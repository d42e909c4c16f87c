//! Test stand-ins: real processes named `opencode`, detached so they are not our children
//! (scan() leaves out otop's own children) and killed when dropped. The library's unit tests and
//! the integration tests (`tests/`, through `StandIns` in `tests/support`) share this one.

use std::path::Path;
use std::process::{Command, Stdio};

/// A detached process in a session of its own (where `setsid` exists), with no stdio; its whole
/// process group is killed on drop, so no child outlives the test or holds the test runner's
/// output open.
pub struct Standin {
    pub pid: u32,
}

impl Standin {
    /// Runs `cmd` (a shell command line) in the background of a throwaway `sh`, so it is
    /// reparented away from the test process. `env` is added to an environment without the
    /// variables that would tie it to this test's own opencode or tmux.
    pub fn spawn(cmd: &str, cwd: &Path, env: &[(&str, &str)]) -> Standin {
        let setsid = if on_path("setsid") { "setsid " } else { "" };
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{setsid}{cmd} </dev/null >/dev/null 2>&1 & echo $!"
            ))
            .current_dir(cwd)
            .env_remove("OPENCODE_DB")
            .env_remove("OPENCODE_PID")
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("sh runs");
        let pid = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("pid");
        Standin { pid }
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        // The group when it leads one (setsid), and the process itself either way.
        let pid = self.pid.to_string();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}"), &pid])
            .stderr(Stdio::null())
            .status();
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Copies a system binary to `<dir>/<sub>/opencode` and returns the copy's path.
pub fn opencode_copy(dir: &Path, sub: &str, of: &str) -> String {
    let d = dir.join(sub);
    std::fs::create_dir_all(&d).expect("mkdir");
    let path = d.join("opencode");
    std::fs::copy(of, &path).expect("copy binary");
    path.to_string_lossy().into_owned()
}

/// Waits until `cond` holds, up to ~3 s (a freshly spawned process needs a moment to exec).
pub fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..60 {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}
