//! Watching the companion plugin's files (inotify on Linux, FSEvents on macOS, through
//! `notify`), so a permission request or question reaches a notification at once instead of
//! at the next refresh. The plugin rewrites a process's file on most events; only a file that
//! newly reports a pending permission or question wakes the refresh, so a busy fleet's writes
//! cost a small read each, not a refresh each.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use notify::{RecursiveMode, Watcher};

use crate::collect::Waker;
use crate::source::plugin;

/// What in a plugin directory is worth waking for: (pid, session, request kind).
type Requests = BTreeSet<(u32, String, &'static str)>;

fn requests(dir: &Path) -> Requests {
    let mut out = Requests::new();
    for (pid, file) in plugin::read_dir(dir) {
        for (id, live) in file.sessions {
            if live.permission.is_some() {
                out.insert((pid, id.clone(), "permission"));
            }
            if live.question.is_some() {
                out.insert((pid, id, "question"));
            }
        }
    }
    out
}

/// Watches plugin directories as refreshes find them; wakes `wake` on a new request.
pub struct PluginWatch {
    watcher: Option<notify::RecommendedWatcher>,
    watched: Vec<PathBuf>,
}

impl PluginWatch {
    pub fn new(wake: Waker) -> PluginWatch {
        let mut known: HashMap<PathBuf, Requests> = HashMap::new();
        let watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(ev) = ev else { return };
            let dirs: BTreeSet<&Path> = ev.paths.iter().filter_map(|p| p.parent()).collect();
            let mut new = false;
            for dir in dirs {
                let now = requests(dir);
                let before = known.get(dir);
                new |= now.iter().any(|r| before.is_none_or(|b| !b.contains(r)));
                known.insert(dir.to_path_buf(), now);
            }
            if new {
                wake();
            }
        })
        .ok();
        PluginWatch {
            watcher,
            watched: Vec::new(),
        }
    }

    /// Watches each of `dirs` that exists and is not watched yet (a directory the plugin has
    /// not created yet is tried again next time).
    pub fn follow(&mut self, dirs: &[PathBuf]) {
        let Some(w) = &mut self.watcher else { return };
        for d in dirs {
            if !self.watched.contains(d)
                && d.is_dir()
                && w.watch(d, RecursiveMode::NonRecursive).is_ok()
            {
                self.watched.push(d.clone());
            }
        }
    }
}
