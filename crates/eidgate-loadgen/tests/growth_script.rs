//! `bench/growth --short` end to end: CRLs of 1,000 and 100,000 entries loaded in eidgate and
//! nginx, then 1 and 100 cards in their OCSP caches. Like the comparison's test, it keeps the
//! script from rotting and asserts that every row has numbers for both servers, never a speed.
//! It runs the binaries of this test build when `eidgate` is among them (see compare_script.rs).

use std::path::Path;
use std::process::Command;

#[test]
fn growth_short_prints_crl_and_cache_rows_for_both_servers() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_eidgate-load")).parent().unwrap().to_owned();
    let out = std::env::temp_dir().join(format!("eidgate-growth-{}", std::process::id()));

    let mut script = Command::new(repo.join("bench/growth"));
    script.arg("--short").arg("--out").arg(&out);
    if bin_dir.join("eidgate").exists() {
        script.arg("--bin-dir").arg(&bin_dir);
    }
    let output = script.output().expect("run bench/growth");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&out);
    assert!(output.status.success(), "bench/growth failed:\n{stderr}\n{stdout}");

    for size in ["1000", "100000", "1", "100"] {
        for server in ["nginx", "eidgate"] {
            let prefix = format!("| {size} | {server} |");
            let row = stdout.lines().find(|line| line.starts_with(&prefix));
            let row = row.unwrap_or_else(|| panic!("no row {prefix} in\n{stdout}"));
            let numbers: Vec<f64> =
                row.split('|').skip(3).filter_map(|cell| cell.trim().parse::<f64>().ok()).collect();
            assert!(numbers.len() >= 3, "{row}");
            assert!(numbers.iter().all(|&n| n > 0.0), "{row}");
        }
    }
}
