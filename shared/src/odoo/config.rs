//! Per-instance settings of the Odoo client.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::retry::RetryPolicy;

/// The Odoo external API protocol that the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// Probes `GET /web/version` once, then uses JSON-2 on Odoo 19 and later
    /// and JSON-RPC on 17 and 18.
    #[default]
    Auto,
    /// `POST /json/2/<model>/<method>` with a bearer API key (Odoo 19+).
    Json2,
    /// `POST /jsonrpc` with `object.execute_kw` (Odoo 17 to 21; deprecated from 19).
    JsonRpc,
}

/// Settings of one Odoo instance. `Debug` prints the API key as `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Root URL of the Odoo server, e.g. `https://erp.example.com/`.
    pub base_url: Url,
    pub database: String,
    /// Login of the user that owns the API key (JSON-RPC only; JSON-2 needs no login).
    pub login: String,
    pub api_key: SecretString,
    pub protocol: Protocol,
    /// Limit for one HTTP request, from connect to the last byte of the body.
    pub request_timeout: Duration,
    /// Retries of transient failures (timeouts, connection errors, 429,
    /// 502, 503, 504); configuration and server errors are never retried.
    pub retry: RetryPolicy,
    /// Maximum number of requests in flight to this instance at a time.
    pub max_concurrency: usize,
}

impl ClientConfig {
    /// Builds a configuration with the defaults: protocol detection, a 30 s
    /// request timeout, the default retry policy and 4 concurrent requests.
    pub fn new(
        base_url: Url,
        database: impl Into<String>,
        login: impl Into<String>,
        api_key: SecretString,
    ) -> Self {
        Self {
            base_url,
            database: database.into(),
            login: login.into(),
            api_key,
            protocol: Protocol::Auto,
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            max_concurrency: 4,
        }
    }
}
