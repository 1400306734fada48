//! One HTTP exchange: the concurrency slot, the call counter, the call log
//! line and the translation of statuses and transport failures into [`Error`].

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use url::Url;

use super::client::{ApiRequest, Client};
use super::error::{Error, ErrorKind};

/// A response that arrived, whatever its status.
pub(crate) struct RawResponse {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: String,
}

impl Client {
    /// Sends one HTTP request under the concurrency limit, logs it, and turns
    /// a non-2xx status or a transport failure into an [`Error`].
    pub(crate) async fn send(
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
