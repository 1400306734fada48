//! The Odoo client: connection settings, protocol choice, and the one path
//! that every remote call takes (concurrency bound, retries, logs, counter).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::call::Call;
use super::config::{ClientConfig, Protocol};
use super::directory::Directory;
use super::error::Error;
use super::fields::PartnerFields;
use super::{json2, jsonrpc, version};

/// A client for one Odoo instance. Cloning is cheap and clones share the
/// caches (server version, uid, countries) and the concurrency bound.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    permits: Semaphore,
    calls: AtomicU64,
    next_request_id: AtomicU64,
    major_version: OnceCell<u32>,
    protocol: OnceCell<Protocol>,
    uid: OnceCell<i64>,
    partner_fields: OnceCell<PartnerFields>,
    directory: Directory,
}

/// An HTTP response, read in full.
pub(crate) struct Response {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// The protocol, model, method and attempt of a request, for logs and errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub protocol: &'static str,
    pub model: &'a str,
    pub method: &'a str,
    pub attempt: u32,
}

impl Target<'_> {
    pub fn label(&self) -> String {
        format!("{} {}.{}", self.protocol, self.model, self.method)
    }
}

/// Maximum number of characters of an unexpected response body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

impl Response {
    /// Builds the error for a status that the protocol does not expect.
    pub fn status_error(&self, target: Target<'_>) -> Error {
        let text = String::from_utf8_lossy(&self.body);

        Error::Status {
            status: self.status,
            target: target.label(),
            body: text.chars().take(BODY_EXCERPT_CHARS).collect(),
            retry_after: self.retry_after,
        }
    }

    /// Parses the body as JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self, target: Target<'_>) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|error| Error::InvalidResponse {
            target: target.label(),
            detail: format!("body is not the expected JSON ({error})"),
        })
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Client")
            .field("config", &self.inner.config)
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Makes no remote call: the server version, the
    /// protocol and the uid are fetched on first use.
    pub fn new(mut config: ClientConfig) -> Result<Self, Error> {
        if config.max_concurrency == 0 {
            return Err(Error::InvalidConfig(
                "max_concurrency is 0, so no request could ever be sent; set it to 1 or more"
                    .to_owned(),
            ));
        }

        // `Url::join` replaces the last path segment unless the path ends
        // with a slash, which would drop a prefix such as `/odoo`.
        if !config.base_url.path().ends_with('/') {
            let path = format!("{}/", config.base_url.path());
            config.base_url.set_path(&path);
        }

        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(concat!(
                "magento-odoo-connector/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|error| {
                Error::InvalidConfig(format!("cannot build the HTTP client: {error}"))
            })?;

        let permits = Semaphore::new(config.max_concurrency);

        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                permits,
                calls: AtomicU64::new(0),
                next_request_id: AtomicU64::new(1),
                major_version: OnceCell::new(),
                protocol: OnceCell::new(),
                uid: OnceCell::new(),
                partner_fields: OnceCell::new(),
                directory: Directory::default(),
            }),
        })
    }

    /// Returns the number of HTTP requests sent so far, retries included.
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Returns the server's major version (17, 18, 19, ...), probed once.
    pub async fn major_version(&self) -> Result<u32, Error> {
        self.inner
            .major_version
            .get_or_try_init(|| version::probe(self))
            .await
            .copied()
    }

    /// Returns the protocol in use: the configured one, or on `Auto` JSON-2
    /// from Odoo 19 and JSON-RPC before.
    pub async fn protocol(&self) -> Result<Protocol, Error> {
        let protocol = self
            .inner
            .protocol
            .get_or_try_init(|| async {
                match self.inner.config.protocol {
                    Protocol::Auto if self.major_version().await? >= 19 => Ok(Protocol::Json2),
                    Protocol::Auto => Ok(Protocol::JsonRpc),
                    fixed => Ok::<_, Error>(fixed),
                }
            })
            .await?;

        Ok(*protocol)
    }

    /// Runs one model method on the server and returns its raw JSON result.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Value, Error> {
        match self.protocol().await? {
            Protocol::Json2 => {
                self.with_retry(call.model, call.method, |attempt| {
                    json2::call(self, call, attempt)
                })
                .await
            }
            _ => {
                let uid = self.uid().await?;

                self.with_retry(call.model, call.method, |attempt| {
                    jsonrpc::execute_kw(self, uid, call, attempt)
                })
                .await
            }
        }
    }

    /// Returns the JSON-RPC user id, authenticating on first use.
    async fn uid(&self) -> Result<i64, Error> {
        let uid = self
            .inner
            .uid
            .get_or_try_init(|| {
                self.with_retry("common", "authenticate", |attempt| {
                    jsonrpc::authenticate(self, attempt)
                })
            })
            .await?;

        Ok(*uid)
    }

    /// Runs `operation` under the configured retry policy, passing it the
    /// attempt number (from 1).
    pub(crate) async fn with_retry<T, F, Fut>(
        &self,
        model: &str,
        method: &str,
        operation: F,
    ) -> Result<T, Error>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let name = format!("odoo {model}.{method}");

        self.inner.config.retry.run(&name, operation).await
    }

    /// Sends one HTTP request within the concurrency bound, counts it and
    /// logs its outcome. Never logs headers or bodies, which carry the key.
    ///
    /// `request` builds the request once a permit is held, so the encoded bodies of
    /// calls waiting for a permit do not sit in memory.
    pub(crate) async fn send(
        &self,
        target: Target<'_>,
        request: impl FnOnce() -> reqwest::RequestBuilder,
    ) -> Result<Response, Error> {
        let _permit = self.inner.permits.acquire().await.map_err(|_| {
            Error::InvalidConfig("the client's request limiter is closed".to_owned())
        })?;
        let request = request();

        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();

        let result = read_response(request).await;
        let latency_ms = started.elapsed().as_millis() as u64;

        match &result {
            Ok(response) => tracing::debug!(
                protocol = target.protocol,
                model = target.model,
                method = target.method,
                attempt = target.attempt,
                status = response.status,
                latency_ms,
                "Odoo call"
            ),
            Err(error) => tracing::warn!(
                protocol = target.protocol,
                model = target.model,
                method = target.method,
                attempt = target.attempt,
                latency_ms,
                %error,
                "Odoo call got no response"
            ),
        }

        result.map_err(|source| Error::Transport {
            target: target.label(),
            source,
        })
    }

    /// Returns the URL of `path` under the base URL.
    pub(crate) fn url(&self, path: &str) -> Result<Url, Error> {
        self.inner.config.base_url.join(path).map_err(|error| {
            Error::InvalidConfig(format!(
                "cannot join {path:?} to base URL {}: {error}",
                self.inner.config.base_url
            ))
        })
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn next_request_id(&self) -> u64 {
        self.inner.next_request_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    pub(crate) fn partner_fields_cell(&self) -> &OnceCell<PartnerFields> {
        &self.inner.partner_fields
    }
}

async fn read_response(request: reqwest::RequestBuilder) -> Result<Response, reqwest::Error> {
    let response = request.send().await?;

    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = response.bytes().await?.to_vec();

    Ok(Response {
        status,
        retry_after,
        body,
    })
}
