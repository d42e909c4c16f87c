//! Opening the database read-only, including where this user cannot write beside it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::schema::Columns;
use super::{DbError, reason};

/// A read-only connection to `path` and its columns; `immutable` opens it without locks and
/// without reading the WAL (see [`open_unwritable_dir`]).
pub(super) fn connect(path: &Path, immutable: bool) -> rusqlite::Result<(Connection, Columns)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = if immutable {
        Connection::open_with_flags(format!("{}?immutable=1", file_uri(path)), flags)?
    } else {
        Connection::open_with_flags(path, flags)?
    };
    conn.busy_timeout(Duration::from_millis(100))?;
    // One plan per statement, whatever its parameters: otherwise SQLite (built with STAT4)
    // prepares every statement with a range or LIMIT parameter a second time at its first
    // step, to plan for the values bound; that was a sixth of a one-shot `otop status`
    // (2.6 M of 14.4 M instructions, callgrind). Every read's plan is checked to use an index
    // (`db/tests/plan.rs`) with this setting.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(32);
    // The first read: where a WAL database needs its `-shm` file.
    let cols = Columns::discover(&conn)?;
    Ok((conn, cols))
}

/// Whether SQLite failed for want of a file it must create beside the database (`-shm`, the
/// WAL's shared index), as in a directory this user cannot write.
pub(super) fn needs_side_files(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

/// A WAL database whose `-shm` this user cannot create. SQLite reads it as it is when
/// `-wal` and `-shm` exist (opencode keeps both while it runs); without `-wal` nothing is
/// writing it (every connection to a WAL database holds the `-wal` file), so it is read
/// `immutable` until a `-wal` appears; with `-wal` but no `-shm` the changes in `-wal`
/// cannot be read safely, and the error says so.
pub(super) fn open_unwritable_dir(
    path: &Path,
    e: &rusqlite::Error,
) -> Result<(Connection, Columns), DbError> {
    let unreadable = |reason: String| DbError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let (wal, shm) = (side_file(path, "-wal"), side_file(path, "-shm"));
    let dir = path.parent().unwrap_or(Path::new("."));
    if !wal.exists() {
        return connect(path, true).map_err(|e| unreadable(reason(&e)));
    }
    if !shm.exists() {
        return Err(unreadable(format!(
            "{} holds changes not yet in the database, and reading them needs {}, which \
             cannot be created: the -shm file does not exist and {} is not writable by this \
             user ({}); run otop as a user who may write there, or wait until opencode opens \
             the database again",
            wal.display(),
            shm.display(),
            dir.display(),
            reason(e)
        )));
    }
    Err(unreadable(reason(e)))
}

/// `path` with `suffix` appended (`opencode.db-wal`).
pub(super) fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `file:` URI of `path` (absolute), every byte but unreserved ones and `/` percent-encoded.
fn file_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for &b in abs.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
