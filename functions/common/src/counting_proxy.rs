//! A test proxy in front of moto that records the DynamoDB requests passing through it.
//!
//! It gives tests a count of DynamoDB requests that does not depend on the function's
//! own instrumentation. The proxy forwards every request unchanged (Secrets Manager's
//! too) and records the operation of each one whose `X-Amz-Target` names DynamoDB.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::task::JoinHandle;

/// The `X-Amz-Target` prefix of DynamoDB's JSON protocol, e.g.
/// `DynamoDB_20120810.GetItem`.
const DYNAMODB_TARGET_PREFIX: &str = "DynamoDB_";

/// A running proxy on 127.0.0.1, stopped on drop.
pub struct CountingProxy {
    endpoint_url: String,
    state: Arc<ProxyState>,
    task: JoinHandle<()>,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    operations: Mutex<Vec<String>>,
}

impl CountingProxy {
    /// Starts the proxy on a free 127.0.0.1 port, forwarding to `upstream` (moto's
    /// endpoint URL).
    pub async fn start(upstream: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("failed to bind the counting proxy to 127.0.0.1")?;
        let address = listener.local_addr()?;
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            operations: Mutex::new(Vec::new()),
        });

        let router = Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::warn!(%error, "counting proxy stopped");
            }
        });

        Ok(Self {
            endpoint_url: format!("http://{address}"),
            state,
            task,
        })
    }

    /// Returns the URL to give the SDK clients as their endpoint.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }

    /// Returns the operations of the DynamoDB requests forwarded so far, in arrival
    /// order, e.g. `["GetItem", "PutItem"]`.
    pub fn dynamodb_operations(&self) -> Vec<String> {
        self.state
            .operations
            .lock()
            .map(|operations| operations.clone())
            .unwrap_or_default()
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok());
    if let Some(operation) = target
        .and_then(|target| target.strip_prefix(DYNAMODB_TARGET_PREFIX))
        .and_then(|rest| rest.split_once('.'))
        .map(|(_, operation)| operation.to_owned())
        && let Ok(mut operations) = state.operations.lock()
    {
        operations.push(operation);
    }

    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let mut request = state
        .http
        .request(method, format!("{}{path}", state.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }

    let upstream = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("counting proxy failed to reach moto: {error}"),
            )
                .into_response();
        }
    };

    let status = upstream.status();
    let mut response_headers = HeaderMap::new();
    for (name, value) in upstream.headers() {
        if name != header::CONTENT_LENGTH
            && name != header::TRANSFER_ENCODING
            && name != header::CONNECTION
        {
            response_headers.append(name, value.clone());
        }
    }
    match upstream.bytes().await {
        Ok(bytes) => (status, response_headers, bytes).into_response(),
        Err(error) => (
            StatusCode::BAD_GATEWAY,
            format!("counting proxy failed to read moto's response: {error}"),
        )
            .into_response(),
    }
}
