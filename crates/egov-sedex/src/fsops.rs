//! The file operations the outbox writer and inbox reader use, as a trait so tests can inject failures.

use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use crate::TEMP_PREFIX;
use crate::error::{Error, io};

/// File operations with the durability sedex needs. [`RealFs`] is the real one; tests implement the
/// trait to fail (or "crash") at a chosen step.
pub trait FileOps: fmt::Debug + Send + Sync {
    /// Creates `path` (which must not exist), writes `bytes` and fsyncs the file.
    ///
    /// # Errors
    /// Any I/O error.
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Renames atomically within one folder (replacing nothing that sedex could have picked up).
    ///
    /// # Errors
    /// Any I/O error.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Fsyncs a folder, so that renames in it survive a power loss.
    ///
    /// # Errors
    /// Any I/O error.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Removes a file.
    ///
    /// # Errors
    /// Any I/O error.
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl FileOps for RealFs {
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        #[cfg(unix)]
        {
            fs::File::open(dir)?.sync_all()
        }
        #[cfg(not(unix))]
        {
            let _ = dir;
            Ok(())
        }
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
}

/// Writes `bytes` to `dir/name` through a hidden temporary name (written and fsynced first, then
/// renamed), so that nobody watching `dir` sees a partial file. The caller syncs `dir` when the
/// rename itself must survive a power loss.
pub(crate) fn put(fs: &dyn FileOps, dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let tmp = dir.join(format!("{TEMP_PREFIX}{name}"));
    fs.write_synced(&tmp, bytes).map_err(io("write", &tmp))?;
    fs.rename(&tmp, &dir.join(name)).map_err(io("rename", &tmp))
}
