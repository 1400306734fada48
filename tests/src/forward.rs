//! Forwarding of one buffered HTTP request to an upstream server, for the proxies.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;

/// Sends `request` to the same path and query under `base_url` and returns the
/// upstream response. Every header except `Host` is passed on.
pub async fn send_upstream(
    client: &reqwest::Client,
    base_url: &str,
    request: Request,
) -> anyhow::Result<Response> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let body = axum::body::to_bytes(body, usize::MAX).await?;

    let mut outgoing = client
        .request(parts.method, format!("{base_url}{path}"))
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
