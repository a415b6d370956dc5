//! `bench/compare --short` end to end: nginx and eidgate on one PKI, one OCSP responder and one
//! upstream, every scenario against both, and the table at the end. This keeps the comparison
//! script from rotting; it asserts that both servers were measured without errors, never how
//! fast either was.
//!
//! It runs the binaries this test build made (`target/debug`), where `eidgate` is built beside
//! `eidgate-load` when the whole workspace is tested; without it there, the script builds both in
//! release mode first, which takes minutes. nginx is installed by the script when missing.

use std::path::Path;
use std::process::Command;

#[test]
fn compare_short_prints_a_table_with_numbers_for_both_servers() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_eidgate-load")).parent().unwrap().to_owned();
    let out = std::env::temp_dir().join(format!("eidgate-compare-{}", std::process::id()));

    let mut script = Command::new(repo.join("bench/compare"));
    script.arg("--short").arg("--out").arg(&out);
    if bin_dir.join("eidgate").exists() {
        script.arg("--bin-dir").arg(&bin_dir);
    }
    let output = script.output().expect("run bench/compare");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&out);
    assert!(output.status.success(), "bench/compare failed:\n{stderr}\n{stdout}");

    assert!(stdout.contains("| measurement (median of rounds) | nginx | eidgate |"), "{stdout}");
    for row in [
        "full handshakes/s, P-384 card, warm cache",
        "full handshakes/s, RSA 2048 card",
        "resumed handshakes/s",
        "keep-alive requests/s, few connections",
        "requests/s over many connections",
        "fresh logins/s, distinct cards, cold cache",
        "resident memory with the idle connections (MiB)",
        "  server CPU per handshake (ms)",
    ] {
        let [nginx, eidgate] = numbers(&stdout, row);
        assert!(nginx > 0.0 && eidgate > 0.0, "{row}: {nginx} {eidgate}\n{stdout}");
    }
    assert!(stdout.contains("| errors, all runs | 0 | 0 |"), "{stdout}\n{stderr}");
    assert!(stdout.contains("crypto floor, server, P-384 card:"), "{stdout}");
}

/// The nginx and eidgate cells of the first table row that starts with `description`.
fn numbers(table: &str, description: &str) -> [f64; 2] {
    let prefix = format!("| {description} |");
    let line = table.lines().find(|line| line.starts_with(&prefix));
    let line = line.unwrap_or_else(|| panic!("no row {description:?} in\n{table}"));
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    let number = |i: usize| cells.get(i).and_then(|c| c.parse::<f64>().ok()).unwrap_or(-1.0);
    [number(2), number(3)]
}
