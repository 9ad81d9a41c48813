//! Login sessions and pending logins, independent of the web framework.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::identity::Identity;
use crate::rp::{PendingLogin, Secret};

/// An opaque, random session id (256 bits, base64url) for the session cookie.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// A fresh random id.
    ///
    /// # Errors
    /// [`Error::Key`] when the system has no randomness.
    pub fn random() -> Result<Self, Error> {
        Ok(Self(crate::jose::random_token(32)?))
    }

    /// Wraps an id read from a cookie (not checked: an unknown id simply finds no session).
    #[must_use]
    pub fn from_cookie(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The id for the cookie.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(…)")
    }
}

/// A logged-in session.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Session {
    /// The id (the cookie value).
    pub id: SessionId,
    /// The provider name the person logged in with.
    pub provider: String,
    /// The person.
    pub identity: Identity,
    /// The ID token, for `id_token_hint` at logout.
    pub id_token: Secret,
    /// When the login happened.
    pub created_at: DateTime<Utc>,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A new session with a random id.
    ///
    /// # Errors
    /// [`Error::Key`] when no random id can be made.
    pub fn new(
        provider: &str,
        identity: Identity,
        id_token: Secret,
        lifetime: chrono::Duration,
    ) -> Result<Self, Error> {
        let now = Utc::now();
        Ok(Self {
            id: SessionId::random()?,
            provider: provider.to_owned(),
            identity,
            id_token,
            created_at: now,
            expires_at: now + lifetime,
        })
    }
}

/// A started login kept until its callback, with where to go afterwards.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PendingEntry {
    /// The transaction.
    pub pending: PendingLogin,
    /// The local path to return to after the login.
    pub return_to: String,
    /// Whether this is already a step-up (a second step-up is not attempted).
    pub step_up: bool,
}

impl PendingEntry {
    /// An entry.
    #[must_use]
    pub fn new(pending: PendingLogin, return_to: String, step_up: bool) -> Self {
        Self {
            pending,
            return_to,
            step_up,
        }
    }
}

/// Where sessions and pending logins live (memory, a database, a cache).
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Keeps a pending login under `key` (the value of the transaction cookie).
    async fn put_pending(&self, key: &str, entry: PendingEntry) -> Result<(), Error>;
    /// Takes a pending login out (it is used once).
    async fn take_pending(&self, key: &str) -> Result<Option<PendingEntry>, Error>;
    /// Stores a session.
    async fn put_session(&self, session: Session) -> Result<(), Error>;
    /// The session with this id, if it exists and has not expired.
    async fn session(&self, id: &SessionId) -> Result<Option<Session>, Error>;
    /// Ends a session.
    async fn remove_session(&self, id: &SessionId) -> Result<(), Error>;
    /// Ends the sessions of provider session `sid` at `issuer` (back-channel logout); returns how
    /// many ended.
    async fn remove_by_sid(&self, issuer: &str, sid: &str) -> Result<usize, Error>;
    /// Ends all sessions of subject `sub` at `issuer`; returns how many ended.
    async fn remove_by_subject(&self, issuer: &str, sub: &str) -> Result<usize, Error>;
}

/// A [`SessionStore`] in memory, for one process (development, tests, single-instance services).
#[derive(Debug, Default)]
pub struct MemorySessionStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    pending: HashMap<String, (PendingEntry, DateTime<Utc>)>,
    sessions: HashMap<SessionId, Session>,
}

impl MemorySessionStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many sessions are live.
    #[must_use]
    pub fn session_count(&self) -> usize {
        let now = Utc::now();
        self.lock()
            .sessions
            .values()
            .filter(|s| s.expires_at > now)
            .count()
    }
}

#[async_trait]
impl SessionStore for MemorySessionStore {
    async fn put_pending(&self, key: &str, entry: PendingEntry) -> Result<(), Error> {
        let now = Utc::now();
        let mut inner = self.lock();
        // Abandoned logins are dropped after an hour.
        inner
            .pending
            .retain(|_, (_, at)| now.signed_duration_since(*at) < chrono::Duration::hours(1));
        inner.pending.insert(key.to_owned(), (entry, now));
        Ok(())
    }

    async fn take_pending(&self, key: &str) -> Result<Option<PendingEntry>, Error> {
        Ok(self.lock().pending.remove(key).map(|(entry, _)| entry))
    }

    async fn put_session(&self, session: Session) -> Result<(), Error> {
        let now = Utc::now();
        let mut inner = self.lock();
        inner.sessions.retain(|_, s| s.expires_at > now);
        inner.sessions.insert(session.id.clone(), session);
        Ok(())
    }

    async fn session(&self, id: &SessionId) -> Result<Option<Session>, Error> {
        let now = Utc::now();
        Ok(self
            .lock()
            .sessions
            .get(id)
            .filter(|s| s.expires_at > now)
            .cloned())
    }

    async fn remove_session(&self, id: &SessionId) -> Result<(), Error> {
        self.lock().sessions.remove(id);
        Ok(())
    }

    async fn remove_by_sid(&self, issuer: &str, sid: &str) -> Result<usize, Error> {
        let mut inner = self.lock();
        let before = inner.sessions.len();
        inner
            .sessions
            .retain(|_, s| !(s.identity.issuer == issuer && s.identity.session_id.as_deref() == Some(sid)));
        Ok(before - inner.sessions.len())
    }

    async fn remove_by_subject(&self, issuer: &str, sub: &str) -> Result<usize, Error> {
        let mut inner = self.lock();
        let before = inner.sessions.len();
        inner
            .sessions
            .retain(|_, s| !(s.identity.issuer == issuer && s.identity.subject == sub));
        Ok(before - inner.sessions.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loa::AcrScheme;
    use serde_json::json;

    fn identity(sub: &str, sid: &str) -> Identity {
        let claims = json!({"iss": "https://idp.example", "sub": sub, "sid": sid});
        let serde_json::Value::Object(map) = claims else {
            unreachable!()
        };
        Identity::from_claims(map, &AcrScheme::Agov, &[]).unwrap()
    }

    #[tokio::test]
    async fn sessions_end_by_id_sid_subject_and_time() {
        let store = MemorySessionStore::new();
        let hour = chrono::Duration::hours(1);
        let a1 = Session::new("agov", identity("a", "s1"), Secret::new("t"), hour).unwrap();
        let a2 = Session::new("agov", identity("a", "s2"), Secret::new("t"), hour).unwrap();
        let b = Session::new("agov", identity("b", "s3"), Secret::new("t"), hour).unwrap();
        let gone = Session::new("agov", identity("c", "s4"), Secret::new("t"), -hour).unwrap();
        assert_ne!(a1.id, a2.id);
        for s in [a1.clone(), a2.clone(), b.clone(), gone.clone()] {
            store.put_session(s).await.unwrap();
        }
        assert_eq!(store.session_count(), 3);
        assert!(store.session(&gone.id).await.unwrap().is_none(), "expired");
        assert_eq!(store.remove_by_sid("https://idp.example", "s1").await.unwrap(), 1);
        assert_eq!(
            store.remove_by_sid("https://other.example", "s3").await.unwrap(),
            0
        );
        assert_eq!(
            store.remove_by_subject("https://idp.example", "a").await.unwrap(),
            1
        );
        assert!(store.session(&a2.id).await.unwrap().is_none());
        assert!(store.session(&b.id).await.unwrap().is_some());
        store.remove_session(&b.id).await.unwrap();
        assert_eq!(store.session_count(), 0);
        assert!(!format!("{:?}", b.id).contains(b.id.as_str()));
    }
}
