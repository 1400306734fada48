//! The HTTP layer: URL building, authentication, retries, concurrency limit,
//! call logging and error classification for every Magento request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use url::Url;

use super::auth::TokenCache;
use super::config::{ClientConfig, Credentials};
use super::directory::DirectoryCache;
use super::error::{Error, ErrorKind, is_not_authorized};
use super::oauth::{OAuthSigner, encode_query, percent_encode};

const ADMIN_TOKEN_ROUTE: &str = "/V1/integration/admin/token";

const BEARER_REFUSED_HINT: &str = "Magento refused the bearer token. If it is an integration \
     access token, switch the instance to OAuth 1.0a integration credentials, or enable Stores > \
     Configuration > Services > OAuth > Consumer Settings > Allow OAuth Access Tokens to be used \
     as standalone Bearer tokens. If it is a pasted admin token, it has expired: paste a new one \
     or use admin credentials";

const ACL_HINT: &str = "Grant the integration or admin role access to the resource named in \
     the message (System > Extensions > Integrations, or System > Permissions > User Roles)";

/// A Magento 2 REST client for one instance. Cloning is cheap and clones share
/// the connection pool, the concurrency limit, the token cache, the directory
/// cache and the call counter.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    /// `<base_url>/rest` or `<base_url>/rest/<store_code>`.
    rest_base: String,
    slots: Semaphore,
    calls: AtomicU64,
    oauth: Option<OAuthSigner>,
    admin_token: TokenCache,
    directory: DirectoryCache,
}

