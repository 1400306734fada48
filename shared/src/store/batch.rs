//! Batch reads and writes of customer links and partner guards for bulk sync, which
//! must not make one DynamoDB call per customer, with retries of the items DynamoDB
//! leaves unprocessed under throttling.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{KeysAndAttributes, PutRequest, WriteRequest};
use futures::{StreamExt, TryStreamExt};

use super::keys;
use super::links::{CustomerLink, GUARD_ENTITY, PartnerGuardItem, link_from_item, link_to_item};
use super::{Item, Store, StoreError, from_item};

/// BatchGetItem accepts at most 100 keys per call.
const BATCH_GET_MAX: usize = 100;
/// BatchWriteItem accepts at most 25 requests per call.
const BATCH_WRITE_MAX: usize = 25;
/// Rounds of retrying unprocessed items before giving up.
const UNPROCESSED_ATTEMPTS: u32 = 8;
/// BatchWriteItem calls in flight at once for one batch of links.
const WRITE_CONCURRENCY: usize = 8;

impl Store {
    /// Returns the existing links of the given Magento customers, keyed by
    /// Magento customer id; customers without a link are absent.
    #[tracing::instrument(skip(self, magento_customer_ids), fields(count = magento_customer_ids.len()))]
    pub async fn get_links_for_magento_ids(
        &self,
        instance_id: &str,
        magento_customer_ids: &[u64],
    ) -> Result<HashMap<u64, CustomerLink>, StoreError> {
        let sort_keys = magento_customer_ids.iter().map(|id| keys::customer_sk(*id));

        let mut links = HashMap::new();
        for item in self.get_instance_items(instance_id, sort_keys).await? {
            let link = link_from_item(item)?;
            links.insert(link.magento_customer_id, link);
        }
        Ok(links)
    }

    /// Returns, for each of the given Odoo partners that is linked in this
    /// instance, the Magento customer it is linked to (one BatchGetItem call
    /// per 100 partners, on the partner guard items).
    #[tracing::instrument(skip(self, odoo_partner_ids), fields(count = odoo_partner_ids.len()))]
    pub async fn get_partner_links(
        &self,
        instance_id: &str,
        odoo_partner_ids: &[i64],
    ) -> Result<HashMap<i64, u64>, StoreError> {
        let sort_keys = odoo_partner_ids.iter().map(|id| keys::partner_sk(*id));

        let mut linked = HashMap::new();
        for item in self.get_instance_items(instance_id, sort_keys).await? {
            let guard: PartnerGuardItem = from_item(GUARD_ENTITY, item)?;
            let partner_id = guard
                .keys
                .sk
                .strip_prefix("PARTNER#")
                .and_then(|digits| digits.parse::<i64>().ok());
            if let Some(partner_id) = partner_id {
                linked.insert(partner_id, guard.magento_customer_id);
            }
        }
        Ok(linked)
    }

    /// Reads the instance's items with the given sort keys, strongly consistent, one
    /// BatchGetItem call per 100 distinct keys. Missing items are left out.
    pub(super) async fn get_instance_items(
        &self,
        instance_id: &str,
        sort_keys: impl IntoIterator<Item = String>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut unique: Vec<String> = sort_keys.into_iter().collect();
        unique.sort_unstable();
        unique.dedup();

        let mut items = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(BATCH_GET_MAX) {
            let keys = chunk
                .iter()
                .map(|sort_key| keys::key(keys::instance_pk(instance_id), sort_key.clone()))
                .collect();
            let request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::dynamo_message("BatchGetItem", e.to_string()))?;

            items.extend(self.batch_get_items(request).await?);
        }
        Ok(items)
    }

    /// Runs a BatchGetItem on this table, retrying the keys DynamoDB leaves
    /// unprocessed, and returns every item read.
    async fn batch_get_items(&self, request: KeysAndAttributes) -> Result<Vec<Item>, StoreError> {
        let mut pending = HashMap::from([(self.table_name().to_string(), request)]);
        let mut items = Vec::new();

        for attempt in 0..UNPROCESSED_ATTEMPTS {
            let output = self
                .client()
                .batch_get_item()
                .set_request_items(Some(pending))
                .send()
                .await
                .map_err(|e| StoreError::dynamo("BatchGetItem", e))?;

            items.extend(
                output
                    .responses
                    .unwrap_or_default()
                    .remove(self.table_name())
                    .unwrap_or_default(),
            );

            pending = output.unprocessed_keys.unwrap_or_default();
            if pending.values().all(|request| request.keys().is_empty()) {
                return Ok(items);
            }
            backoff(attempt).await;
        }

        Err(StoreError::dynamo_message(
            "BatchGetItem",
            format!("keys still unprocessed after {UNPROCESSED_ATTEMPTS} attempts"),
        ))
    }

    /// Overwrites existing links, with their address links, with BatchWriteItem: 25
    /// per call and a few calls at a time.
    ///
    /// NOTE: BatchWriteItem has no conditions, so this neither checks that the
    /// link exists nor keeps the partner guard in step. Use it only for links
    /// read in the same run whose partner id did not change; new links go
    /// through [`Store::create_links`](super::Store::create_links).
    #[tracing::instrument(skip(self, links), fields(count = links.len()))]
    pub async fn save_links(&self, links: &[CustomerLink]) -> Result<(), StoreError> {
        let requests = links
            .iter()
            .map(|link| {
                let put = PutRequest::builder()
                    .set_item(Some(link_to_item(link)?))
                    .build()
                    .map_err(|e| StoreError::dynamo_message("BatchWriteItem", e.to_string()))?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        let chunks: Vec<Vec<WriteRequest>> = requests
            .chunks(BATCH_WRITE_MAX)
            .map(<[WriteRequest]>::to_vec)
            .collect();
        futures::stream::iter(chunks)
            .map(|chunk| self.batch_write(chunk))
            .buffer_unordered(WRITE_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// Sends one BatchWriteItem of at most 25 requests, retrying unprocessed items.
    async fn batch_write(&self, chunk: Vec<WriteRequest>) -> Result<(), StoreError> {
        let mut pending = HashMap::from([(self.table_name().to_string(), chunk)]);

        let mut attempt = 0;
        while pending.values().any(|requests| !requests.is_empty()) {
            if attempt == UNPROCESSED_ATTEMPTS {
                return Err(StoreError::dynamo_message(
                    "BatchWriteItem",
                    format!("items still unprocessed after {UNPROCESSED_ATTEMPTS} attempts"),
                ));
            }
            if attempt > 0 {
                backoff(attempt).await;
            }

            let output = self
                .client()
                .batch_write_item()
                .set_request_items(Some(pending))
                .send()
                .await
                .map_err(|e| StoreError::dynamo("BatchWriteItem", e))?;
            pending = output.unprocessed_items.unwrap_or_default();
            attempt += 1;
        }
        Ok(())
    }
}

/// Waits with exponential backoff: 50 ms, 100 ms, 200 ms and so on, capped at 2 s.
async fn backoff(attempt: u32) {
    let millis = (50u64 << attempt.min(6)).min(2_000);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}
