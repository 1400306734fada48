//! Idempotency records: a retried request with the same key and body gets the
//! stored response instead of running twice.
//!
//! [`Store::begin_idempotent`] claims the key with a conditional put. The
//! caller then runs the request and stores its response with
//! [`Store::complete_idempotent`], or removes the claim with
//! [`Store::abandon_idempotent`] when it failed in a way worth retrying. A
//! claim whose lock expired (the Lambda died mid-request) can be taken over by
//! a retry with the same body.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::is_condition_failed;
use super::keys::{self, IDEMPOTENCY_SK, ItemKeys};
use super::{Store, StoreError, from_item, now_millis, number, string, to_item};

const ENTITY: &str = "idempotency record";
const BEGIN_ATTEMPTS: u32 = 3;

/// The response to replay for a repeated request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status_code: u16,
    pub body: String,
}

/// Result of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// The key is new (or its earlier claim expired): run the request.
    Started,
    /// The same request already completed: return this response.
    Replay(StoredResponse),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RecordStatus {
    InProgress,
    Completed,
}

#[derive(Serialize, Deserialize)]
struct IdempotencyItem {
    #[serde(flatten)]
    keys: ItemKeys,
    key: String,
    request_hash: String,
    status: RecordStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
    /// Epoch milliseconds after which an in-progress claim may be taken over.
    locked_until_ms: i64,
    /// TTL in epoch seconds; DynamoDB deletes the record some time after it.
    expires_at: i64,
}

/// Returns the hex SHA-256 of a request body, to compare repeated requests.
pub fn hash_request(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Store {
    /// Claims `key` for a request whose body hashes to `request_hash`.
    ///
    /// The record lives for `ttl`; an in-progress claim blocks duplicates for
    /// `lock`. Fails with [`StoreError::IdempotencyConflict`] when the key was
    /// used with another body, and with [`StoreError::IdempotencyInProgress`]
    /// while another call has claimed the key (respond 409).
    #[tracing::instrument(skip(self))]
    pub async fn begin_idempotent(
        &self,
        key: &str,
        request_hash: &str,
        ttl: Duration,
        lock: Duration,
    ) -> Result<IdempotencyStart, StoreError> {
        for _ in 0..BEGIN_ATTEMPTS {
            let now_ms = now_millis();
            let item = IdempotencyItem {
                keys: ItemKeys::new(keys::idempotency_pk(key), IDEMPOTENCY_SK),
                key: key.to_string(),
                request_hash: request_hash.to_string(),
                status: RecordStatus::InProgress,
                response: None,
                locked_until_ms: now_ms.saturating_add(duration_millis(lock)),
                expires_at: (now_ms.saturating_add(duration_millis(ttl))) / 1000,
            };

            // TTL deletion can lag by days, so an expired record is treated as absent.
            let put = self
                .client()
                .put_item()
                .table_name(self.table_name())
                .set_item(Some(to_item(ENTITY, &item)?))
                .condition_expression(
                    "attribute_not_exists(PK) OR expires_at < :now_s \
                     OR (#status = :in_progress AND locked_until_ms < :now_ms AND request_hash = :hash)",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":now_s", number(now_ms / 1000))
                .expression_attribute_values(":now_ms", number(now_ms))
                .expression_attribute_values(":in_progress", string("in_progress"))
                .expression_attribute_values(":hash", string(request_hash))
                .send()
                .await;

            match put {
                Ok(_) => return Ok(IdempotencyStart::Started),
                Err(error) if is_condition_failed(&error) => {}
                Err(error) => return Err(StoreError::dynamo("PutItem", error)),
            }

            let Some(existing) = self.get_idempotency_item(key).await? else {
                continue;
            };
            if existing.request_hash != request_hash {
                return Err(StoreError::IdempotencyConflict {
                    key: key.to_string(),
                });
            }
            match (existing.status, existing.response) {
                (RecordStatus::Completed, Some(response)) => {
                    return Ok(IdempotencyStart::Replay(response));
                }
                _ => {
                    return Err(StoreError::IdempotencyInProgress {
                        key: key.to_string(),
                    });
                }
            }
        }

        Err(StoreError::IdempotencyInProgress {
            key: key.to_string(),
        })
    }

    /// Stores the response of a claimed request so that repeats replay it.
    #[tracing::instrument(skip(self, response))]
    pub async fn complete_idempotent(
        &self,
        key: &str,
        request_hash: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let value =
            serde_dynamo::to_attribute_value(response).map_err(|source| StoreError::Mapping {
                entity: ENTITY,
                source,
            })?;

        let update = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::idempotency_pk(key), IDEMPOTENCY_SK)))
            .update_expression("SET #status = :completed, #response = :response")
            .condition_expression("request_hash = :hash AND #status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":completed", string("completed"))
            .expression_attribute_values(":in_progress", string("in_progress"))
            .expression_attribute_values(":hash", string(request_hash))
            .expression_attribute_values(":response", value)
            .send()
            .await;

        match update {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => {
                Err(StoreError::not_found("in-progress idempotency record", key))
            }
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }

    /// Removes an in-progress claim so that a retry runs the request again.
    /// Does nothing when the record is completed or belongs to another body.
    #[tracing::instrument(skip(self))]
    pub async fn abandon_idempotent(
        &self,
        key: &str,
        request_hash: &str,
    ) -> Result<(), StoreError> {
        let deleted = self
            .client()
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::idempotency_pk(key), IDEMPOTENCY_SK)))
            .condition_expression("request_hash = :hash AND #status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":hash", string(request_hash))
            .expression_attribute_values(":in_progress", string("in_progress"))
            .send()
            .await;

        match deleted {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => Ok(()),
            Err(error) => Err(StoreError::dynamo("DeleteItem", error)),
        }
    }

    async fn get_idempotency_item(&self, key: &str) -> Result<Option<IdempotencyItem>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::idempotency_pk(key), IDEMPOTENCY_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        output.item.map(|item| from_item(ENTITY, item)).transpose()
    }
}

fn duration_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_request_is_sha256_hex() {
        assert_eq!(
            hash_request(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