/// One logical API call; retries resend it unchanged.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub method: Method,
    /// Path below the REST base, e.g. `/V1/customers/42`.
    pub path: String,
    /// Path pattern for logs and errors, e.g. `/V1/customers/:id`.
    pub route: &'static str,
    /// Unencoded query pairs.
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Whether sending the request twice is harmless. When it is not, a
    /// timeout or a gateway error after sending is not retried.
    pub idempotent: bool,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>, route: &'static str) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            path: path.into(),
            route,
            query: Vec::new(),
            body: None,
            idempotent,
        }
    }

    pub fn query(mut self, query: Vec<(String, String)>) -> Self {
        self.query = query;
        self
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn operation(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
}

/// A response that arrived, whatever its status.
struct RawResponse {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

impl Client {
    /// Builds a client. Fails with a configuration error when the base URL or
    /// store code is invalid.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let rest_base = rest_base(&config)?;

        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout)
            .build()
            .map_err(|error| {
                Error::new(
                    ErrorKind::Configuration,
                    "client setup",
                    "failed to build the HTTP client",
                )
                .with_source(error)
            })?;

        let oauth = match &config.credentials {
            Credentials::OAuth {
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
                signature_method,
            } => Some(OAuthSigner {
                consumer_key: consumer_key.clone(),
                consumer_secret: consumer_secret.clone(),
                access_token: access_token.clone(),
                access_token_secret: access_token_secret.clone(),
                method: *signature_method,
            }),
            _ => None,
        };

        let slots = Semaphore::new(config.max_concurrent_requests.max(1));

        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                rest_base,
                slots,
                calls: AtomicU64::new(0),
                oauth,
                admin_token: TokenCache::default(),
                directory: DirectoryCache::default(),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Returns the number of HTTP requests this client (and its clones) sent,
    /// retries and admin token requests included.
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    pub(crate) fn directory_cache(&self) -> &DirectoryCache {
        &self.inner.directory
    }

    /// Sends `request` with the retry policy and decodes the JSON response.
    pub(crate) async fn call<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        let operation = request.operation();

        self.inner
            .config
            .retry
            .run(&operation, |attempt| self.call_once(&request, attempt))
            .await
    }

    async fn call_once<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        attempt: u32,
    ) -> Result<T, Error> {
        let operation = request.operation();
        let url = self.url(&request.path, &request.query, &operation)?;

        let response = self.send_authorized(request, &url, attempt).await?;

        serde_json::from_str(&response.body).map_err(|error| {
            Error::new(
                ErrorKind::Decode,
                &operation,
                format!(
                    "invalid response body for {}: {error}",
                    std::any::type_name::<T>()
                ),
            )
        })
    }

    /// Sends the request with the instance's credentials. With admin
    /// credentials a 401 drops the cached token and the request is sent once
    /// more with a new one.
    async fn send_authorized(
        &self,
        request: &ApiRequest,
        url: &Url,
        attempt: u32,
    ) -> Result<RawResponse, Error> {
        let (header, admin_token) = self.authorization(request, url, attempt).await?;
        let first = self.send(request, url, Some(header), attempt).await;

        let error = match first {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };

        let retry_with_new_token = error.status() == Some(401) && admin_token.is_some();
        let error = match admin_token {
            Some(used) if retry_with_new_token => {
                tracing::info!(
                    instance = %self.inner.config.instance_id,
                    route = request.route,
                    "admin token rejected, fetching a new one"
                );
                self.inner.admin_token.invalidate(&used).await;

                let (header, _) = self.authorization(request, url, attempt).await?;
                match self.send(request, url, Some(header), attempt).await {
                    Ok(response) => return Ok(response),
                    Err(error) => error,
                }
            }
            _ => error,
        };

        Err(self.explain_refusal(error))
    }

    /// Turns a 401 ACL refusal into a configuration error that names the
    /// setting to change for the credentials in use.
    fn explain_refusal(&self, error: Error) -> Error {
        if !is_not_authorized(&error) {
            return error;
        }

        match &self.inner.config.credentials {
            Credentials::Bearer { .. } => error.into_configuration(BEARER_REFUSED_HINT),
            Credentials::OAuth { .. } | Credentials::Admin { .. } => {
                error.into_configuration(ACL_HINT)
            }
        }
    }

    /// Returns the `Authorization` value and, for admin credentials, the
    /// token it carries.
    async fn authorization(
        &self,
        request: &ApiRequest,
        url: &Url,
        attempt: u32,
    ) -> Result<(HeaderValue, Option<Arc<SecretString>>), Error> {
        let (text, admin_token) = match &self.inner.config.credentials {
            Credentials::OAuth { .. } => {
                let signer = self.inner.oauth.as_ref();
                let text = signer
                    .map(|signer| {
                        signer.authorization(request.method.as_str(), url, &request.query)
                    })
                    .unwrap_or_default();
                (text, None)
            }
            Credentials::Bearer { token } => (format!("Bearer {}", token.expose_secret()), None),
            Credentials::Admin { username, password } => {
                let token = self
                    .inner
                    .admin_token
                    .get_or_fetch(|| self.fetch_admin_token(username, password, attempt))
                    .await?;
                (format!("Bearer {}", token.expose_secret()), Some(token))
            }
        };

        let mut header = HeaderValue::from_str(&text).map_err(|_| {
            Error::new(
                ErrorKind::Configuration,
                &request.operation(),
                "the credentials contain characters that are not allowed in an HTTP header",
            )
        })?;
        header.set_sensitive(true);
        Ok((header, admin_token))
    }

    async fn fetch_admin_token(
        &self,
        username: &str,
        password: &SecretString,
        attempt: u32,
    ) -> Result<SecretString, Error> {
        let request = ApiRequest::new(Method::POST, ADMIN_TOKEN_ROUTE, ADMIN_TOKEN_ROUTE)
            .body(json!({"username": username, "password": password.expose_secret()}));
        let operation = request.operation();
        let url = self.url(&request.path, &[], &operation)?;

        let response = self.send(&request, &url, None, attempt).await?;

        let token: String = serde_json::from_str(&response.body).map_err(|_| {
            Error::new(
                ErrorKind::Decode,
                &operation,
                "the admin token response is not a JSON string",
            )
        })?;
        Ok(SecretString::from(token))
    }

    /// Sends one HTTP request under the concurrency limit, logs it, and turns
    /// a non-2xx status or a transport failure into an [`Error`].
    async fn send(
        &self,
        request: &ApiRequest,
        url: &Url,
        authorization: Option<HeaderValue>,
        attempt: u32,
    ) -> Result<RawResponse, Error> {
        let operation = request.operation();
        let instance = &self.inner.config.instance_id;

        let mut builder = self.inner.http.request(request.method.clone(), url.clone());
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }

        let _slot = self.inner.slots.acquire().await.map_err(|_| {
            Error::new(
                ErrorKind::Connection,
                &operation,
                "the client's request limiter is closed",
            )
        })?;
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();

        let outcome = match builder.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = parse_retry_after(response.headers());
                response.text().await.map(|body| RawResponse {
                    status,
                    retry_after,
                    body,
                })
            }
            Err(error) => Err(error),
        };
        let latency_ms = started.elapsed().as_millis() as u64;

        let response = match outcome {
            Ok(response) => response,
            Err(error) => {
                let error = error.without_url();
                tracing::warn!(
                    instance = %instance,
                    method = %request.method,
                    route = request.route,
                    latency_ms,
                    attempt,
                    error = %error,
                    "Magento call failed"
                );
                return Err(self.transport_error(request, &operation, error));
            }
        };

        tracing::info!(
            instance = %instance,
            method = %request.method,
            route = request.route,
            status = response.status,
            latency_ms,
            attempt,
            "Magento call"
        );

        if (200..300).contains(&response.status) {
            return Ok(response);
        }

        let error = Error::from_response(
            &operation,
            response.status,
            response.retry_after,
            &response.body,
        );
        // A 502 or 504 may come after Magento processed the request.
        let ambiguous = matches!(response.status, 502 | 504);
        if ambiguous && !request.idempotent {
            return Err(error.not_retryable());
        }
        Err(error)
    }

    fn transport_error(
        &self,
        request: &ApiRequest,
        operation: &str,
        error: reqwest::Error,
    ) -> Error {
        let timeout = self.inner.config.request_timeout;

        let classified = if error.is_timeout() {
            Error::new(
                ErrorKind::Timeout,
                operation,
                format!(
                    "no response within {} ms; raise the instance's request timeout if the store is slow",
                    timeout.as_millis()
                ),
            )
        } else if error.is_connect() {
            Error::new(
                ErrorKind::Connection,
                operation,
                format!(
                    "could not connect to {}; check the base URL and that the store is reachable",
                    self.inner.config.base_url
                ),
            )
        } else {
            Error::new(
                ErrorKind::Connection,
                operation,
                "the connection failed before a complete response arrived",
            )
        };

        // Only a request that never reached the server is safe to repeat
        // when repeating it could create a second record.
        let safe_to_repeat = request.idempotent || error.is_connect();
        let classified = classified.with_source(error);
        if safe_to_repeat {
            classified
        } else {
            classified.not_retryable()
        }
    }

    /// Builds the request URL with the query encoded exactly as OAuth signs it.
    fn url(&self, path: &str, query: &[(String, String)], operation: &str) -> Result<Url, Error> {
        let mut text = format!("{}{path}", self.inner.rest_base);
        if !query.is_empty() {
            text.push('?');
            text.push_str(&encode_query(query));
        }

        Url::parse(&text).map_err(|error| {
            Error::new(
                ErrorKind::Configuration,
                operation,
                format!("invalid request URL {text}: {error}"),
            )
        })
    }
}

