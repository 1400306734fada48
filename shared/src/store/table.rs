//! Creation of the table for tests, the demo and local runs. The key schema,
//! GSI and TTL attribute must match the table that template.yaml declares.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::keys::{GSI1, GSI1_PK, GSI1_SK, PK, SK, TTL_ATTRIBUTE};
use super::{Store, StoreError};

impl Store {
    /// Creates the table with on-demand billing and enables TTL on
    /// `expires_at`. An existing table with the same name is left as it is.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let created = self
            .client()
            .create_table()
            .table_name(self.table_name())
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(vec![
                string_attribute(PK)?,
                string_attribute(SK)?,
                string_attribute(GSI1_PK)?,
                string_attribute(GSI1_SK)?,
            ]))
            .set_key_schema(Some(vec![
                key_element(PK, KeyType::Hash)?,
                key_element(SK, KeyType::Range)?,
            ]))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(GSI1)
                    .key_schema(key_element(GSI1_PK, KeyType::Hash)?)
                    .key_schema(key_element(GSI1_SK, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(|e| StoreError::dynamo_message("CreateTable", e.to_string()))?,
            )
            .send()
            .await;

        match created {
            Ok(_) => {}
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                return Ok(());
            }
            Err(error) => return Err(StoreError::dynamo("CreateTable", error)),
        }

        self.wait_until_active().await?;

        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(TTL_ATTRIBUTE)
            .build()
            .map_err(|e| StoreError::dynamo_message("UpdateTimeToLive", e.to_string()))?;
        self.client()
            .update_time_to_live()
            .table_name(self.table_name())
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateTimeToLive", e))?;
        Ok(())
    }

    async fn wait_until_active(&self) -> Result<(), StoreError> {
        const ATTEMPTS: u32 = 60;

        for _ in 0..ATTEMPTS {
            let described = self
                .client()
                .describe_table()
                .table_name(self.table_name())
                .send()
                .await
                .map_err(|e| StoreError::dynamo("DescribeTable", e))?;
            let status = described.table.and_then(|t| t.table_status);
            if status == Some(aws_sdk_dynamodb::types::TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }

        Err(StoreError::dynamo_message(
            "DescribeTable",
            format!(
                "table {} did not become ACTIVE within 30 s",
                self.table_name()
            ),
        ))
    }
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| StoreError::dynamo_message("CreateTable", e.to_string()))
}

fn key_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(|e| StoreError::dynamo_message("CreateTable", e.to_string()))
}
