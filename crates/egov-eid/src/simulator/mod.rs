//! A login simulator: an in-process OpenID Provider on a loopback port (cargo feature `simulator`).
//!
//! It behaves like AGOV as far as a relying party can see: discovery, JWKS, an authorization
//! endpoint that logs in a built-in [`TestPerson`] named by `login_hint` (or shows a page to pick
//! one), a token endpoint that checks client authentication and PKCE (S256), ID tokens signed with
//! RS256 or ES256 carrying AGOV acr values, pairwise subjects and the AHV number (scope `svnr`),
//! userinfo and end-session. Relying parties talk to it over HTTP exactly as to a real provider.
//!
//! For tests it can rotate its keys ([`Simulator::rotate_keys`]) and misbehave on purpose
//! ([`Simulator::set_fault`]), like the error injection of GOV.UK One Login's simulator.
//!
//! It is for development and tests only: every login succeeds without a password.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), egov_eid::Error> {
//! use egov_eid::simulator::{SimClient, Simulator, SimulatorConfig};
//! use egov_eid::{AuthRequest, Callback, ClientAuth, HttpClient, Loa, ProviderConfig, RelyingParty, Secret};
//!
//! let client = SimClient::new("my-app", Some("s3cret"), "http://127.0.0.1:8080/callback");
//! let sim = Simulator::start(SimulatorConfig::new(vec![client])).await?;
//!
//! let mut rp = RelyingParty::new(HttpClient::new()?);
//! let mut config = ProviderConfig::new(
//!     sim.issuer(), "my-app", ClientAuth::SecretBasic(Secret::new("s3cret")),
//!     "http://127.0.0.1:8080/callback",
//! );
//! config.scopes.push("svnr".into());
//! rp.add_provider("agov", config).await?;
//!
//! let request = AuthRequest::new().loa(Loa::AhvVerified).login_hint("anna");
//! let (url, pending) = rp.authorization_url("agov", &request)?;
//! let callback = sim.follow(&url).await?; // what the browser would do
//! let login = rp.complete(&pending, &Callback::from_url(&callback)).await?;
//! assert_eq!(login.identity.family_name.as_deref(), Some("Muster"));
//! assert_eq!(login.identity.loa, Some(Loa::AhvVerified));
//! assert!(login.identity.ahvn13.is_some());
//! # Ok(()) }
//! ```

mod persons;
mod server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use url::Url;

pub use persons::{TestPerson, test_person, test_persons};

use crate::error::Error;
use crate::http::HttpClient;
use crate::jose::{KeyAlg, SigningKey};
use crate::loa::Loa;

/// A client registered at the simulator.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimClient {
    /// The client id.
    pub client_id: String,
    /// The secret (`client_secret_basic` or `client_secret_post`); none for a public client.
    pub client_secret: Option<String>,
    /// Registered redirect URIs (compared exactly).
    pub redirect_uris: Vec<String>,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Public keys (JWKs) for `private_key_jwt` client authentication.
    pub jwks: Vec<serde_json::Value>,
}

impl SimClient {
    /// A client with one redirect URI.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: Option<&str>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.map(str::to_owned),
            redirect_uris: vec![redirect_uri.into()],
            post_logout_redirect_uris: Vec::new(),
            jwks: Vec::new(),
        }
    }
}

/// The simulator's configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimulatorConfig {
    /// Registered clients.
    pub clients: Vec<SimClient>,
    /// The ID token algorithm (default RS256).
    pub signing_alg: KeyAlg,
    /// The loopback port (0: any free port).
    pub port: u16,
    /// ID token lifetime in seconds (default 300).
    pub token_lifetime_secs: i64,
    /// Whether the ID token carries the person's claims (names, e-mail, AHV number) as AGOV
    /// integrators expect (default true); otherwise they come from userinfo only.
    pub claims_in_id_token: bool,
}

impl SimulatorConfig {
    /// RS256, any free port.
    #[must_use]
    pub fn new(clients: Vec<SimClient>) -> Self {
        Self {
            clients,
            signing_alg: KeyAlg::Rs256,
            port: 0,
            token_lifetime_secs: 300,
            claims_in_id_token: true,
        }
    }
}

/// A deliberate misbehaviour of the simulator, to test that relying parties reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The ID token is unsigned (`alg: none`).
    AlgNone,
    /// The ID token is HS256-signed with the provider's public key as the secret.
    HmacWithPublicKey,
    /// `iss` names another issuer.
    WrongIssuer,
    /// `aud` names another client.
    WrongAudience,
    /// `aud` has a second audience and there is no `azp`.
    ExtraAudienceWithoutAzp,
    /// `azp` names another client.
    WrongAuthorizedParty,
    /// `exp` lies 10 minutes in the past.
    Expired,
    /// `iat` lies 10 minutes in the future.
    IssuedInFuture,
    /// `nonce` is not the one of the request.
    WrongNonce,
    /// `at_hash` does not match the access token.
    WrongAccessTokenHash,
    /// The ID token is signed with a fresh key that the JWKS does not publish (new `kid` each time).
    UnpublishedKey,
    /// The authorization response carries another issuer in `iss` (a mix-up).
    WrongCallbackIssuer,
}

/// Codes and tokens handed out.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    person: &'static TestPerson,
    loa: Loa,
    scopes: Vec<String>,
    auth_time: i64,
    sid: String,
    issued: i64,
}

