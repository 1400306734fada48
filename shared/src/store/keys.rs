//! Key layout of the single table.
//!
//! | Item                 | PK                        | SK                          | GSI1PK                              | GSI1SK                 |
//! |----------------------|---------------------------|-----------------------------|-------------------------------------|------------------------|
//! | instance config      | `INSTANCE#<id>`           | `CONFIG`                    | `INSTANCES`                         | `INSTANCE#<id>`        |
//! | customer link        | `INSTANCE#<id>`           | `CUSTOMER#<magento id>`     | `INSTANCE#<id>#PARTNER#<partner id>`| `CUSTOMER`             |
//! | partner guard        | `INSTANCE#<id>`           | `PARTNER#<partner id>`      |                                     |                        |
//! | sync state           | `INSTANCE#<id>`           | `SYNC_STATE`                |                                     |                        |
//! | lease                | `INSTANCE#<id>`           | `LEASE`                     |                                     |                        |
//! | job                  | `JOB#<job id>`            | `JOB`                       | `INSTANCE#<id>#JOBS`                | `<created at>#<job id>`|
//! | idempotency record   | `IDEMPOTENCY#<key>`       | `IDEMPOTENCY`               |                                     |                        |
//!
//! Numeric ids are zero-padded to 20 digits (the width of `u64::MAX`) so that
//! the string sort key orders customers by Magento id.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1_PK: &str = "GSI1PK";
pub const GSI1_SK: &str = "GSI1SK";
/// Attribute that DynamoDB's TTL deletes items by, in epoch seconds.
pub const TTL_ATTRIBUTE: &str = "expires_at";

pub const CONFIG_SK: &str = "CONFIG";
pub const INSTANCES_GSI_PK: &str = "INSTANCES";
pub const CUSTOMER_SK_PREFIX: &str = "CUSTOMER#";
pub const PARTNER_GSI_SK: &str = "CUSTOMER";
pub const SYNC_STATE_SK: &str = "SYNC_STATE";
pub const LEASE_SK: &str = "LEASE";
pub const JOB_SK: &str = "JOB";
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";

pub fn instance_pk(instance_id: &str) -> String {
    format!("INSTANCE#{instance_id}")
}

pub fn instance_gsi_sk(instance_id: &str) -> String {
    format!("INSTANCE#{instance_id}")
}

pub fn customer_sk(magento_customer_id: u64) -> String {
    format!("{CUSTOMER_SK_PREFIX}{magento_customer_id:020}")
}

pub fn partner_sk(odoo_partner_id: i64) -> String {
    format!("PARTNER#{odoo_partner_id:020}")
}

pub fn partner_gsi_pk(instance_id: &str, odoo_partner_id: i64) -> String {
    format!("INSTANCE#{instance_id}#PARTNER#{odoo_partner_id}")
}

pub fn job_pk(job_id: &str) -> String {
    format!("JOB#{job_id}")
}

pub fn jobs_gsi_pk(instance_id: &str) -> String {
    format!("INSTANCE#{instance_id}#JOBS")
}

pub fn idempotency_pk(key: &str) -> String {
    format!("IDEMPOTENCY#{key}")
}

/// Primary and GSI key attributes, flattened into every item struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemKeys {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// Absent, not NULL, on items outside the GSI: DynamoDB rejects a NULL index key.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1_pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1_sk: Option<String>,
}

impl ItemKeys {
    pub fn new(pk: String, sk: impl Into<String>) -> Self {
        Self {
            pk,
            sk: sk.into(),
            gsi1_pk: None,
            gsi1_sk: None,
        }
    }

    pub fn with_gsi(mut self, gsi1_pk: String, gsi1_sk: impl Into<String>) -> Self {
        self.gsi1_pk = Some(gsi1_pk);
        self.gsi1_sk = Some(gsi1_sk.into());
        self
    }
}

/// Builds the primary key map used by GetItem, DeleteItem and UpdateItem.
pub fn key(pk: String, sk: impl Into<String>) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(pk)),
        (SK.to_string(), AttributeValue::S(sk.into())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_sk_sorts_numerically() {
        assert!(customer_sk(9) < customer_sk(10));
        assert!(customer_sk(99) < customer_sk(u64::MAX));
    }
}
