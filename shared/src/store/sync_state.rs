//! Per-instance sync state: how far the scheduled pull has read Magento, and
//! when it ran and is due next.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::is_condition_failed;
use super::keys::{self, ItemKeys, SYNC_STATE_SK};
use super::{Store, StoreError, from_item, number, string, to_item};

const ENTITY: &str = "sync state";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub instance_id: String,
    /// Latest Magento `updated_at` already pulled. The next pull requests only later changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at_watermark: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_run: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due_at: Option<DateTime<Utc>>,
}

/// The state as stored, with the watermark also in epoch milliseconds because
/// RFC 3339 strings with varying fractional digits do not compare correctly.
#[derive(Serialize, Deserialize)]
struct SyncStateItem {
    #[serde(flatten)]
    keys: ItemKeys,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    watermark_ms: Option<i64>,
    #[serde(flatten)]
    state: SyncState,
}

impl Store {
    /// Returns the sync state of an instance, or an empty state if it never synced.
    #[tracing::instrument(skip(self))]
    pub async fn get_sync_state(&self, instance_id: &str) -> Result<SyncState, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                keys::instance_pk(instance_id),
                SYNC_STATE_SK,
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        match output.item {
            Some(item) => Ok(from_item::<SyncStateItem>(ENTITY, item)?.state),
            None => Ok(SyncState {
                instance_id: instance_id.to_string(),
                ..SyncState::default()
            }),
        }
    }

    /// Replaces the whole sync state of an instance.
    #[tracing::instrument(skip(self, state), fields(instance_id = %state.instance_id))]
    pub async fn save_sync_state(&self, state: &SyncState) -> Result<(), StoreError> {
        let item = SyncStateItem {
            keys: ItemKeys::new(keys::instance_pk(&state.instance_id), SYNC_STATE_SK),
            watermark_ms: state
                .updated_at_watermark
                .map(|time| time.timestamp_millis()),
            state: state.clone(),
        };

        self.client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(to_item(ENTITY, &item)?))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// Moves the watermark forward to `watermark`. Returns false, and changes
    /// nothing, when the stored watermark is already at or past it, so that a
    /// slow run cannot move it back.
    #[tracing::instrument(skip(self))]
    pub async fn advance_watermark(
        &self,
        instance_id: &str,
        watermark: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let update = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), SYNC_STATE_SK)))
            .update_expression("SET instance_id = :instance, updated_at_watermark = :watermark, watermark_ms = :ms")
            .condition_expression("attribute_not_exists(watermark_ms) OR watermark_ms < :ms")
            .expression_attribute_values(":instance", string(instance_id))
            .expression_attribute_values(":watermark", string(watermark.to_rfc3339()))
            .expression_attribute_values(":ms", number(watermark.timestamp_millis()))
            .send()
            .await;

        match update {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failed(&error) => Ok(false),
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }

    /// Records a scheduled run and when the next one is due.
    #[tracing::instrument(skip(self))]
    pub async fn record_scheduled_run(
        &self,
        instance_id: &str,
        ran_at: DateTime<Utc>,
        next_due_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                keys::instance_pk(instance_id),
                SYNC_STATE_SK,
            )))
            .update_expression(
                "SET instance_id = :instance, last_scheduled_run = :ran, next_due_at = :due",
            )
            .expression_attribute_values(":instance", string(instance_id))
            .expression_attribute_values(":ran", string(ran_at.to_rfc3339()))
            .expression_attribute_values(":due", string(next_due_at.to_rfc3339()))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }
}
