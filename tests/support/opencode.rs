//! The real opencode, from npm (`opencode-ai@<version>`), installed on first use into a cache
//! under `target/e2e-opencode/<version>`. Concurrent installs are serialised by a lock file and
//! each install goes to a scratch directory that is renamed into place when it works.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The version the main suite runs.
pub const VERSION: &str = "1.18.33";

/// How long another test binary's install may hold the lock before it counts as stale.
const LOCK_STALE: Duration = Duration::from_secs(15 * 60);

fn cache_root() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("e2e-opencode")
}

/// The `opencode` command of an installed version (`node_modules/.bin/opencode`, what a user's
/// PATH would hold).
fn bin_in(dir: &Path) -> PathBuf {
    dir.join("node_modules/.bin/opencode")
}

/// Whether `bin --version` prints `version`.
fn runs(bin: &Path, version: &str) -> bool {
    Command::new(bin)
        .arg("--version")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == version)
}

/// Whether the tests must fail rather than skip when something is missing.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The path of a working `opencode` of `version`, installing it if needed. None (after saying
/// why) when npm is not installed and this is not CI; in CI that is a failure.
pub fn ensure(version: &str) -> Option<PathBuf> {
    let dir = cache_root().join(version);
    let bin = bin_in(&dir);
    if runs(&bin, version) {
        return Some(bin);
    }
    let have_npm = Command::new("npm")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_npm {
        assert!(
            !in_ci(),
            "npm is required in CI to install opencode-ai@{version}"
        );
        eprintln!("skipping: npm is not installed, so opencode-ai@{version} cannot be installed");
        return None;
    }
    std::fs::create_dir_all(cache_root()).expect("create opencode cache");
    let _lock = Lock::take(&cache_root().join(format!("{version}.lock")));
    // Another test binary may have installed it while we waited for the lock.
    if runs(&bin, version) {
        return Some(bin);
    }
    install(version, &dir);
    assert!(
        runs(&bin, version),
        "{} --version does not print {version} after installing",
        bin.display()
    );
    Some(bin)
}

fn install(version: &str, dir: &Path) {
    let scratch = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("create install dir");
    eprintln!("installing opencode-ai@{version} into {}", dir.display());
    let out = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&scratch)
        .arg(format!("opencode-ai@{version}"))
        .stdin(Stdio::null())
        .output()
        .expect("run npm");
    assert!(
        out.status.success(),
        "npm install opencode-ai@{version} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // npm 11 may skip install scripts; opencode's postinstall puts the native binary in place.
    if !runs(&bin_in(&scratch), version) {
        let pkg = scratch.join("node_modules/opencode-ai");
        let out = Command::new("node")
            .arg("postinstall.mjs")
            .current_dir(&pkg)
            .stdin(Stdio::null())
            .output()
            .expect("run node postinstall.mjs");
        assert!(
            out.status.success(),
            "opencode-ai@{version} postinstall failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&scratch, dir).expect("move install into place");
}

/// A lock file taken with `create_new`; removed on drop. A lock older than [`LOCK_STALE`] is
/// taken over (its owner died).
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Lock {
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => return Lock(path.to_path_buf()),
                Err(_) => {
                    let stale = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > LOCK_STALE);
                    if stale {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    assert!(
                        start.elapsed() < LOCK_STALE,
                        "waited too long for {}",
                        path.display()
                    );
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
