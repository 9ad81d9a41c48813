//! E-mail written to files, for development: a maildir-style folder that any mail client or a
//! test can read.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{ChannelError, Delivery, EmailTransport, Sender, build_email};
use crate::message::{Message, MessageId};

/// Writes each e-mail, exactly as SMTP would send it, to `DIR/new/ID.eml` (first to `DIR/tmp/`,
/// then renamed, so a reader never sees half a file). The file name is the outbox id, so a
/// retried message replaces its own file instead of adding a second one.
///
/// ```
/// use egov_notify::channel::{FileTransport, Sender};
///
/// let dir = std::env::temp_dir().join(format!("egov-notify-doc-{}", std::process::id()));
/// let transport = FileTransport::new(&dir, Sender::new("noreply@gemeinde-muster.ch".parse()?))?;
/// assert!(dir.join("new").is_dir());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
    sender: Sender,
}

impl FileTransport {
    /// A transport writing below `dir` (created with `tmp/` and `new/` if missing).
    ///
    /// # Errors
    ///
    /// [`ChannelError::Io`] when the folders cannot be created.
    pub fn new(dir: &Path, sender: Sender) -> Result<Self, ChannelError> {
        for sub in ["tmp", "new", "cur"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(|source| ChannelError::Io { path, source })?;
        }
        Ok(Self {
            dir: dir.to_owned(),
            sender,
        })
    }

    /// The file an e-mail with this id is written to.
    #[must_use]
    pub fn path_of(&self, id: &MessageId) -> PathBuf {
        self.dir.join("new").join(format!("{id}.eml"))
    }
}

#[async_trait]
impl EmailTransport for FileTransport {
    async fn send_email(&self, id: &MessageId, message: &Message) -> Delivery {
        let bytes = match build_email(&self.sender, id, message) {
            Ok(email) => email.formatted(),
            Err(e) => {
                return Delivery::TechnicalFailure {
                    reason: e.to_string(),
                };
            }
        };
        let tmp = self.dir.join("tmp").join(format!("{id}.eml"));
        let target = self.path_of(id);
        let written = tokio::task::spawn_blocking(move || {
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &target)?;
            Ok::<_, std::io::Error>(target)
        })
        .await;
        match written {
            Ok(Ok(target)) => Delivery::Delivered {
                provider_reference: Some(target.display().to_string()),
            },
            Ok(Err(e)) => Delivery::TechnicalFailure {
                reason: format!("writing the .eml file: {e}"),
            },
            Err(e) => Delivery::TechnicalFailure {
                reason: format!("writing the .eml file: {e}"),
            },
        }
    }
}
