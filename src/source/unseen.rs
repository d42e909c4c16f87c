//! The unseen marks' file, `${XDG_STATE_HOME:-~/.local/state}/otop/unseen.json`: the one file
//! otop writes of its own. Format 1:
//! ```json
//! {"format": 1, "unseen": {"ses_…": 1795476437055}}
//! ```
//! session id → when it finished (Unix ms). Read by every view (a missing, oversized or
//! malformed file is no marks); written whole, atomically (a temporary file renamed over it),
//! under a lock beside it so a jump's clear and the notifier's marks never overwrite each
//! other; at most [`MAX_MARKS`] marks, the newest kept. Both files are otop's own
//! ([`super::file`]): 0600 in a 0700 directory, never a symlink or a FIFO.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::file::{Own, open_own, private_dir, read_capped, write_atomic};

pub mod types;
pub use types::Marks;

/// The most marks kept: far more sessions than anyone runs at once.
pub const MAX_MARKS: usize = 256;
const FORMAT: u32 = 1;
/// Bytes read at most: [`MAX_MARKS`] marks take about 12 KiB.
const MAX_FILE_BYTES: u64 = 64 << 10;

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    unseen: Marks,
}

/// The marks in `text`; none if it is not format 1.
pub fn parse(text: &str) -> Marks {
    match serde_json::from_str::<File>(text) {
        Ok(f) if f.format == FORMAT => f.unseen,
        _ => Marks::new(),
    }
}

/// The file's text for `marks`, cut to the newest [`MAX_MARKS`].
pub fn render(marks: &Marks) -> String {
    let mut unseen = marks.clone();
    if unseen.len() > MAX_MARKS {
        let mut times: Vec<i64> = unseen.values().copied().collect();
        times.sort_unstable_by(|a, b| b.cmp(a));
        let oldest_kept = times[MAX_MARKS - 1];
        unseen.retain(|_, at| *at >= oldest_kept);
        // Ties at the cut: drop by id until the bound holds.
        while unseen.len() > MAX_MARKS {
            let Some(k) = unseen
                .iter()
                .find(|(_, at)| **at == oldest_kept)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            unseen.remove(&k);
        }
    }
    let file = File {
        format: FORMAT,
        unseen,
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// The marks in the file at `path` (none when it is missing or unreadable).
pub fn read(path: &Path) -> Marks {
    read_capped(path, MAX_FILE_BYTES)
        .map(|t| parse(&t))
        .unwrap_or_default()
}

/// Changes the marks at `path` with `change`, under the lock; writes only when they changed.
/// Returns the marks as they are now.
pub fn update(path: &Path, change: impl FnOnce(&mut Marks)) -> std::io::Result<Marks> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let lock = open_own(&path.with_extension("lock"), Own::Lock)?;
    lock.lock()?;
    let before = read(path);
    let mut marks = before.clone();
    change(&mut marks);
    if marks != before {
        write_atomic(path, render(&marks).as_bytes())?;
    }
    // Unlocked when `lock` closes.
    Ok(parse(&render(&marks)))
}

/// Clears the mark of `session`, if it has one (a jump to it).
pub fn clear(path: &Path, session: &str) -> std::io::Result<()> {
    if !read(path).contains_key(session) {
        return Ok(());
    }
    update(path, |m| {
        m.remove(session);
    })
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounded() {
        let mut m = Marks::new();
        for i in 0..(MAX_MARKS as i64 + 10) {
            m.insert(format!("ses_{i:04}"), i);
        }
        let back = parse(&render(&m));
        assert_eq!(back.len(), MAX_MARKS);
        assert!(!back.contains_key("ses_0009") && back.contains_key("ses_0010"));
        assert!(parse("{\"format\":2,\"unseen\":{\"a\":1}}").is_empty());
        assert!(parse("not json").is_empty());
    }

    #[test]
    fn updates_are_atomic_and_cleared_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/unseen.json");
        assert!(read(&path).is_empty());
        update(&path, |m| {
            m.insert("ses_a".into(), 1);
            m.insert("ses_b".into(), 2);
        })
        .unwrap();
        clear(&path, "ses_a").unwrap();
        clear(&path, "ses_zzz").unwrap();
        assert_eq!(read(&path), Marks::from([("ses_b".into(), 2)]));
        let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    }

    /// A FIFO at `unseen.lock` (or the marks' file) is refused at once, never waited on; the
    /// marks are 0600 in a 0700 directory.
    #[test]
    fn fifos_are_refused_and_the_marks_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/otop/unseen.json");
        update(&path, |m| {
            m.insert("ses_a".into(), 1);
        })
        .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let lock = path.with_extension("lock");
        std::fs::remove_file(&lock).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&lock).status();
        assert!(made.unwrap().success());
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(update(&p, |m| {
                m.insert("ses_b".into(), 2);
            }));
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(5));
        assert!(matches!(got, Ok(Err(_))), "refused, not hung: {got:?}");
    }
}
