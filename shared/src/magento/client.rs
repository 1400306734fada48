//! The HTTP layer: URL building, authentication, retries, concurrency limit,
//! call logging and error classification for every Magento request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use url::Url;

use super::auth::TokenCache;
use super::config::{ClientConfig, Credentials};
use super::directory::DirectoryCache;
use super::endpoint::{request_url, rest_base};
use super::error::{Error, ErrorKind, is_not_authorized};
use super::oauth::OAuthSigner;
use super::transport::RawResponse;

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
    pub(super) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) config: ClientConfig,
    pub(super) http: reqwest::Client,
    /// `<base_url>/rest` or `<base_url>/rest/<store_code>`.
    pub(super) rest_base: String,
    pub(super) slots: Semaphore,
    pub(super) calls: AtomicU64,
    pub(super) admin_token: TokenCache,
    pub(super) directory: DirectoryCache,
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

    pub(crate) fn operation(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
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

        let slots = Semaphore::new(config.max_concurrent_requests.max(1));

        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                rest_base,
                slots,
                calls: AtomicU64::new(0),
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
            Credentials::OAuth {
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
                signature_method,
            } => {
                let signer = OAuthSigner {
                    consumer_key,
                    consumer_secret,
                    access_token,
                    access_token_secret,
                    method: *signature_method,
                };
                let text = signer.authorization(request.method.as_str(), url, &request.query);
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

    fn url(&self, path: &str, query: &[(String, String)], operation: &str) -> Result<Url, Error> {
        request_url(&self.inner.rest_base, path, query, operation)
    }
}
