//! The one way otop opens a file it reads (its configuration, opencode's configuration, the
//! plugin's files, opencode's logs): without blocking, only if it is a regular file, and never
//! more than a stated size. A FIFO in place of a config file would otherwise hang otop, and
//! `/dev/zero` would be read until memory ran out.
//!
//! And the one way otop writes a file of its own (locks, the unseen marks, the answers log,
//! caches): in a directory that is the user's and no one else's ([`private_dir`]), opened
//! without following a symlink or blocking on a FIFO, only if it is a regular file of the
//! user's ([`open_own`]), created 0600; whole files through a temporary file of an
//! unpredictable name, created exclusively and renamed over the old ([`write_atomic`]). Where
//! the directory is shared (`XDG_RUNTIME_DIR=/tmp`), what another user planted there is refused,
//! never followed, truncated or waited on.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Nothing there (or a path through something that is not a directory).
    #[error("does not exist")]
    Missing,
    #[error("is not a regular file (a {0}): not read")]
    NotRegular(&'static str),
    #[error("is larger than {0} bytes: not read")]
    TooLarge(u64),
    /// A file or directory of otop's that is not the user's own and private.
    #[error("{0}")]
    NotOwn(String),
    #[error("{0}")]
    Io(std::io::Error),
}

impl From<FileError> for std::io::Error {
    fn from(e: FileError) -> std::io::Error {
        match e {
            FileError::Io(e) => e,
            FileError::Missing => std::io::Error::from(std::io::ErrorKind::NotFound),
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// Opens `path` for reading without blocking (a FIFO's open would wait for a writer) and
/// checks, on the open handle, that it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`], with the size the open file reports.
fn open_regular_sized(path: &Path) -> Result<(File, u64), FileError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => FileError::Missing,
        _ => FileError::Io(e),
    })?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// The text of the regular file at `path`, at most `cap` bytes (invalid UTF-8 replaced).
pub fn read_capped(path: &Path, cap: u64) -> Result<String, FileError> {
    let (file, size) = open_regular_sized(path)?;
    // Room for what the file says it holds: one read, where an empty buffer grows from 32
    // bytes a read at a time. Only a hint: the cap below is what bounds the read.
    let hint = usize::try_from(size.min(cap).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint);
    // One byte past the cap tells a file of exactly `cap` bytes from a longer one, whatever
    // its reported size (files under /proc and /sys report 0).
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(FileError::TooLarge(cap));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Makes `dir` (and its missing parents) and checks that it is a directory of the user's that
/// no one else may enter: not a symlink, owned by this user, no access for group or others (a
/// directory of the user's with more is narrowed to 0700; otop made it, or the user did).
pub fn private_dir(dir: &Path) -> Result<(), FileError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(FileError::Io)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(FileError::Io(e)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(FileError::Io)?;
    let shown = dir.display();
    if meta.file_type().is_symlink() {
        return Err(FileError::NotOwn(format!("{shown} is a symlink: not used")));
    }
    if !meta.is_dir() {
        return Err(FileError::NotOwn(format!("{shown} is not a directory")));
    }
    if Some(meta.uid()) != uid() {
        return Err(FileError::NotOwn(format!(
            "{shown} belongs to another user (uid {}): not used",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(FileError::Io)?;
    }
    Ok(())
}

/// How [`open_own`] opens a file of otop's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    /// Read and write, created if missing, never truncated on open (a lock).
    Lock,
    /// Appended to, created if missing (a log).
    Append,
    /// Read and write, only if it exists (looking at another process's lock).
    Existing,
}

/// Opens a file of otop's own in a directory [`private_dir`] checked: never through a symlink
/// (`O_NOFOLLOW`), never waiting on a FIFO (`O_NONBLOCK`), created 0600, and kept only if it is
/// a regular file of this user's with no other name (a hard link to another file of the user's
/// would make a truncation hit that file).
pub fn open_own(path: &Path, how: Own) -> Result<File, FileError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut opts = std::fs::OpenOptions::new();
    match how {
        Own::Lock => opts.read(true).write(true).create(true),
        Own::Append => opts.append(true).create(true),
        Own::Existing => opts.read(true).write(true),
    };
    opts.mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    let file = opts.open(path).map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) => {
            FileError::NotOwn(format!("{} is a symlink: not opened", path.display()))
        }
        _ if e.kind() == std::io::ErrorKind::NotFound => FileError::Missing,
        _ => FileError::Io(e),
    })?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind(&meta.file_type())));
    }
    if Some(meta.uid()) != uid() || meta.nlink() > 1 {
        return Err(FileError::NotOwn(format!(
            "{} is not a file of otop's own (owner uid {}, {} links): not used",
            path.display(),
            meta.uid(),
            meta.nlink()
        )));
    }
    Ok(file)
}

