//! The one way otop opens a file it reads (its configuration, opencode's configuration, the
//! plugin's files, opencode's logs): without blocking, only if it is a regular file, and never
//! more than a stated size. A FIFO in place of a config file would otherwise hang otop, and
//! `/dev/zero` would be read until memory ran out.

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
    #[error("{0}")]
    Io(std::io::Error),
}

/// Opens `path` for reading without blocking (a FIFO's open would wait for a writer) and
/// checks, on the open handle, that it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
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
    Ok(file)
}

/// The text of the regular file at `path`, at most `cap` bytes (invalid UTF-8 replaced).
pub fn read_capped(path: &Path, cap: u64) -> Result<String, FileError> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
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
}
