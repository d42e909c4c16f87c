//! The fuzz targets' bodies (src/testkit/fuzz.rs) over the corpora kept in
//! tests/fuzz/corpus/<target>: on stable, on every change, so the targets always build and every
//! input a fuzzer once kept (each crash it found among them) is checked again.

use std::path::Path;

use otop::testkit::fuzz::{TARGETS, run_corpus};

#[test]
fn every_fuzz_target_runs_its_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus");
    for (name, _) in TARGETS {
        let n = run_corpus(&root, name).unwrap_or_else(|e| panic!("corpus of {name}: {e}"));
        assert!(n > 0, "the corpus of {name} is empty");
    }
    // Every fuzz binary is one of these bodies, and every body has a binary.
    let bins = std::fs::read_dir(root.with_file_name("fuzz_targets")).expect("fuzz_targets");
    let mut bins: Vec<String> = bins
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".rs")
                .map(String::from)
        })
        .collect();
    bins.sort();
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(bins, names);
}