struct Inner {
    issuer: String,
    config: SimulatorConfig,
    /// Published keys; the first signs.
    keys: Mutex<Vec<SigningKey>>,
    codes: Mutex<HashMap<String, Grant>>,
    access_tokens: Mutex<HashMap<String, Grant>>,
    fault: Mutex<Option<Fault>>,
    /// `jti` values of client assertions seen.
    assertion_ids: Mutex<std::collections::HashSet<String>>,
    jwks_requests: AtomicUsize,
    token_requests: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running simulator; it stops when dropped.
pub struct Simulator {
    inner: Arc<Inner>,
    browser: HttpClient,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("issuer", &self.inner.issuer)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts the simulator on `127.0.0.1` (on the current tokio runtime).
    ///
    /// # Errors
    /// [`Error::Simulator`] when the port cannot be bound or a key cannot be made.
    pub async fn start(config: SimulatorConfig) -> Result<Self, Error> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|e| Error::Simulator(format!("bind: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Simulator(e.to_string()))?;
        let key = SigningKey::generate(config.signing_alg)?;
        let inner = Arc::new(Inner {
            issuer: format!("http://{addr}"),
            config,
            keys: Mutex::new(vec![key]),
            codes: Mutex::new(HashMap::new()),
            access_tokens: Mutex::new(HashMap::new()),
            fault: Mutex::new(None),
            assertion_ids: Mutex::new(std::collections::HashSet::new()),
            jwks_requests: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
        });
        let app = server::router(Arc::clone(&inner));
        let task = tokio::spawn(async move {
            // The server ends only when the task is aborted (on drop).
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            inner,
            browser: HttpClient::new()?,
            addr,
            task,
        })
    }

    /// The issuer URL (`http://127.0.0.1:<port>`).
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The socket address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Makes a new signing key. With `keep_old`, the old public key stays in the JWKS (a graceful
    /// rotation); without, it disappears at once.
    ///
    /// # Errors
    /// [`Error::Simulator`] when the key cannot be made.
    pub fn rotate_keys(&self, keep_old: bool) -> Result<(), Error> {
        let key = SigningKey::generate(self.inner.config.signing_alg)?;
        let mut keys = lock(&self.inner.keys);
        if !keep_old {
            keys.clear();
        }
        keys.insert(0, key);
        Ok(())
    }

    /// The key id that signs now.
    #[must_use]
    pub fn current_kid(&self) -> String {
        lock(&self.inner.keys)
            .first()
            .map(|k| k.kid.clone())
            .unwrap_or_default()
    }

    /// Signs arbitrary claims with the current key and the given header `typ`, for testing how a
    /// relying party treats tokens the provider signed (for example malformed logout tokens).
    ///
    /// # Errors
    /// [`Error::Key`] when signing fails.
    pub fn sign_claims(&self, typ: &str, claims: &serde_json::Value) -> Result<String, Error> {
        let keys = lock(&self.inner.keys);
        let key = keys.first().ok_or_else(|| Error::Simulator("no key".into()))?;
        key.sign_typed(claims, typ)
    }

    /// The back-channel logout token the simulator would POST to a client when the session `sid` of
    /// the subject `sub` ends (OpenID Connect Back-Channel Logout 1.0, `typ` `logout+jwt`).
    ///
    /// # Errors
    /// [`Error::Key`] when signing fails.
    pub fn logout_token(
        &self,
        client_id: &str,
        sub: Option<&str>,
        sid: Option<&str>,
    ) -> Result<String, Error> {
        let now = chrono::Utc::now().timestamp();
        let mut claims = serde_json::json!({
            "iss": self.inner.issuer, "aud": client_id, "iat": now, "exp": now + 120,
            "jti": crate::jose::random_token(16)?,
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        });
        if let Some(sub) = sub {
            claims["sub"] = sub.into();
        }
        if let Some(sid) = sid {
            claims["sid"] = sid.into();
        }
        self.sign_claims("logout+jwt", &claims)
    }

    /// Sets (or with `None` clears) a fault applied to every following login.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.inner.fault) = fault;
    }

    /// How often the JWKS was fetched.
    #[must_use]
    pub fn jwks_requests(&self) -> usize {
        self.inner.jwks_requests.load(Ordering::SeqCst)
    }

    /// How often the token endpoint was called.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        self.inner.token_requests.load(Ordering::SeqCst)
    }

    /// Does what a browser does with an authorization URL: requests it and returns the redirect
    /// target (the relying party's callback URL with `code`, `state` and `iss`, or an error).
    ///
    /// # Errors
    /// [`Error::Simulator`] when the simulator does not answer with a redirect.
    pub async fn follow(&self, authorization_url: &Url) -> Result<Url, Error> {
        let request = openidconnect::http::Request::builder()
            .uri(authorization_url.as_str())
            .body(Vec::new())
            .map_err(|e| Error::Simulator(e.to_string()))?;
        let response = self.browser.execute(request).await?;
        let location = response
            .headers()
            .get(openidconnect::http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::Simulator(format!(
                    "no redirect (status {}): {}",
                    response.status(),
                    String::from_utf8_lossy(response.body())
                ))
            })?;
        Url::parse(location).map_err(|e| Error::Simulator(format!("location: {e}")))
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
