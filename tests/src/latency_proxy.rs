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
}

/// A running proxy; it stops when dropped.
pub struct LatencyProxy {
    pub url: String,
    requests: Arc<AtomicU64>,
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
        let state = Upstream {
            base_url: upstream.trim_end_matches('/').to_owned(),
            delay,
            client: reqwest::Client::new(),
            requests: requests.clone(),
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
            server,
        })
    }

    /// Returns how many requests went through since the proxy started.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
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

    match send_upstream(&upstream.client, &upstream.base_url, request).await {
        Ok(response) => response,
        Err(error) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(format!(
                "latency proxy: upstream request failed: {error:#}"
            )))
            .unwrap_or_default(),
    }
}
