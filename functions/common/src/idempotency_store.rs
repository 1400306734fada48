//! Idempotency records in the DynamoDB table, through the store's conditional writes.

use std::time::Duration;

use async_trait::async_trait;
use shared::store::{IdempotencyStart, Store, StoreError, StoredResponse as StoreResponse};

use crate::error::ApiError;
use crate::idempotency::{Claim, IdempotencyRecords, StoredResponse};

/// How long a completed response is replayed for a repeated key.
pub const RECORD_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a claim blocks duplicates before a retry may take it over. It exceeds the
/// 29 second timeout of the HTTP functions, so a live request is never taken over.
pub const CLAIM_LOCK: Duration = Duration::from_secs(60);

/// Keys are scoped by instance, so two instances never share a record.
fn scoped_key(scope: &str, key: &str) -> String {
    format!("{scope}/{key}")
}

#[async_trait]
impl IdempotencyRecords for Store {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str) -> Result<Claim, ApiError> {
        let started = self
            .begin_idempotent(&scoped_key(scope, key), fingerprint, RECORD_TTL, CLAIM_LOCK)
            .await;

        match started {
            Ok(IdempotencyStart::Started) => Ok(Claim::Claimed),
            Ok(IdempotencyStart::Replay(stored)) => Ok(Claim::Completed(StoredResponse {
                status: stored.status_code,
                body: stored.body,
            })),
            Err(StoreError::IdempotencyConflict { .. }) => Ok(Claim::Mismatch),
            Err(StoreError::IdempotencyInProgress { .. }) => Ok(Claim::InProgress),
            Err(error) => Err(ApiError::from(error)),
        }
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<(), ApiError> {
        let stored = StoreResponse {
            status_code: response.status,
            body: response.body.clone(),
        };
        self.complete_idempotent(&scoped_key(scope, key), fingerprint, &stored)
            .await
            .map_err(ApiError::from)
    }

    async fn release(&self, scope: &str, key: &str, fingerprint: &str) -> Result<(), ApiError> {
        self.abandon_idempotent(&scoped_key(scope, key), fingerprint)
            .await
            .map_err(ApiError::from)
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::testing::aws_sandbox;

    #[tokio::test]
    async fn store_claims_replays_and_conflicts() {
        let sandbox = aws_sandbox().await.expect("moto starts");
        let store = &sandbox.store;
        let stored = StoredResponse {
            status: 201,
            body: r#"{"magento_id":5}"#.to_owned(),
        };

        let first = store.claim("shop-1", "k1", "hash-a").await.expect("claim");
        let running = store.claim("shop-1", "k1", "hash-a").await.expect("claim");
        store
            .complete("shop-1", "k1", "hash-a", &stored)
            .await
            .expect("complete");
        let replay = store.claim("shop-1", "k1", "hash-a").await.expect("claim");
        let mismatch = store.claim("shop-1", "k1", "hash-b").await.expect("claim");
        let other_scope = store.claim("shop-2", "k1", "hash-b").await.expect("claim");

        assert_eq!(first, Claim::Claimed);
        assert_eq!(running, Claim::InProgress);
        assert_eq!(replay, Claim::Completed(stored));
        assert_eq!(mismatch, Claim::Mismatch);
        assert_eq!(other_scope, Claim::Claimed);
    }

    #[tokio::test]
    async fn store_release_frees_key() {
        let sandbox = aws_sandbox().await.expect("moto starts");
        let store = &sandbox.store;

        store.claim("shop-1", "k1", "hash-a").await.expect("claim");
        store
            .release("shop-1", "k1", "hash-a")
            .await
            .expect("release");
        let again = store.claim("shop-1", "k1", "hash-a").await.expect("claim");

        assert_eq!(again, Claim::Claimed);
    }
}
