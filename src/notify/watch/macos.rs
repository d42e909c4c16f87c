//! The macOS side of [`super::PluginWatch`]: FSEvents, through `notify`. FSEvents reports
//! no reads, so otop's own reads of the files it watches never come back as events; only
//! creations, writes, renames and removals are passed on.

use std::io;
use std::path::{Path, PathBuf};

use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use super::{Change, OnChange};

pub(super) struct Backend {
    watcher: notify::RecommendedWatcher,
    watched: Vec<PathBuf>,
}

impl Backend {
    pub(super) fn new(mut on_change: OnChange) -> io::Result<Backend> {
        let watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(ev) = ev else { return };
            let change: fn(PathBuf) -> Change = match ev.kind {
                EventKind::Remove(_) => Change::Removed,
                EventKind::Create(_)
                | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_)) => {
                    // A rename says both names: whichever is gone now reads as removed.
                    |p: PathBuf| match p.exists() {
                        true => Change::Written(p),
                        false => Change::Removed(p),
                    }
                }
                EventKind::Modify(ModifyKind::Any) => Change::Written,
                _ => return,
            };
            on_change(ev.paths.into_iter().map(change).collect());
        })
        .map_err(io::Error::other)?;
        Ok(Backend {
            watcher,
            watched: Vec::new(),
        })
    }

    /// Whether `dir` is watched.
    pub(super) fn is_watching(&self, dir: &Path) -> bool {
        self.watched.iter().any(|d| d == dir)
    }

    pub(super) fn watch(&mut self, dir: &Path) -> io::Result<()> {
        self.watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(io::Error::other)?;
        self.watched.push(dir.to_path_buf());
        Ok(())
    }
}
