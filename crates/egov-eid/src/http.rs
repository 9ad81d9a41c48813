//! The HTTP client: the workspace's `reqwest` adapted to `openidconnect`'s async client trait.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::error::Error;

/// Largest response body accepted from a provider (discovery, JWKS, tokens, userinfo).
const MAX_BODY: usize = 1024 * 1024;

/// An HTTP client for talking to OpenID Providers.
///
/// It follows no redirects (a redirecting token or JWKS endpoint could otherwise point the
/// relying party at internal addresses), times out after 30 seconds by default and accepts
/// response bodies up to 1 MiB. TLS is rustls with the `aws-lc-rs` provider.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// A client with a 30-second timeout.
    ///
    /// # Errors
    /// [`Error::Http`] when the TLS set-up fails.
    pub fn new() -> Result<Self, Error> {
        Self::with_timeout(Duration::from_secs(30))
    }

    /// A client with the given timeout per request.
    ///
    /// # Errors
    /// [`Error::Http`] when the TLS set-up fails.
    pub fn with_timeout(timeout: Duration) -> Result<Self, Error> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        Ok(Self { inner })
    }

    pub(crate) async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let (parts, body) = request.into_parts();
        let response = self
            .inner
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| Error::Http(e.to_string()))?;
        let status = response.status();
        let headers = response.headers().clone();
        if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(Error::Http("response body too large".into()));
        }
        let body = response.bytes().await.map_err(|e| Error::Http(e.to_string()))?;
        if body.len() > MAX_BODY {
            return Err(Error::Http("response body too large".into()));
        }
        let mut out = HttpResponse::new(body.to_vec());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}