/// Returns `<base_url>/rest[/<store_code>]` after checking the base URL.
fn rest_base(config: &ClientConfig) -> Result<String, Error> {
    let base = config.base_url.trim_end_matches('/');

    let parsed = Url::parse(base).map_err(|error| {
        Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!("invalid base URL {base:?}: {error}; expected e.g. https://shop.example.com"),
        )
    })?;
    let is_http = matches!(parsed.scheme(), "http" | "https");
    if !is_http || parsed.query().is_some() || base.ends_with("/rest") {
        return Err(Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!(
                "invalid base URL {base:?}: expected an http(s) URL without /rest and without a query, e.g. https://shop.example.com"
            ),
        ));
    }

    match config.store_code.as_deref() {
        None => Ok(format!("{base}/rest")),
        Some(code) if is_store_code(code) => Ok(format!("{base}/rest/{}", percent_encode(code))),
        Some(code) => Err(Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!(
                "invalid store code {code:?}: use the store view code (letters, digits, underscore), e.g. \"default\""
            ),
        )),
    }
}

/// Magento store codes start with a letter and contain letters, digits and
/// underscores.
fn is_store_code(code: &str) -> bool {
    let starts_with_letter = code.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_with_letter && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();

    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str, store_code: Option<&str>) -> ClientConfig {
        let mut config = ClientConfig::new(base_url, Credentials::Bearer { token: "t".into() });
        config.store_code = store_code.map(str::to_owned);
        config
    }

    #[test]
    fn rest_base_with_store_code() {
        let base = rest_base(&config("https://shop.example.com/", Some("default")));

        assert_eq!(
            base.ok().as_deref(),
            Some("https://shop.example.com/rest/default")
        );
    }

    #[test]
    fn rest_base_without_store_code() {
        let base = rest_base(&config("http://127.0.0.1:8080", None));

        assert_eq!(base.ok().as_deref(), Some("http://127.0.0.1:8080/rest"));
    }

    #[test]
    fn rest_base_rejects_rest_suffix() {
        let error = rest_base(&config("https://shop.example.com/rest", None)).err();

        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Configuration));
    }

    #[test]
    fn rest_base_rejects_bad_store_code() {
        let error = rest_base(&config("https://shop.example.com", Some("../x"))).err();

        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Configuration));
    }

    #[test]
    fn retry_after_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));

        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(2)));
    }

    #[test]
    fn retry_after_past_date_is_zero() {
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );

        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
    }
}
