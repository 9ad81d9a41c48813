//! The errors of the online counter.

/// What can go wrong when starting or running the online counter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The orders database failed.
    #[error("orders database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The login (simulator or relying party) failed.
    #[error("login: {0}")]
    Login(#[from] egov_eid::Error),
    /// The QR-bill could not be made.
    #[error("QR-bill: {0}")]
    Bill(String),
    /// The camt.054 file could not be read or reconciled.
    #[error("camt.054: {0}")]
    Camt(String),
    /// The e-mail could not be queued.
    #[error("e-mail: {0}")]
    Mail(String),
    /// The online payment could not be started or confirmed.
    #[error("online payment: {0}")]
    Payment(String),
    /// The certificate could not be sealed.
    #[error("seal: {0}")]
    Seal(String),
    /// The sedex message could not be sent.
    #[error("sedex: {0}")]
    Sedex(String),
}

impl Error {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
