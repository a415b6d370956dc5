//! Finds `../shared/eid-data`, the real Estonian test certificates kept beside the repository.
//!
//! The data is not part of the repository. Tests that read it call [`eid_data_dir`]: when the
//! folder is missing they print a loud notice and return `None`, so a plain clone still passes,
//! but when `EIDGATE_REQUIRE_EID_DATA=1` (as in CI) a missing folder fails the test instead.

use std::path::{Path, PathBuf};

/// Environment variable naming the data folder explicitly.
pub const DIR_VAR: &str = "EIDGATE_EID_DATA";
/// Environment variable that turns a missing data folder into a test failure.
pub const REQUIRE_VAR: &str = "EIDGATE_REQUIRE_EID_DATA";

/// The eid-data folder, or `None` (with a notice on stderr) when it is not there.
///
/// `test_name` is printed in the notice so that a reader of the test log sees what did not run.
///
/// # Panics
///
/// When the folder is missing and `EIDGATE_REQUIRE_EID_DATA` is `1`.
pub fn eid_data_dir(test_name: &str) -> Option<PathBuf> {
    if let Some(dir) = locate() {
        return Some(dir);
    }
    let required = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
    assert!(!required, "{test_name}: ../shared/eid-data is missing and {REQUIRE_VAR}=1");
    eprintln!(
        "\n!!!! NOT RUN: {test_name} needs ../shared/eid-data (or {DIR_VAR}); it is missing, \
         so this test checked nothing !!!!\n"
    );
    None
}

/// Reads one file of the data set, relative to the eid-data folder.
///
/// # Panics
///
/// When the file cannot be read; a data set that is present but incomplete is a test failure.
pub fn read(dir: &Path, relative: &str) -> Vec<u8> {
    let path = dir.join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn locate() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DIR_VAR) {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    // This crate lives at <repo>/crates/eidgate-testpki; the data sits at <repo>/../shared.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = repo.join("../shared/eid-data");
    dir.is_dir().then(|| dir.canonicalize().unwrap_or(dir))
}
