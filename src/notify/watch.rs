//! Watching the companion plugin's files, so a permission request or question reaches a
//! notification at once instead of at the next refresh. The plugin rewrites a process's file
//! on most events; only a file that newly reports a pending permission or question wakes the
//! refresh, and a write costs a read of that one file, not of the directory. Only writes are
//! watched (inotify on Linux, FSEvents on macOS): otop reads these files on every refresh, and
//! its own reads must not wake it.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as backend;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as backend;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::collect::Waker;
use crate::source::plugin;

/// What the backend saw happen in a watched directory.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// The file was written (created, or renamed in).
    Written(PathBuf),
    /// The file is gone (deleted, or renamed away).
    Removed(PathBuf),
    /// Events were lost: anything in the directory may have changed.
    Dir(PathBuf),
}

/// Where a backend passes what it saw, a batch at a time, on its own thread.
type OnChange = Box<dyn FnMut(Vec<Change>) + Send>;

/// What a plugin file holds worth waking for: (session, request kind, request id).
type Requests = BTreeSet<(String, &'static str, Option<String>)>;

fn requests(file: &plugin::PluginFile) -> Requests {
    let mut out = Requests::new();
    for (id, live) in &file.sessions {
        if live.permission.is_some() {
            out.insert((id.clone(), "permission", live.permission_id.clone()));
        }
        if live.question.is_some() {
            out.insert((id.clone(), "question", live.question_id.clone()));
        }
    }
    out
}

/// The pid a plugin file's path names.
fn pid_in(path: &Path) -> Option<u32> {
    path.file_stem()?.to_str()?.parse().ok()
}

/// The requests each plugin file held when last read, by path.
#[derive(Default)]
struct Known(HashMap<PathBuf, Requests>);

impl Known {
    /// Takes in what changed; true when a file now holds a request it did not hold before.
    fn apply(&mut self, changes: Vec<Change>) -> bool {
        let mut new = false;
        let mut seen = BTreeSet::new();
        for c in changes {
            match c {
                Change::Written(path) if seen.insert(path.clone()) => new |= self.read(path),
                Change::Written(_) => {}
                Change::Removed(path) => {
                    self.0.remove(&path);
                }
                Change::Dir(dir) => {
                    let files = plugin::read_dir(&dir);
                    self.0.retain(|p, _| {
                        p.parent() != Some(&dir)
                            || pid_in(p).is_some_and(|n| files.contains_key(&n))
                    });
                    for (pid, file) in files {
                        let path = dir.join(format!("{pid}.json"));
                        new |= self.learn(path, requests(&file));
                    }
                }
            }
        }
        new
    }

    /// Reads the plugin file at `path` (anything else is not one: skipped).
    fn read(&mut self, path: PathBuf) -> bool {
        match plugin::read_file(&path) {
            Some(file) => self.learn(path, requests(&file)),
            None => {
                self.0.remove(&path);
                false
            }
        }
    }

    fn learn(&mut self, path: PathBuf, now: Requests) -> bool {
        let before = self.0.get(&path);
        let new = now.iter().any(|r| before.is_none_or(|b| !b.contains(r)));
        self.0.insert(path, now);
        new
    }
}

/// Watches plugin directories as refreshes find them; wakes `wake` on a new request.
pub struct PluginWatch {
    backend: Option<backend::Backend>,
}

impl PluginWatch {
    pub fn new(wake: Waker) -> PluginWatch {
        let mut known = Known::default();
        let on_change: OnChange = Box::new(move |changes| {
            if known.apply(changes) {
                wake();
            }
        });
        PluginWatch {
            backend: backend::Backend::new(on_change).ok(),
        }
    }

    /// Watches each of `dirs` that exists and is not watched yet (a directory the plugin has
    /// not created yet, or removed since, is tried again next time).
    pub fn follow(&mut self, dirs: &[PathBuf]) {
        let Some(b) = &mut self.backend else { return };
        for d in dirs {
            if !b.is_watching(d) && d.is_dir() {
                let _ = b.watch(d);
            }
        }
    }
}

#[cfg(test)]
mod tests;
