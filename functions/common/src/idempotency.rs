//! `Idempotency-Key` handling for requests that must not run twice.
//!
//! The first request with a key claims it together with a fingerprint of its body, runs,
//! and stores its response. A later request with the same key and the same body gets that
//! stored response, and the handler does not run again. A request with the same key and
//! another body gets a 409, and so does a duplicate that arrives while the first one
//! is still running. Responses with a 5xx status are not stored: the key is released so that
//! the client can retry after a transient failure.

use async_trait::async_trait;
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::params::header;

/// The request header carrying the client's key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// The response header set when a stored response is returned again.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// The maximum length of a key; a UUID needs 36 characters.
pub const MAX_KEY_LENGTH: usize = 255;

/// A stored response: status and JSON body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// The state of a key when a request tries to claim it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free and now belongs to this request.
    Claimed,
    /// The key finished earlier with the same body; this is its response.
    Completed(StoredResponse),
    /// The key was used with another body.
    Mismatch,
    /// The first request with this key has not finished.
    InProgress,
}

/// Storage for idempotency records, keyed by scope (e.g. the instance id) and key.
///
/// Implemented for the DynamoDB [`shared::store::Store`] and, for tests, by
/// [`MemoryIdempotency`].
#[async_trait]
pub trait IdempotencyRecords: Send + Sync {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str) -> Result<Claim, ApiError>;

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<(), ApiError>;

    async fn release(&self, scope: &str, key: &str, fingerprint: &str) -> Result<(), ApiError>;
}

/// Reads and checks the `Idempotency-Key` header; `None` when the client sent none.
pub fn idempotency_key(request: &Request) -> Result<Option<String>, ApiError> {
    let Some(key) = header(request, IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };

    let valid = key.len() <= MAX_KEY_LENGTH && key.bytes().all(|byte| byte.is_ascii_graphic());
    if !valid {
        return Err(ApiError::invalid_field(
            IDEMPOTENCY_KEY_HEADER,
            format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID"
            ),
        ));
    }
    Ok(Some(key))
}

/// Returns the SHA-256 hex digest of the body. A JSON body is hashed in canonical form
/// (keys sorted, no whitespace), so reformatting the same document keeps the fingerprint.
pub fn fingerprint(body: &[u8]) -> String {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|value| value.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());

    let digest = Sha256::digest(&canonical);
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Runs `handler` at most once per key and body.
///
/// Without a key the handler simply runs. Errors of the record store itself are
/// returned as errors, because running without the guarantee could create a second customer.
pub async fn run_idempotent<F, Fut>(
    records: &dyn IdempotencyRecords,
    scope: &str,
    key: Option<&str>,
    body: &[u8],
    handler: F,
) -> Result<Response<Body>, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let Some(key) = key else {
        return handler().await;
    };
    let fingerprint = fingerprint(body);

    match records.claim(scope, key, &fingerprint).await? {
        Claim::Claimed => {}
        Claim::Completed(stored) => {
            tracing::info!(
                idempotency_key = key,
                status = stored.status,
                "returning the stored response"
            );
            return Ok(replay(stored));
        }
        Claim::Mismatch => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                format!("Idempotency-Key {key} was already used with a different body; send a new key for a new request"),
            )
            .with_field(IDEMPOTENCY_KEY_HEADER));
        }
        Claim::InProgress => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                format!("the first request with Idempotency-Key {key} is still running; retry in a few seconds"),
            )
            .with_field(IDEMPOTENCY_KEY_HEADER));
        }
    }

    let response = match handler().await {
        Ok(response) => response,
        Err(error) => error.to_response(),
    };

    let status = response.status().as_u16();
    if status >= 500 {
        records.release(scope, key, &fingerprint).await?;
        return Ok(response);
    }

    let stored = StoredResponse {
        status,
        body: String::from_utf8_lossy(response.body().as_ref()).into_owned(),
    };
    records.complete(scope, key, &fingerprint, &stored).await?;
    Ok(response)
}

fn replay(stored: StoredResponse) -> Response<Body> {
    let mut response = Response::new(Body::Text(stored.body));
    *response.status_mut() =
        http::StatusCode::from_u16(stored.status).unwrap_or(http::StatusCode::OK);

    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED_HEADER, http::HeaderValue::from_static("true"));
    response
}

/// Keeps idempotency records in memory; for tests and local runs without DynamoDB.
#[derive(Debug, Default)]
pub struct MemoryIdempotency {
    records: std::sync::Mutex<MemoryRecords>,
}

/// Records by (scope, key).
type MemoryRecords = std::collections::HashMap<(String, String), MemoryRecord>;

#[derive(Debug, Clone)]
struct MemoryRecord {
    fingerprint: String,
    response: Option<StoredResponse>,
}

