//! An HTTP proxy that delays every request by a fixed time and counts them.
//!
//! The benchmark puts it in front of moto so that DynamoDB calls cost what they cost
//! over a network, and reads the count to report DynamoDB calls per customer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::forward::send_upstream;

#[derive(Clone)]
struct Upstream {
    base_url: String,
    delay: Duration,
    client: reqwest::Client,
    requests: Arc<AtomicU64>,
    server_errors: Arc<AtomicU64>,
}

/// A running proxy; it stops when dropped.
pub struct LatencyProxy {
    pub url: String,
    requests: Arc<AtomicU64>,
    server_errors: Arc<AtomicU64>,
    server: tokio::task::JoinHandle<()>,
}

impl LatencyProxy {
    /// Starts a proxy on a free 127.0.0.1 port that forwards to `upstream` after `delay`.
    pub async fn start(upstream: &str, delay: Duration) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("failed to bind the latency proxy to 127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);

        let requests = Arc::new(AtomicU64::new(0));
        let server_errors = Arc::new(AtomicU64::new(0));
        let state = Upstream {
            base_url: upstream.trim_end_matches('/').to_owned(),
            delay,
            client: reqwest::Client::new(),
            requests: requests.clone(),
            server_errors: server_errors.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "latency proxy stopped");
            }
        });

        Ok(Self {
            url,
            requests,
            server_errors,
            server,
        })
    }

    /// Returns how many requests went through since the proxy started.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Returns how many of those requests got a 5xx response, from the upstream
    /// or from the proxy itself when the upstream could not be reached.
    pub fn server_errors(&self) -> u64 {
        self.server_errors.load(Ordering::Relaxed)
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(upstream): State<Upstream>, request: Request) -> Response {
    upstream.requests.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(upstream.delay).await;

    let response = match send_upstream(&upstream.client, &upstream.base_url, request).await {
        Ok(response) => response,
        Err(error) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(format!(
                "latency proxy: upstream request failed: {error:#}"
            )))
            .unwrap_or_default(),
    };

    if response.status().is_server_error() {
        upstream.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// Starts an upstream that answers `/ok` with 200 and `/fail` with 500.
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
