//! Instance configuration CRUD.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use crate::config::InstanceConfig;

use super::error::is_condition_failed;
use super::keys::{self, CONFIG_SK, GSI1, GSI1_PK, INSTANCES_GSI_PK, ItemKeys};
use super::{Store, StoreError, from_item, to_item};

const ENTITY: &str = "instance";

#[derive(Serialize, Deserialize)]
struct InstanceItem {
    #[serde(flatten)]
    keys: ItemKeys,
    #[serde(flatten)]
    config: InstanceConfig,
}

impl InstanceItem {
    fn new(config: &InstanceConfig) -> Self {
        let keys = ItemKeys::new(keys::instance_pk(&config.id), CONFIG_SK).with_gsi(
            INSTANCES_GSI_PK.to_string(),
            keys::instance_gsi_sk(&config.id),
        );
        Self {
            keys,
            config: config.clone(),
        }
    }
}

impl Store {
    /// Validates and stores a new instance. Fails with
    /// [`StoreError::InstanceExists`] when the id is taken.
    #[tracing::instrument(skip(self, config), fields(instance_id = %config.id))]
    pub async fn create_instance(&self, config: &InstanceConfig) -> Result<(), StoreError> {
        config.validate()?;
        let item = to_item(ENTITY, &InstanceItem::new(config))?;

        let put = self
            .client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;

        match put {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => Err(StoreError::InstanceExists {
                instance_id: config.id.clone(),
            }),
            Err(error) => Err(StoreError::dynamo("PutItem", error)),
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn get_instance(&self, instance_id: &str) -> Result<InstanceConfig, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), CONFIG_SK)))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        let item = output
            .item
            .ok_or_else(|| StoreError::not_found(ENTITY, instance_id))?;
        Ok(from_item::<InstanceItem>(ENTITY, item)?.config)
    }

    /// Returns every instance, ordered by id. Reads all GSI pages, which suits
    /// the expected tens of instances.
    #[tracing::instrument(skip(self))]
    pub async fn list_instances(&self) -> Result<Vec<InstanceConfig>, StoreError> {
        let mut instances = Vec::new();
        let mut start_key = None;

        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table_name())
                .index_name(GSI1)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", GSI1_PK)
                .expression_attribute_values(":pk", AttributeValue::S(INSTANCES_GSI_PK.into()))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;

            for item in output.items.unwrap_or_default() {
                instances.push(from_item::<InstanceItem>(ENTITY, item)?.config);
            }

            start_key = output.last_evaluated_key;
            if start_key.is_none() {
                return Ok(instances);
            }
        }
    }

    /// Validates and replaces an existing instance. Fails with
    /// [`StoreError::NotFound`] when there is none with this id.
    #[tracing::instrument(skip(self, config), fields(instance_id = %config.id))]
    pub async fn update_instance(&self, config: &InstanceConfig) -> Result<(), StoreError> {
        config.validate()?;
        let item = to_item(ENTITY, &InstanceItem::new(config))?;

        let put = self
            .client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;

        match put {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => {
                Err(StoreError::not_found(ENTITY, &config.id))
            }
            Err(error) => Err(StoreError::dynamo("PutItem", error)),
        }
    }

    /// Deletes the configuration item only.
    ///
    /// NOTE: links, jobs and sync state of the instance stay in the table; the
    /// caller removes them if it needs to.
    #[tracing::instrument(skip(self))]
    pub async fn delete_instance(&self, instance_id: &str) -> Result<(), StoreError> {
        let deleted = self
            .client()
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::instance_pk(instance_id), CONFIG_SK)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;

        match deleted {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => {
                Err(StoreError::not_found(ENTITY, instance_id))
            }
            Err(error) => Err(StoreError::dynamo("DeleteItem", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::config::{ConflictPolicy, MagentoAuthKind, OdooProtocol};

    fn sample() -> InstanceConfig {
        InstanceConfig {
            id: "main".into(),
            name: "Main".into(),
            magento_base_url: "https://shop.example.com".into(),
            magento_store_code: "default".into(),
            magento_website_id: 1,
            magento_auth: MagentoAuthKind::AdminPassword,
            odoo_url: "https://erp.example.com".into(),
            odoo_database: "prod".into(),
            odoo_login: "bot".into(),
            odoo_protocol: OdooProtocol::Jsonrpc,
            pull_interval_minutes: 5,
            conflict_policy: ConflictPolicy::OdooWins,
            street_lines: 4,
            magento_page_size: 300,
            magento_secret_ref: "m".into(),
            odoo_secret_ref: "o".into(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    #[test]
    fn instance_item_round_trip() -> Result<(), StoreError> {
        let item = to_item(ENTITY, &InstanceItem::new(&sample()))?;

        assert_eq!(
            item.get("GSI1PK"),
            Some(&AttributeValue::S("INSTANCES".into()))
        );
        assert_eq!(
            item.get("magento_auth"),
            Some(&AttributeValue::S("admin_password".into()))
        );
        assert_eq!(from_item::<InstanceItem>(ENTITY, item)?.config, sample());
        Ok(())
    }
}
