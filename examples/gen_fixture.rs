//! Generates a large, realistic opencode database for benchmarks and `benches/measure.sh`.
//!
//!   cargo run --release --example gen_fixture -- --messages 250000 --parts 1000000 \
//!       --sessions 2000 --schema current --root /tmp/projects OUT.db
//!   cargo run --release --example gen_fixture -- --touch OUT.db
//!
//! Writes `OUT.db.live` beside it: one `session-id<TAB>directory` line per live session, where a
//! stand-in `opencode` must run to be matched to it. `--touch` moves those sessions' latest
//! message to now (run it after starting the stand-ins: they then see activity since their start).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use otop::testkit::fixture::Schema;
use otop::testkit::fixture::bulk::{self, BulkSpec};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 250_000)]
    messages: usize,
    #[arg(long, default_value_t = 1_000_000)]
    parts: usize,
    #[arg(long, default_value_t = 2_000)]
    sessions: usize,
    /// Live sessions (each in its own directory)
    #[arg(long, default_value_t = 10)]
    live: usize,
    /// current (opencode 1.18) or old (1.2)
    #[arg(long, default_value = "current")]
    schema: String,
    /// Directories the history spreads over [default: one per twenty sessions]
    #[arg(long)]
    dirs: Option<usize>,
    /// One directory in N is outside git (opencode's `global` project); 1: all of them
    #[arg(long, default_value_t = 10)]
    global_every: usize,
    /// Parent of the project directories (proj-NNN)
    #[arg(long, default_value = "/tmp/otop-bench-projects")]
    root: PathBuf,
    /// Only mark the live sessions of an existing OUT.db active now
    #[arg(long)]
    touch: bool,
    out: PathBuf,
}

fn main() -> ExitCode {
    let a = Args::parse();
    match run(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_fixture: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: &Args) -> Result<(), String> {
    let live_path = PathBuf::from(format!("{}.live", a.out.display()));
    let now = chrono::Utc::now().timestamp_millis();
    if a.touch {
        let tsv = std::fs::read_to_string(&live_path)
            .map_err(|e| format!("{}: {e}", live_path.display()))?;
        return bulk::touch(&a.out, &bulk::parse_live_tsv(&tsv), now).map_err(|e| e.to_string());
    }
    let schema = match a.schema.as_str() {
        "current" => Schema::Current,
        "old" => Schema::Old,
        s => return Err(format!("unknown schema {s:?} (current or old)")),
    };
    for suffix in ["", "-wal", "-shm", ".live"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", a.out.display()));
    }
    let spec = BulkSpec {
        live: a.live,
        directories: a.dirs,
        global_every: a.global_every,
        schema,
        ..BulkSpec::new(a.messages, a.parts, a.sessions, &a.root, now)
    };
    let started = Instant::now();
    let sum = bulk::generate(&a.out, &spec).map_err(|e| e.to_string())?;
    std::fs::write(&live_path, bulk::live_tsv(&sum.live)).map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "{}: {} sessions, {} messages, {} parts, {} live, {} MB, {:.1} s",
        a.out.display(),
        sum.sessions,
        sum.messages,
        sum.parts,
        sum.live.len(),
        size / 1_000_000,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
