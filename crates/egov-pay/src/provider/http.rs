//! The adapters' HTTP layer: the workspace `reqwest` client with basic auth, JSON bodies,
//! timeouts and bounded retries with exponential backoff for calls the caller marks as safe.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{HttpSettings, ProviderError, Result, Secret};

/// Largest response body accepted from a provider.
const MAX_BODY: usize = 1024 * 1024;

/// Whether a call may be sent again after a timeout, a connection failure or an HTTP 5xx/429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Idempotent (a read, or a provider that de-duplicates repeated requests).
    Safe,
    /// State-changing without de-duplication: sent once.
    Never,
}

/// A response of any HTTP status.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(&self, operation: &str) -> Result<Value> {
        serde_json::from_slice(&self.body).map_err(|e| ProviderError::UnexpectedResponse {
            what: format!("{operation}: body is not JSON ({e})"),
        })
    }
}

#[derive(Debug)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    base_url: String,
    username: String,
    password: Secret,
    settings: HttpSettings,
}

impl HttpClient {
    pub(crate) fn new(
        base_url: &str,
        username: &str,
        password: &Secret,
        settings: HttpSettings,
    ) -> Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| ProviderError::Http {
                operation: "client set-up",
                status: None,
                message: e.to_string(),
            })?;
        Ok(Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            username: username.to_owned(),
            password: password.clone(),
            settings,
        })
    }

    /// Sends `method path` with the JSON body `body(attempt)` (attempt counts from 0), repeating
    /// a [`Retry::Safe`] call on timeouts, connection failures, 5xx and 429 up to the configured
    /// number of attempts. Any HTTP status is returned as a [`Reply`].
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        retry: Retry,
        body: impl Fn(u32) -> Option<Value> + Send + Sync,
    ) -> Result<Reply> {
        let attempts = match retry {
            Retry::Safe => self.settings.max_attempts.clamp(1, 10),
            Retry::Never => 1,
        };
        let url = format!("{}{}", self.base_url, path);
        let mut backoff = self.settings.initial_backoff;
        let mut attempt = 0;
        loop {
            let mut builder = self
                .client
                .request(method.clone(), &url)
                .basic_auth(&self.username, Some(self.password.expose()))
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(json) = body(attempt) {
                builder = builder.json(&json);
            }
            let outcome = match builder.send().await {
                Ok(response) => read(response).await,
                Err(e) => Err(e),
            };
            attempt += 1;
            let again = attempt < attempts;
            match outcome {
                Ok(reply)
                    if again
                        && (reply.status.is_server_error()
                            || reply.status == StatusCode::TOO_MANY_REQUESTS) => {}
                Ok(reply) => return Ok(reply),
                Err(e) if again && (e.is_timeout() || e.is_connect()) => {}
                Err(e) if e.is_timeout() => {
                    return Err(ProviderError::Timeout {
                        operation,
                        attempts: attempt,
                    });
                }
                Err(e) => {
                    return Err(ProviderError::Http {
                        operation,
                        status: e.status().map(|s| s.as_u16()),
                        message: e.to_string(),
                    });
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(self.settings.max_backoff.max(Duration::from_millis(1)));
        }
    }
}

async fn read(mut response: reqwest::Response) -> Result<Reply, reqwest::Error> {
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        location,
        body,
    })
}
