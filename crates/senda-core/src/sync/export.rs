//! Sync without a network: the outbox written to a batch file for a USB stick.

use crate::casework::{CaseError, Casework};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A batch file written by [`Casework::export_batch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exported {
    /// Outbox rows it carries.
    pub ops: usize,
    pub file: String,
}

impl Casework<'_> {
    /// Writes the ready outbox rows, sealed to the server, into a new file in
    /// `dir`; `None` when nothing is ready. The rows are marked exported only
    /// once the file is whole on disk, so a full or pulled-out stick leaves
    /// them as they were.
    pub fn export_batch(&self, dir: &Path) -> Result<Option<Exported>, CaseError> {
        let Some(batch) = self.prepare_export()? else {
            return Ok(None);
        };
        let name = format!("senda-{}.sendabatch", self.now.format("%Y%m%d-%H%M%S-%3f"));
        let file = write_whole(&dir.join(name), &batch.bytes)?;
        self.mark_exported(&batch.op_ids)?;
        Ok(Some(Exported {
            ops: batch.op_ids.len(),
            file: file.display().to_string(),
        }))
    }
}

/// Writes `bytes` to a `.part` file beside `file`, flushes it to disk, then
/// renames it: a file with the final name is always whole.
fn write_whole(file: &Path, bytes: &[u8]) -> Result<PathBuf, CaseError> {
    let failed = |e: std::io::Error| CaseError::ExportFailed {
        message: e.to_string(),
    };
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let part = file.with_extension("part");
    let written = (|| {
        let mut f = std::fs::File::create(&part)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&part, file)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(failed(e));
    }
    Ok(file.to_path_buf())
}
