//! DynamoDB storage of instance configurations, customer links, sync state,
//! jobs, leases and idempotency records, all in one table.
//!
//! # Table design
//!
//! The table has a string partition key `PK`, a string sort key `SK`, one
//! global secondary index `GSI1` (`GSI1PK`, `GSI1SK`, all attributes
//! projected) and TTL on `expires_at`. [`keys`] lists the key of every item
//! type. Access patterns:
//!
//! - instance config by id: GetItem `INSTANCE#<id>` / `CONFIG`;
//! - all instances: Query GSI1 `GSI1PK = INSTANCES`;
//! - link by Magento customer: GetItem `INSTANCE#<id>` / `CUSTOMER#<magento id>`;
//! - link by Odoo partner: Query GSI1 `GSI1PK = INSTANCE#<id>#PARTNER#<partner id>`;
//! - links of an instance, by Magento id: Query `PK = INSTANCE#<id> AND begins_with(SK, CUSTOMER#)`,
//!   with an optional filter on the lower-cased email or name;
//! - links for a page of Magento ids: BatchGetItem on the customer keys;
//! - sync state and lease of an instance: GetItem `SYNC_STATE` / `LEASE`;
//! - job by id: GetItem `JOB#<job id>` / `JOB`; jobs of an instance, newest
//!   first: Query GSI1 `GSI1PK = INSTANCE#<id>#JOBS`, descending;
//! - idempotency record: GetItem `IDEMPOTENCY#<key>` / `IDEMPOTENCY`.
//!
//! A customer link is two items written in one transaction: the link itself
//! and a partner guard item keyed by the Odoo partner id. Both are put with
//! `attribute_not_exists(PK)`, so neither a Magento customer nor an Odoo
//! partner can be linked twice within an instance, even by concurrent calls.
//! A GSI cannot enforce that, because index writes are not conditional.
//! The links of the customer's addresses are a list inside the link item.

mod addresses;
mod batch;
mod checkpoint;
mod cursor;
mod error;
mod idempotency;
mod instances;
mod item_size;
mod jobs;
pub mod keys;
mod lease;
mod link_list;
mod links;
mod new_links;
mod sync_state;
mod table;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use addresses::{AddressLink, partners_by_address};
pub use error::StoreError;
pub use idempotency::{IdempotencyStart, StoredResponse, hash_request};
pub use jobs::{Job, JobCounts, JobError, JobKind, JobStatus, MAX_RECENT_ERRORS};
pub use lease::Lease;
pub use link_list::{
    DEFAULT_PAGE_SIZE, LinkFilter, LinkPage, MAX_PAGE_SIZE, MatchMode, SearchField,
};
pub use links::{CustomerLink, CustomerSnapshot, LinkState, check_link_size};
pub use sync_state::SyncState;

/// Environment variable that names the table.
pub const TABLE_NAME_ENV: &str = "TABLE_NAME";

pub(crate) type Item = HashMap<String, AttributeValue>;

/// Handle on the connector's DynamoDB table. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Builds a store from the SDK configuration and env `TABLE_NAME`. The
    /// endpoint comes from the configuration, which honours `AWS_ENDPOINT_URL_DYNAMODB`.
    pub fn from_env(sdk_config: &aws_config::SdkConfig) -> Result<Self, StoreError> {
        let table = std::env::var(TABLE_NAME_ENV)
            .ok()
            .filter(|name| !name.is_empty())
            .ok_or(StoreError::MissingTableName)?;
        Ok(Self::new(Client::new(sdk_config), table))
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

pub(crate) fn to_item<T: Serialize>(entity: &'static str, value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|source| StoreError::Mapping { entity, source })
}

pub(crate) fn from_item<T: DeserializeOwned>(
    entity: &'static str,
    item: Item,
) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|source| StoreError::Mapping { entity, source })
}

pub(crate) fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
