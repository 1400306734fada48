//! Links between a Magento customer address and the Odoo partner that stores
//! it (a child contact of the customer's partner).

use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, ItemKeys};
use super::{Store, StoreError, from_item, string, to_item};

const ENTITY: &str = "address link";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLink {
    pub instance_id: String,
    pub magento_customer_id: u64,
    pub magento_address_id: u64,
    pub odoo_partner_id: i64,
    /// Fingerprint of the Magento address as of the last sync.
    pub fingerprint: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct AddressItem {
    #[serde(flatten)]
    pub(super) keys: ItemKeys,
    #[serde(flatten)]
    pub(super) link: AddressLink,
}

impl Store {
    /// Creates or replaces the link of one address.
    #[tracing::instrument(skip(self, link), fields(instance_id = %link.instance_id, magento_customer_id = link.magento_customer_id))]
    pub async fn put_address_link(&self, link: &AddressLink) -> Result<(), StoreError> {
        let keys = ItemKeys::new(
            keys::instance_pk(&link.instance_id),
            keys::address_sk(link.magento_customer_id, link.magento_address_id),
        );
        let item = to_item(
            ENTITY,
            &AddressItem {
                keys,
                link: link.clone(),
            },
        )?;

        self.client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// Returns the address links of one customer, ordered by Magento address id.
    #[tracing::instrument(skip(self))]
    pub async fn get_address_links(
        &self,
        instance_id: &str,
        magento_customer_id: u64,
    ) -> Result<Vec<AddressLink>, StoreError> {
        let mut links = Vec::new();
        let mut start_key = None;

        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table_name())
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", string(keys::instance_pk(instance_id)))
                .expression_attribute_values(
                    ":prefix",
                    string(keys::address_prefix(magento_customer_id)),
                )
                .consistent_read(true)
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;

            for item in output.items.unwrap_or_default() {
                links.push(from_item::<AddressItem>(ENTITY, item)?.link);
            }

            start_key = output.last_evaluated_key;
            if start_key.is_none() {
                return Ok(links);
            }
        }
    }

    /// Deletes the link of one address; deleting a missing link succeeds.
    #[tracing::instrument(skip(self))]
    pub async fn delete_address_link(
        &self,
        instance_id: &str,
        magento_customer_id: u64,
        magento_address_id: u64,
    ) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                keys::instance_pk(instance_id),
                keys::address_sk(magento_customer_id, magento_address_id),
            )))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("DeleteItem", e))?;
        Ok(())
    }

    /// Deletes every address link of one customer.
    pub(super) async fn delete_address_links(
        &self,
        instance_id: &str,
        magento_customer_id: u64,
    ) -> Result<(), StoreError> {
        let links = self
            .get_address_links(instance_id, magento_customer_id)
            .await?;

        let requests = links
            .iter()
            .map(|link| {
                let key = keys::key(
                    keys::instance_pk(instance_id),
                    keys::address_sk(magento_customer_id, link.magento_address_id),
                );
                let delete = DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(|e| StoreError::dynamo_message("BatchWriteItem", e.to_string()))?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        self.batch_write(requests).await
    }
}
