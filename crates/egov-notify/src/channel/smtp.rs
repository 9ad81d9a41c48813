//! E-mail over SMTP with lettre (async, tokio, rustls with aws-lc-rs).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{ChannelError, Delivery, EmailTransport, Sender, build_email};
use crate::message::{Message, MessageId};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Security {
    /// Plain connection, then `STARTTLS`, which must succeed (no downgrade); port 587 by default.
    #[default]
    StartTls,
    /// TLS from the first byte ("SMTPS", RFC 8314); port 465 by default.
    ImplicitTls,
    /// No encryption; only for a relay on the same host or in tests. Port 25 by default.
    None,
}

/// Settings of an [`SmtpTransport`]. `Debug` does not show the password.
///
/// ```
/// use std::time::Duration;
/// use egov_notify::channel::{Security, SmtpConfig};
///
/// let config = SmtpConfig::new("mail.gemeinde-muster.ch")
///     .security(Security::ImplicitTls)
///     .credentials("notify", "secret")
///     .pool_max_size(4)
///     .timeout(Duration::from_secs(20));
/// assert_eq!(config.effective_port(), 465);
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct SmtpConfig {
    host: String,
    port: Option<u16>,
    security: Security,
    credentials: Option<(String, String)>,
    pool_max_size: u32,
    idle_timeout: Duration,
    timeout: Duration,
    root_certificates_pem: Vec<Vec<u8>>,
    hello_name: Option<String>,
}

impl SmtpConfig {
    /// Settings for `host`: STARTTLS on port 587, no credentials, a pool of up to 4 connections,
    /// 30 s timeout, the system's root certificates.
    #[must_use]
    pub fn new(host: &str) -> Self {
        Self {
            host: host.to_owned(),
            port: None,
            security: Security::default(),
            credentials: None,
            pool_max_size: 4,
            idle_timeout: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            root_certificates_pem: Vec::new(),
            hello_name: None,
        }
    }

    /// Sets the port (default: from the [`Security`]).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Sets the connection security.
    #[must_use]
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Logs in with user name and password (AUTH PLAIN or LOGIN, whichever the server offers).
    #[must_use]
    pub fn credentials(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// The most connections the pool keeps open (at least 1).
    #[must_use]
    pub fn pool_max_size(mut self, size: u32) -> Self {
        self.pool_max_size = size.max(1);
        self
    }

    /// How long an unused pooled connection stays open.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The timeout of each SMTP command.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts an extra root certificate (PEM), e.g. an agency's internal CA, besides the
    /// system's.
    #[must_use]
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_certificates_pem.push(pem.to_vec());
        self
    }

    /// The name sent in `EHLO` (default: this host's name).
    #[must_use]
    pub fn hello_name(mut self, name: &str) -> Self {
        self.hello_name = Some(name.to_owned());
        self
    }

    /// The port that will be used.
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::StartTls => 587,
            Security::ImplicitTls => 465,
            Security::None => 25,
        })
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.effective_port())
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("pool_max_size", &self.pool_max_size)
            .field("timeout", &self.timeout)
            .field("extra_root_certificates", &self.root_certificates_pem.len())
            .finish_non_exhaustive()
    }
}

/// Sends e-mail to an SMTP server through a pool of connections, and classifies the server's
/// answer: `2xx` → [`Delivery::Delivered`], `4xx` → [`Delivery::TemporaryFailure`], `5xx` →
/// [`Delivery::PermanentFailure`], no answer (connection, TLS, timeout) →
/// [`Delivery::TechnicalFailure`].
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    sender: Sender,
    description: String,
}

impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("server", &self.description)
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

impl SmtpTransport {
    /// A transport with these settings, sending as `sender`. Connects lazily, on the first
    /// message.
    ///
    /// # Errors
    ///
    /// [`ChannelError::SmtpConfig`] for an unusable TLS setup or root certificate.
    pub fn new(config: &SmtpConfig, sender: Sender) -> Result<Self, ChannelError> {
        let tls_error = |e: lettre::transport::smtp::Error| ChannelError::SmtpConfig(e.to_string());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.effective_port())
            .timeout(Some(config.timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(config.pool_max_size)
                    .idle_timeout(config.idle_timeout),
            );
        if config.security != Security::None {
            let mut tls = TlsParameters::builder(config.host.clone());
            for pem in &config.root_certificates_pem {
                tls = tls.add_root_certificate(Certificate::from_pem(pem).map_err(tls_error)?);
            }
            let tls = tls.build().map_err(tls_error)?;
            builder = builder.tls(match config.security {
                Security::ImplicitTls => Tls::Wrapper(tls),
                _ => Tls::Required(tls),
            });
        }
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        if let Some(name) = &config.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(Self {
            inner: builder.build(),
            sender,
            description: format!("{}:{}", config.host, config.effective_port()),
        })
    }

    /// The sender.
    #[must_use]
    pub fn sender(&self) -> &Sender {
        &self.sender
    }
}

#[async_trait]
impl EmailTransport for SmtpTransport {
    async fn send_email(&self, id: &MessageId, message: &Message) -> Delivery {
        let email = match build_email(&self.sender, id, message) {
            Ok(email) => email,
            Err(e) => {
                return Delivery::TechnicalFailure {
                    reason: e.to_string(),
                };
            }
        };
        match self.inner.send(email).await {
            Ok(response) => Delivery::Delivered {
                provider_reference: Some(format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )),
            },
            Err(e) => classify_smtp_error(&e),
        }
    }
}

/// Classifies an SMTP error as a bounce: a `5xx` reply is a permanent failure, a `4xx` reply a
/// temporary one, anything without a reply (connection refused, TLS, timeout, a broken
/// exchange) a technical failure. The reason keeps the server's code and text.
#[must_use]
pub fn classify_smtp_error(error: &lettre::transport::smtp::Error) -> Delivery {
    let reason = error.to_string();
    if error.is_permanent() {
        Delivery::PermanentFailure { reason }
    } else if error.is_transient() {
        Delivery::TemporaryFailure { reason }
    } else {
        Delivery::TechnicalFailure { reason }
    }
}
