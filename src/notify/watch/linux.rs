//! The Linux side of [`super::PluginWatch`]: inotify, asked only for writes. The mask leaves
//! out opens, reads and closes without writing: otop reads these files on every refresh, and
//! a watcher told of its own reads would read again and be told again (issue 27: a third of a
//! core). `IN_MODIFY` is left out too: every `write(2)` makes one, and the close that follows
//! (`IN_CLOSE_WRITE`) or the rename the plugin ends with (`IN_MOVED_TO`) says it once.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask, Watches};

use super::{Change, OnChange};

/// Written (closed after writing, or renamed in), removed (deleted, or renamed away).
const MASK: WatchMask = WatchMask::CLOSE_WRITE
    .union(WatchMask::MOVED_TO)
    .union(WatchMask::DELETE)
    .union(WatchMask::MOVED_FROM)
    .union(WatchMask::ONLYDIR);

type Dirs = Arc<Mutex<HashMap<WatchDescriptor, PathBuf>>>;

pub(super) struct Backend {
    /// Until the first directory is watched: the reading thread starts then (a thread
    /// blocked on an instance without watches could never be woken to end).
    idle: Option<(Inotify, OnChange)>,
    watches: Watches,
    dirs: Dirs,
    /// Set when dropped: the thread ends at its next wake.
    stop: Arc<AtomicBool>,
}

impl Backend {
    pub(super) fn new(on_change: OnChange) -> io::Result<Backend> {
        let ino = Inotify::init()?;
        Ok(Backend {
            watches: ino.watches(),
            idle: Some((ino, on_change)),
            dirs: Dirs::default(),
            stop: Arc::default(),
        })
    }

    /// Whether `dir` is watched now (a directory removed since is not).
    pub(super) fn is_watching(&self, dir: &Path) -> bool {
        lock(&self.dirs).values().any(|d| d == dir)
    }

    /// Watches `dir` (a directory watched already is watched once).
    pub(super) fn watch(&mut self, dir: &Path) -> io::Result<()> {
        let wd = self.watches.add(dir, MASK)?;
        lock(&self.dirs).insert(wd, dir.to_path_buf());
        if let Some((ino, on_change)) = self.idle.take() {
            let (dirs, stop) = (self.dirs.clone(), self.stop.clone());
            std::thread::Builder::new()
                .name("otop-watch".into())
                .spawn(move || read(ino, &dirs, &stop, on_change))?;
        }
        Ok(())
    }
}

impl Drop for Backend {
    /// Removing the watches wakes the reading thread (`IN_IGNORED`) with no directory left:
    /// it ends, and the instance is closed with it.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let wds: Vec<WatchDescriptor> = lock(&self.dirs).drain().map(|(wd, _)| wd).collect();
        for wd in wds {
            let _ = self.watches.remove(wd);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads events until stopped, passing each batch on as the files it names.
fn read(mut ino: Inotify, dirs: &Dirs, stop: &AtomicBool, mut on_change: OnChange) {
    let mut buf = [0u8; 4096];
    loop {
        let events = match ino.read_events_blocking(&mut buf) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let mut changes = Vec::new();
        {
            let mut dirs = lock(dirs);
            for ev in events {
                if ev.mask.contains(EventMask::Q_OVERFLOW) {
                    // Events were lost: every directory is read again.
                    changes.extend(dirs.values().map(|d| Change::Dir(d.clone())));
                    continue;
                }
                if ev.mask.contains(EventMask::IGNORED) {
                    dirs.remove(&ev.wd);
                    continue;
                }
                let (Some(dir), Some(name)) = (dirs.get(&ev.wd), ev.name) else {
                    continue;
                };
                let path = dir.join(name);
                changes.push(
                    if ev
                        .mask
                        .intersects(EventMask::DELETE | EventMask::MOVED_FROM)
                    {
                        Change::Removed(path)
                    } else {
                        Change::Written(path)
                    },
                );
            }
        }
        if !changes.is_empty() {
            on_change(changes);
        }
    }
}
