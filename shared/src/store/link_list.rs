//! Paginated, filterable list of an instance's linked customers.

use aws_sdk_dynamodb::types::AttributeValue;

use super::keys::{self, CUSTOMER_SK_PREFIX};
use super::links::{CustomerLink, link_from_item};
use super::{Store, StoreError, cursor, string};

/// Default and maximum number of links in one page.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// Field that a [`LinkFilter`] matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Email,
    Name,
    /// Email or name.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    Prefix,
    Substring,
}

/// Case-insensitive filter on the email or full name of linked customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFilter {
    pub field: SearchField,
    pub mode: MatchMode,
    pub text: String,
}

/// One page of links and the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkPage {
    pub links: Vec<CustomerLink>,
    pub next_cursor: Option<String>,
}

impl Store {
    /// Lists an instance's links ordered by Magento customer id.
    ///
    /// DynamoDB applies a filter after reading, so this function keeps
    /// querying until the page is full or no links remain. A page with a
    /// selective filter may therefore read many more items than it returns.
    #[tracing::instrument(skip(self, cursor))]
    pub async fn list_links(
        &self,
        instance_id: &str,
        filter: Option<&LinkFilter>,
        page_size: u32,
        cursor: Option<&str>,
    ) -> Result<LinkPage, StoreError> {
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let pk = keys::instance_pk(instance_id);
        let mut start_key = cursor.map(cursor::decode).transpose()?;
        if let Some(key) = &start_key {
            validate_start_key(key, &pk)?;
        }

        let mut links = Vec::new();
        loop {
            // Limit counts items read before the filter, so asking for the
            // remainder keeps the last key exactly at the end of this page.
            let remaining = page_size - links.len() as u32;
            let mut query = self
                .client()
                .query()
                .table_name(self.table_name())
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", string(pk.clone()))
                .expression_attribute_values(":prefix", string(CUSTOMER_SK_PREFIX))
                .limit(remaining as i32)
                .set_exclusive_start_key(start_key.take());
            if let Some(filter) = filter {
                query = query
                    .filter_expression(filter_expression(filter))
                    .expression_attribute_values(
                        ":text",
                        AttributeValue::S(filter.text.to_lowercase()),
                    );
            }

            let output = query
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            for item in output.items.unwrap_or_default() {
                links.push(link_from_item(item)?);
            }

            start_key = output.last_evaluated_key;
            if start_key.is_none() || links.len() as u32 >= page_size {
                break;
            }
        }

        let next_cursor = start_key.as_ref().and_then(cursor::encode);
        Ok(LinkPage { links, next_cursor })
    }
}

fn filter_expression(filter: &LinkFilter) -> &'static str {
    match (filter.field, filter.mode) {
        (SearchField::Email, MatchMode::Prefix) => "begins_with(search_email, :text)",
        (SearchField::Email, MatchMode::Substring) => "contains(search_email, :text)",
        (SearchField::Name, MatchMode::Prefix) => "begins_with(search_name, :text)",
        (SearchField::Name, MatchMode::Substring) => "contains(search_name, :text)",
        (SearchField::Any, MatchMode::Prefix) => {
            "begins_with(search_email, :text) OR begins_with(search_name, :text)"
        }
        (SearchField::Any, MatchMode::Substring) => {
            "contains(search_email, :text) OR contains(search_name, :text)"
        }
    }
}

/// Rejects a cursor from another instance or another listing, which would
/// otherwise return unrelated items.
fn validate_start_key(key: &super::Item, pk: &str) -> Result<(), StoreError> {
    let same_partition = key
        .get(keys::PK)
        .and_then(|v| v.as_s().ok())
        .is_some_and(|value| value == pk);
    let customer_sk = key
        .get(keys::SK)
        .and_then(|v| v.as_s().ok())
        .is_some_and(|sk| sk.starts_with(CUSTOMER_SK_PREFIX));
    if key.len() != 2 || !same_partition || !customer_sk {
        return Err(StoreError::InvalidCursor);
    }
    Ok(())
}
