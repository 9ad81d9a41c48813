//! Helpers shared by the interop tests: where the shared reference data and the peers are.
//!
//! The tests in `tests/tests/` read `../shared` (or `$EGOV_SHARED_DIR`) and call third-party
//! programs that `tests/run-interop.sh` installs. Each is marked `#[ignore]` with the reason, so a
//! plain `cargo test --workspace` (no network, no services, no shared folder) lists them as
//! ignored; the runner runs them with `--ignored`, and then a missing peer or data folder fails
//! the test instead of passing silently.

use std::path::PathBuf;

/// The shared reference data folder: `$EGOV_SHARED_DIR`, or `../shared` beside the workspace.
///
/// # Panics
/// When the folder does not exist: the interop suite cannot run without it.
#[must_use]
#[allow(clippy::panic)]
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("EGOV_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    );
    if !dir.join("README.md").is_file() {
        panic!(
            "shared reference data not found at {}; set EGOV_SHARED_DIR (see tests/run-interop.sh)",
            dir.display()
        );
    }
    dir
}

/// Reads a file of the shared folder as text.
///
/// # Panics
/// When the file cannot be read.
#[must_use]
#[allow(clippy::panic)]
pub fn read_shared(relative: &str) -> String {
    let path = shared_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Finds a peer program on `PATH`.
///
/// # Panics
/// When it is not installed: `tests/run-interop.sh` installs every peer the suite needs.
#[must_use]
#[allow(clippy::panic)]
pub fn peer(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("peer `{program}` is not installed; run tests/run-interop.sh"))
}
