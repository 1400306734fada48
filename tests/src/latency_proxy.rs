//! An HTTP proxy that delays every request by a fixed time and counts them.
//!
//! The benchmark puts it in front of moto so that DynamoDB calls cost what they cost
//! over a network. The bench reads the counts to report DynamoDB calls per customer
//! and, per DynamoDB operation, the upstream's response time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

/// Header that names the DynamoDB operation, e.g. `DynamoDB_20120810.BatchWriteItem`.
const AMZ_TARGET: &str = "x-amz-target";

/// Requests of one operation and the upstream's time for them, added delay excluded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationStats {
    pub requests: u64,
    pub upstream_time: Duration,
}

#[derive(Debug, Default)]
struct Counters {
    requests: u64,
    server_errors: u64,
    /// Keyed by the operation in `x-amz-target`, or by method and path without it.
    operations: BTreeMap<String, OperationStats>,
}

#[derive(Clone)]
struct Upstream {
    base_url: String,
    delay: Duration,
    client: reqwest::Client,
    counters: Arc<Mutex<Counters>>,
}

impl Upstream {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running proxy; it stops when dropped.
pub struct LatencyProxy {
    pub url: String,
    counters: Arc<Mutex<Counters>>,
    server: tokio::task::JoinHandle<()>,
}

impl LatencyProxy {
    /// Starts a proxy on a free 127.0.0.1 port that forwards to `upstream` after `delay`.
    pub async fn start(upstream: &str, delay: Duration) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("failed to bind the latency proxy to 127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);

        let counters = Arc::new(Mutex::new(Counters::default()));
        let state = Upstream {
            base_url: upstream.trim_end_matches('/').to_owned(),
            delay,
            client: reqwest::Client::new(),
            counters: counters.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "latency proxy stopped");
            }
        });

        Ok(Self {
            url,
            counters,
            server,
        })
    }

    /// Returns how many requests went through since the proxy started.
    pub fn requests(&self) -> u64 {
        self.counters().requests
    }

    /// Returns how many of those requests got a 5xx response, from the upstream
    /// or from the proxy itself when the upstream could not be reached.
    pub fn server_errors(&self) -> u64 {
        self.counters().server_errors
    }

    /// Returns the requests and upstream time per operation since the proxy started.
    pub fn operations(&self) -> BTreeMap<String, OperationStats> {
        self.counters().operations.clone()
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(upstream): State<Upstream>, request: Request) -> Response {
    let operation = operation_name(&request);
    upstream.counters().requests += 1;
    tokio::time::sleep(upstream.delay).await;

    let started = Instant::now();
    let response = match send_upstream(&upstream, request).await {
        Ok(response) => response,
        Err(error) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(format!(
                "latency proxy: upstream request failed: {error:#}"
            )))
            .unwrap_or_default(),
    };
    let upstream_time = started.elapsed();

    let mut counters = upstream.counters();
    if response.status().is_server_error() {
        counters.server_errors += 1;
    }
    let stats = counters.operations.entry(operation).or_default();
    stats.requests += 1;
    stats.upstream_time += upstream_time;
    drop(counters);

    response
}

/// Names the operation: the part after the last `.` of `x-amz-target`, else the
/// method and path.
fn operation_name(request: &Request) -> String {
    let target = request
        .headers()
        .get(AMZ_TARGET)
        .and_then(|value| value.to_str().ok());

    match target {
        Some(target) => target.rsplit('.').next().unwrap_or(target).to_owned(),
        None => format!("{} {}", request.method(), request.uri().path()),
    }
}

async fn send_upstream(upstream: &Upstream, request: Request) -> anyhow::Result<Response> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let body = axum::body::to_bytes(body, usize::MAX).await?;

    let mut outgoing = upstream
        .client
        .request(parts.method, format!("{}{path}", upstream.base_url))
        .body(body);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST {
            outgoing = outgoing.header(name, value);
        }
    }

    let reply = outgoing.send().await?;
    let mut response = Response::builder().status(reply.status());
    for (name, value) in reply.headers() {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from(reply.bytes().await?))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// Starts an upstream that responds to `/ok` with 200 and to `/fail` with 500.
    async fn upstream() -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = axum::Router::new()
            .route("/ok", get(|| async { "fine" }))
            .route(
                "/fail",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "<html>busy</html>") }),
            );
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok((url, server))
    }

    #[tokio::test]
    async fn proxy_counts_requests_and_errors() -> anyhow::Result<()> {
        let (upstream_url, upstream_server) = upstream().await?;
        let proxy = LatencyProxy::start(&upstream_url, Duration::from_millis(20)).await?;
        let client = reqwest::Client::new();

        let started = std::time::Instant::now();
        let ok = client.get(format!("{}/ok", proxy.url)).send().await?;
        let elapsed = started.elapsed();
        let failed = client.get(format!("{}/fail", proxy.url)).send().await?;

        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.text().await?, "fine");
        assert!(elapsed >= Duration::from_millis(20), "{elapsed:?}");
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(proxy.requests(), 2);
        assert_eq!(proxy.server_errors(), 1);
        let operations = proxy.operations();
        assert_eq!(operations.get("GET /ok").map(|s| s.requests), Some(1));
        assert_eq!(operations.get("GET /fail").map(|s| s.requests), Some(1));
        upstream_server.abort();
        Ok(())
    }

    #[tokio::test]
    async fn proxy_names_dynamodb_operations() -> anyhow::Result<()> {
        let (upstream_url, upstream_server) = upstream().await?;
        let proxy = LatencyProxy::start(&upstream_url, Duration::ZERO).await?;

        reqwest::Client::new()
            .get(format!("{}/ok", proxy.url))
            .header(AMZ_TARGET, "DynamoDB_20120810.TransactWriteItems")
            .send()
            .await?;

        let operations = proxy.operations();
        assert_eq!(
            operations.keys().collect::<Vec<_>>(),
            vec!["TransactWriteItems"]
        );
        upstream_server.abort();
        Ok(())
    }

    #[tokio::test]
    async fn proxy_unreachable_upstream_is_502() -> anyhow::Result<()> {
        let port = crate::service::free_port()?;
        let proxy =
            LatencyProxy::start(&format!("http://127.0.0.1:{port}"), Duration::ZERO).await?;

        let response = reqwest::get(format!("{}/anything", proxy.url)).await?;

        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(proxy.server_errors(), 1);
        Ok(())
    }
}
