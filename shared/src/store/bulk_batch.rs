//! Batch reads and writes of links, partner guards and address links for the bulk
//! sync, which must not make one DynamoDB call per customer.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
use futures::{StreamExt, TryStreamExt};

use super::addresses::{AddressItem, AddressLink};
use super::batch::BATCH_WRITE_MAX;
use super::keys::{self, ItemKeys};
use super::links::{GUARD_ENTITY, PartnerGuardItem};
use super::{Store, StoreError, from_item, to_item};

const ENTITY: &str = "address link";
/// BatchWriteItem calls in flight at once for one batch of address links.
const WRITE_CONCURRENCY: usize = 8;

/// The key of one address link: (Magento customer id, Magento address id).
pub type AddressKey = (u64, u64);

impl Store {
    /// Returns the stored links of the given addresses of one instance, in one
    /// BatchGetItem call per 100 keys. Addresses without a link are absent.
    #[tracing::instrument(skip(self, addresses), fields(count = addresses.len()))]
    pub async fn get_address_links_by_keys(
        &self,
        instance_id: &str,
        addresses: &[AddressKey],
    ) -> Result<Vec<AddressLink>, StoreError> {
        let sort_keys = addresses
            .iter()
            .map(|(customer, address)| keys::address_sk(*customer, *address));

        let mut links = Vec::with_capacity(addresses.len());
        for item in self.get_instance_items(instance_id, sort_keys).await? {
            links.push(from_item::<AddressItem>(ENTITY, item)?.link);
        }
        Ok(links)
    }

    /// Creates or replaces address links with BatchWriteItem, 25 per call and
    /// a few calls at a time.
    #[tracing::instrument(skip(self, links), fields(count = links.len()))]
    pub async fn put_address_links(&self, links: &[AddressLink]) -> Result<(), StoreError> {
        let requests = links
            .iter()
            .map(|link| {
                let item = AddressItem {
                    keys: ItemKeys::new(
                        keys::instance_pk(&link.instance_id),
                        keys::address_sk(link.magento_customer_id, link.magento_address_id),
                    ),
                    link: link.clone(),
                };
                let put = PutRequest::builder()
                    .set_item(Some(to_item(ENTITY, &item)?))
                    .build()
                    .map_err(|e| StoreError::dynamo_message("BatchWriteItem", e.to_string()))?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        self.write_concurrently(requests).await
    }

    /// Deletes the links of the given addresses; missing links are ignored.
    #[tracing::instrument(skip(self, addresses), fields(count = addresses.len()))]
    pub async fn delete_address_links_by_keys(
        &self,
        instance_id: &str,
        addresses: &[AddressKey],
    ) -> Result<(), StoreError> {
        let requests = addresses
            .iter()
            .map(|(customer, address)| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(keys::key(
                        keys::instance_pk(instance_id),
                        keys::address_sk(*customer, *address),
                    )))
                    .build()
                    .map_err(|e| StoreError::dynamo_message("BatchWriteItem", e.to_string()))?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        self.write_concurrently(requests).await
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

    async fn write_concurrently(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
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
}
