//! OIDC login for Swiss e-government applications.
//!
//! * [`Loa`]: provider-neutral, ordered levels of assurance with the mappings to AGOV
//!   (`urn:qa.agov.ch:names:tc:ac:classes:100` … `:600`), eIAM (QoA 10 … 60) and eIDAS
//!   (low / substantial / high) acr values ([`AcrScheme`]).
//! * [`Identity`]: the logged-in person (issuer and subject as the stable key, names, birth date,
//!   AHV number as [`egov_core::Ahvn13`], e-mail, [`egov_core::Language`], level of assurance and the
//!   raw claims).
//! * [`RelyingParty`]: an OpenID Connect relying party on top of the `openidconnect` crate for
//!   several issuers at once: discovery, authorization URL with PKCE (S256), state, nonce and
//!   `acr_values`, callback checks (state, RFC 9207 `iss`), code exchange, ID token validation
//!   with an algorithm allow-list, JWKS refetch on an unknown `kid` at a bounded rate, userinfo,
//!   LoA requirements and step-up, RP-initiated logout URL and back-channel logout tokens.
//! * [`swiyu`]: a client for the swiyu Generic Verifier's management API, to verify e-ID
//!   attributes directly (`EidPresentation`).
//! * [`session`]: login sessions and pending logins behind a [`session::SessionStore`] trait, with
//!   an in-memory store; `web` (cargo feature `axum`): login, callback, logout and back-channel
//!   routes and the extractors `CurrentUser` and `RequireLoa<level::…>`.
//! * `simulator` (cargo feature `simulator`): an in-process OpenID Provider on a loopback port
//!   with test persons, for development and tests.
//!
//! ```
//! use egov_eid::{AcrScheme, Loa};
//!
//! let loa = Loa::from_agov_acr("urn:qa.agov.ch:names:tc:ac:classes:400")?;
//! assert_eq!(loa, Loa::AhvVerified);
//! assert!(loa >= Loa::IdentityVerified);
//! assert_eq!(loa.to_eidas(), "http://eidas.europa.eu/LoA/substantial");
//! // eIDAS substantial does not guarantee a verified AHV number, so a request asks for high:
//! assert_eq!(AcrScheme::Eidas.acr_for(loa)?, "http://eidas.europa.eu/LoA/high");
//! # Ok::<(), egov_eid::Error>(())
//! ```

mod error;
mod http;
mod identity;
mod jose;
mod jwt;
mod loa;
mod rp;
pub mod session;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod swiyu;
#[cfg(feature = "axum")]
pub mod web;

pub use error::{Error, IdTokenCheck, LogoutCheck};
pub use http::HttpClient;
pub use identity::Identity;
pub use jose::{KeyAlg, SigningKey};
pub use loa::{AcrScheme, Loa};
pub use rp::{
    AuthRequest, Callback, ClientAuth, Login, LogoutNotice, PendingLogin, ProviderConfig, RelyingParty,
    Secret, SigningAlg,
};

/// The README's example, run as a doctest (it needs the simulator).
#[cfg(all(doctest, feature = "simulator"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
