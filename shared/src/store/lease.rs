//! A per-instance lease, so that two bulk or scheduled runs of the same
//! instance never overlap. A run that dies leaves the lease to expire, after
//! which another run can take it over.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::error::is_condition_failed;
use super::keys::{self, ItemKeys, LEASE_SK};
use super::{Store, StoreError, from_item, now_millis, number, string, to_item};

const ENTITY: &str = "lease";
/// An expired lease stays this long before TTL deletes it, for debugging.
const TTL_GRACE_SECONDS: i64 = 24 * 60 * 60;
/// Attempts to acquire when the lease disappears between the failed put and the read.
const ACQUIRE_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub instance_id: String,
    pub owner: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct LeaseItem {
    #[serde(flatten)]
    keys: ItemKeys,
    instance_id: String,
    owner: String,
    /// Lease expiry in epoch milliseconds; `expires_at` is only the TTL.
    lease_expires_at_ms: i64,
    expires_at: i64,
}

impl LeaseItem {
    fn to_lease(&self) -> Lease {
        Lease {
            instance_id: self.instance_id.clone(),
            owner: self.owner.clone(),
            expires_at: millis_to_time(self.lease_expires_at_ms),
        }
    }
}

impl Store {
    /// Takes the lease of an instance for `duration`. Succeeds when no lease
    /// exists, when the current one has expired, or when `owner` already holds
    /// it; fails with [`StoreError::LeaseHeld`] otherwise.
    #[tracing::instrument(skip(self))]
    pub async fn acquire_lease(
        &self,
        instance_id: &str,
        owner: &str,
        duration: Duration,
    ) -> Result<Lease, StoreError> {
        for _ in 0..ACQUIRE_ATTEMPTS {
            let now = now_millis();
            let item = lease_item(instance_id, owner, now, duration);

            let put = self
                .client()
                .put_item()
                .table_name(self.table_name())
                .set_item(Some(to_item(ENTITY, &item)?))
                .condition_expression(
                    "attribute_not_exists(PK) OR lease_expires_at_ms < :now OR #owner = :owner",
                )
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":owner", string(owner))
                .send()
                .await;

            match put {
                Ok(_) => return Ok(item.to_lease()),
                Err(error) if is_condition_failed(&error) => {
                    if let Some(held) = self.get_lease(instance_id).await? {
                        return Err(StoreError::LeaseHeld {
                            instance_id: instance_id.to_string(),
                            owner: held.owner,
                            expires_at: held.expires_at,
                        });
                    }
                }
                Err(error) => return Err(StoreError::dynamo("PutItem", error)),
            }
        }

        Err(StoreError::dynamo_message(
            "PutItem",
            format!(
                "lease of instance {instance_id} changed hands {ACQUIRE_ATTEMPTS} times; retry"
            ),
        ))
    }

    /// Extends a lease held by `owner` to `duration` from now. Fails with
    /// [`StoreError::LeaseNotHeld`] when another owner has taken it over.
    #[tracing::instrument(skip(self))]
    pub async fn renew_lease(
        &self,
        instance_id: &str,
        owner: &str,
        duration: Duration,
    ) -> Result<Lease, StoreError> {
        let item = lease_item(instance_id, owner, now_millis(), duration);

        let update = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), LEASE_SK)))
            .update_expression("SET lease_expires_at_ms = :until, expires_at = :ttl")
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", string(owner))
            .expression_attribute_values(":until", number(item.lease_expires_at_ms))
            .expression_attribute_values(":ttl", number(item.expires_at))
            .send()
            .await;

        match update {
            Ok(_) => Ok(item.to_lease()),
            Err(error) if is_condition_failed(&error) => Err(lease_not_held(instance_id, owner)),
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }

    /// Releases a lease held by `owner`. Fails with
    /// [`StoreError::LeaseNotHeld`] when another owner has it or none exists.
    #[tracing::instrument(skip(self))]
    pub async fn release_lease(&self, instance_id: &str, owner: &str) -> Result<(), StoreError> {
        let deleted = self
            .client()
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), LEASE_SK)))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", string(owner))
            .send()
            .await;

        match deleted {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => Err(lease_not_held(instance_id, owner)),
            Err(error) => Err(StoreError::dynamo("DeleteItem", error)),
        }
    }

    /// Returns the current lease record, expired or not.
    pub async fn get_lease(&self, instance_id: &str) -> Result<Option<Lease>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), LEASE_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        output
            .item
            .map(|item| from_item::<LeaseItem>(ENTITY, item).map(|lease| lease.to_lease()))
            .transpose()
    }
}

fn lease_item(instance_id: &str, owner: &str, now_ms: i64, duration: Duration) -> LeaseItem {
    let until = now_ms.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX));
    LeaseItem {
        keys: ItemKeys::new(keys::instance_pk(instance_id), LEASE_SK),
        instance_id: instance_id.to_string(),
        owner: owner.to_string(),
        lease_expires_at_ms: until,
        expires_at: until / 1000 + TTL_GRACE_SECONDS,
    }
}

fn millis_to_time(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn lease_not_held(instance_id: &str, owner: &str) -> StoreError {
    StoreError::LeaseNotHeld {
        instance_id: instance_id.to_string(),
        owner: owner.to_string(),
    }
}