/// Writes `bytes` as the whole file at `path` (in a directory [`private_dir`] checked): into a
/// new file of an unpredictable name, created exclusively and 0600, synced, then renamed over
/// `path` (which replaces a symlink or FIFO there, never writes through it). A reader sees the
/// old file or the new, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", unpredictable()));
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(&tmp);
        let mut f = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(FileError::Io(e)),
        };
        let done = f
            .write_all(bytes)
            .and_then(|()| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path));
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return done.map_err(FileError::Io);
    }
    Err(FileError::Io(last.unwrap_or_else(|| {
        std::io::Error::from(std::io::ErrorKind::AlreadyExists)
    })))
}

/// 64 bits no other user can guess: std's hasher keys are random per process.
fn unpredictable() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

/// This process's (effective) user: whom private files and directories must belong to.
#[cfg(target_os = "linux")]
pub fn uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self is owned by the process's (effective) user: no libc needed.
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// This process's user: whom private files and directories must belong to.
#[cfg(target_os = "macos")]
pub fn uid() -> Option<u32> {
    // SAFETY: getuid has no preconditions and cannot fail.
    Some(unsafe { libc::getuid() })
}

fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// What tells a changed file, from one `stat`: its inode (an editor that writes a new file and
/// renames it), length and modification time to the nanosecond; None when it is not there.
pub(crate) type Stamp = Option<(u64, u64, i64, i64)>;

pub(crate) fn stamp(path: Option<&Path>) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path?).ok()?;
    Some((m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_only_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "hello").unwrap();
        assert_eq!(read_capped(&f, 5).unwrap(), "hello");
        assert!(matches!(read_capped(&f, 4), Err(FileError::TooLarge(4))));
        assert!(matches!(
            read_capped(&dir.path().join("nope"), 9),
            Err(FileError::Missing)
        ));
        assert!(matches!(
            read_capped(&f.join("below-a-file"), 9),
            Err(FileError::Missing)
        ));
        assert!(matches!(
            read_capped(dir.path(), 9),
            Err(FileError::NotRegular("directory"))
        ));
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 9),
            Err(FileError::NotRegular("character device"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(matches!(
            read_capped(&fifo, 9),
            Err(FileError::NotRegular("FIFO"))
        ));
    }

    /// What another user can plant in a shared directory: a symlink to a file of the user's,
    /// a FIFO, a hard link. None is followed, waited on or truncated.
    #[cfg(unix)]
    #[test]
    fn own_files_refuse_symlinks_fifos_and_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let run = dir.path().join("run");
        private_dir(&run).unwrap();
        let link = run.join("notify.lock");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        for how in [Own::Lock, Own::Append, Own::Existing] {
            assert!(matches!(open_own(&link, how), Err(FileError::NotOwn(_))));
        }
        let hard = run.join("unseen.lock");
        std::fs::hard_link(&victim, &hard).unwrap();
        assert!(matches!(
            open_own(&hard, Own::Lock),
            Err(FileError::NotOwn(_))
        ));
        let fifo = run.join("answers.log");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        // Returns at once (no reader, no writer): refused, never waited on.
        assert!(open_own(&fifo, Own::Append).is_err());
        assert!(matches!(
            open_own(&fifo, Own::Lock),
            Err(FileError::NotRegular("FIFO"))
        ));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        let mine = run.join("mine.log");
        open_own(&mine, Own::Append).unwrap();
        let mode = std::fs::metadata(&mine).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches!(
            open_own(&run.join("none"), Own::Existing),
            Err(FileError::Missing)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn whole_files_replace_what_was_planted_without_writing_through_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let state = dir.path().join("state/otop");
        private_dir(&state).unwrap();
        let file = state.join("unseen.json");
        std::os::unix::fs::symlink(&victim, &file).unwrap();
        write_atomic(&file, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}");
        let meta = std::fs::symlink_metadata(&file).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let names: Vec<String> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["unseen.json"]);
    }

    /// otop's directories are made 0700 and must be the user's: a directory of another user
    /// (planted in `/tmp` before otop made its own) or a symlink is refused.
    #[cfg(unix)]
    #[test]
    fn private_dirs_are_the_users_and_no_one_elses() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("a/b/otop");
        private_dir(&made).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&made), 0o700);
        let open = dir.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o700, "narrowed");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&made, &link).unwrap();
        assert!(matches!(private_dir(&link), Err(FileError::NotOwn(_))));
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(matches!(private_dir(&file), Err(FileError::NotOwn(_))));
        // Another user's directory: only root can make one here to test with.
        if uid() == Some(0) {
            let theirs = dir.path().join("theirs");
            std::fs::create_dir(&theirs).unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), None).unwrap();
            let e = private_dir(&theirs).unwrap_err().to_string();
            assert!(e.contains("another user"), "{e}");
        }
    }
}
