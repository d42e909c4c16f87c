//! The header totals, read apart from the rows so a first read of a long history never delays
//! them.

use std::path::Path;

use crate::source::db::Db;
use crate::source::db::types::TotalsPair;

/// The header totals on a connection of their own. The first read covers the whole message
/// table (seconds on a large history), so it runs on a thread: snapshots carry rows at once
/// and totals from when that read is done; later reads are incremental and run inline.
#[derive(Default)]
pub(super) enum TotalsReader {
    #[default]
    Idle,
    Priming(std::sync::mpsc::Receiver<Option<Db>>),
    Ready(Box<Db>),
}

impl TotalsReader {
    pub(super) fn read(&mut self, path: &Path, midnight: i64) -> Option<TotalsPair> {
        if let TotalsReader::Priming(rx) = self {
            match rx.try_recv() {
                Ok(Some(db)) => *self = TotalsReader::Ready(Box::new(db)),
                Err(std::sync::mpsc::TryRecvError::Empty) => return None,
                // Failed (no database yet, say): try again next refresh.
                Ok(None) | Err(_) => *self = TotalsReader::Idle,
            }
        }
        match self {
            TotalsReader::Ready(db) if db.path() == path => db.totals(midnight).ok(),
            TotalsReader::Priming(_) => None,
            _ => {
                let (tx, rx) = std::sync::mpsc::channel();
                let path = path.to_path_buf();
                std::thread::spawn(move || {
                    let db = Db::open(&path)
                        .ok()
                        .and_then(|mut db| db.totals(midnight).ok().map(|_| db));
                    let _ = tx.send(db);
                });
                *self = TotalsReader::Priming(rx);
                None
            }
        }
    }
}
