//! A proxy in front of `cargo lambda watch` that runs asynchronous invocations
//! (`X-Amz-Invocation-Type: Event`) in the background, as Lambda does.
//!
//! cargo-lambda 1.9.2 ignores that header: its Invoke API answers only when the
//! function returns. The sync function continues a bulk pull by invoking itself with
//! `InvocationType::Event`, so under plain watch each slice would wait for the next
//! one, and with every instance of the function busy waiting, none would run. Lambda
//! answers such an invocation at once with 202 and an empty body and queues the event.
//! This proxy does the same and forwards the event to watch in a background task.
//! Every other request goes through unchanged.
//!
//! NOTE: Lambda retries a failed asynchronous invocation twice; this proxy logs the
//! failure and does not retry.

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::forward::send_upstream;

/// The Invoke API header that selects synchronous or asynchronous invocation.
const INVOCATION_TYPE: &str = "x-amz-invocation-type";

#[derive(Clone)]
struct Upstream {
    base_url: String,
    client: reqwest::Client,
}

/// A running proxy; it stops when dropped.
pub struct InvokeProxy {
    pub url: String,
    server: tokio::task::JoinHandle<()>,
}

impl InvokeProxy {
    /// Starts the proxy on a free 127.0.0.1 port in front of the watch server at
    /// `upstream`, which need not be listening yet.
    pub async fn start(upstream: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("failed to bind the invoke proxy to 127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);

        let state = Upstream {
            base_url: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "invoke proxy stopped");
            }
        });

        Ok(Self { url, server })
    }
}

impl Drop for InvokeProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(upstream): State<Upstream>, mut request: Request) -> Response {
    let asynchronous = request
        .headers()
        .get(INVOCATION_TYPE)
        .is_some_and(|value| value == HeaderValue::from_static("Event"));

    if !asynchronous {
        return match send_upstream(&upstream.client, &upstream.base_url, request).await {
            Ok(response) => response,
            Err(error) => bad_gateway(&error),
        };
    }

    request.headers_mut().remove(INVOCATION_TYPE);
    let path = request.uri().path().to_owned();
    tokio::spawn(async move {
        match send_upstream(&upstream.client, &upstream.base_url, request).await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                tracing::error!(%path, status = %response.status(), "asynchronous invocation failed");
            }
            Err(error) => {
                tracing::error!(%path, error = format!("{error:#}"), "asynchronous invocation was not delivered");
            }
        }
    });

    Response::builder()
        .status(StatusCode::ACCEPTED)
        .body(Body::empty())
        .unwrap_or_default()
}

fn bad_gateway(error: &anyhow::Error) -> Response {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .body(Body::from(format!(
            "invoke proxy: upstream request failed: {error:#}"
        )))
        .unwrap_or_default()
}