#[async_trait]
impl IdempotencyRecords for MemoryIdempotency {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str) -> Result<Claim, ApiError> {
        let mut records = self.lock()?;
        let entry = (scope.to_owned(), key.to_owned());

        let Some(record) = records.get(&entry) else {
            records.insert(
                entry,
                MemoryRecord {
                    fingerprint: fingerprint.to_owned(),
                    response: None,
                },
            );
            return Ok(Claim::Claimed);
        };

        Ok(
            match (&record.response, record.fingerprint == fingerprint) {
                (_, false) => Claim::Mismatch,
                (None, true) => Claim::InProgress,
                (Some(stored), true) => Claim::Completed(stored.clone()),
            },
        )
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<(), ApiError> {
        self.lock()?.insert(
            (scope.to_owned(), key.to_owned()),
            MemoryRecord {
                fingerprint: fingerprint.to_owned(),
                response: Some(response.clone()),
            },
        );
        Ok(())
    }

    async fn release(&self, scope: &str, key: &str, _fingerprint: &str) -> Result<(), ApiError> {
        self.lock()?.remove(&(scope.to_owned(), key.to_owned()));
        Ok(())
    }
}

impl MemoryIdempotency {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, MemoryRecords>, ApiError> {
        self.records.lock().map_err(|_| {
            ApiError::new(
                ErrorCode::Internal,
                "idempotency records are unavailable after a panic",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::json_response;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn create(
        records: &MemoryIdempotency,
        calls: &AtomicU32,
        key: &str,
        body: &str,
    ) -> Result<Response<Body>, ApiError> {
        run_idempotent(records, "shop-1", Some(key), body.as_bytes(), || async {
            let id = calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(json_response(
                http::StatusCode::CREATED,
                &serde_json::json!({ "id": id }),
            ))
        })
        .await
    }

    #[tokio::test]
    async fn same_key_same_body_replays() {
        let records = MemoryIdempotency::default();
        let calls = AtomicU32::new(0);

        let first = create(&records, &calls, "k1", r#"{"a": 1, "b": 2}"#)
            .await
            .expect("first");
        let second = create(&records, &calls, "k1", r#"{"b":2,"a":1}"#)
            .await
            .expect("second");

        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(second.status(), first.status());
        assert_eq!(second.body().as_ref(), first.body().as_ref());
        assert_eq!(second.headers()[REPLAYED_HEADER], "true");
    }

    #[tokio::test]
    async fn same_key_other_body_conflicts() {
        let records = MemoryIdempotency::default();
        let calls = AtomicU32::new(0);
        create(&records, &calls, "k1", r#"{"a": 1}"#)
            .await
            .expect("first");

        let error = create(&records, &calls, "k1", r#"{"a": 2}"#)
            .await
            .expect_err("reused");

        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(error.status().as_u16(), 409);
        assert_eq!(error.code, ErrorCode::IdempotencyKeyReused);
    }

    #[tokio::test]
    async fn in_progress_key_conflicts() {
        let records = MemoryIdempotency::default();
        records
            .claim("shop-1", "k1", &fingerprint(b"{}"))
            .await
            .expect("claim");

        let calls = AtomicU32::new(0);
        let error = create(&records, &calls, "k1", "{}")
            .await
            .expect_err("running");

        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(
            error.message,
            "the first request with Idempotency-Key k1 is still running; retry in a few seconds"
        );
    }

    #[tokio::test]
    async fn server_error_releases_key() {
        let records = MemoryIdempotency::default();

        let failed = run_idempotent(&records, "shop-1", Some("k1"), b"{}", || async {
            Err(ApiError::new(
                ErrorCode::UpstreamUnavailable,
                "Magento is unavailable",
            ))
        })
        .await
        .expect("answered");
        let calls = AtomicU32::new(0);
        let retried = create(&records, &calls, "k1", "{}").await.expect("retry");

        assert_eq!(failed.status().as_u16(), 503);
        assert_eq!(retried.status().as_u16(), 201);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn no_key_always_runs() {
        let records = MemoryIdempotency::default();
        let calls = AtomicU32::new(0);

        for _ in 0..2 {
            run_idempotent(&records, "shop-1", None, b"{}", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(json_response(
                    http::StatusCode::CREATED,
                    &serde_json::json!({}),
                ))
            })
            .await
            .expect("runs");
        }

        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn key_with_spaces_rejected() {
        let mut request = Request::new(Body::Empty);
        request.headers_mut().insert(
            IDEMPOTENCY_KEY_HEADER,
            http::HeaderValue::from_static("two words"),
        );

        let error = idempotency_key(&request).expect_err("invalid");

        assert_eq!(error.field.as_deref(), Some(IDEMPOTENCY_KEY_HEADER));
        assert_eq!(error.status().as_u16(), 400);
    }
}
