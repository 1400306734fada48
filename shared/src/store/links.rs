//! Links between a Magento customer and an Odoo partner, one per customer per
//! instance, with the customer fields that the list and form views show and the
//! links of the customer's addresses.

use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::addresses::AddressLink;
use super::error::is_condition_failed;
use super::item_size::{MAX_ITEM_BYTES, item_size};
use super::keys::{self, GSI1, GSI1_PK, ItemKeys, PARTNER_GSI_SK};
use super::{Item, Store, StoreError, from_item, number, string, to_item};

const ENTITY: &str = "customer link";
pub(super) const GUARD_ENTITY: &str = "partner guard";
/// Attempts of a link transaction that DynamoDB cancels because another
/// transaction touched the same items at the same time.
const TRANSACTION_ATTEMPTS: u32 = 5;

/// Outcome of the last sync of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    #[default]
    Synced,
    /// The last sync failed, for the reason in `last_error`.
    Error,
}

/// Customer fields copied from the last sync, for the list and form views
/// without a call to Magento.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerSnapshot {
    pub prefix: Option<String>,
    pub firstname: String,
    pub middlename: Option<String>,
    pub lastname: String,
    pub suffix: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub vat: Option<String>,
    pub send_welcome_email: bool,
    /// Magento address id of the default billing address.
    pub default_billing: Option<u64>,
    /// Magento address id of the default shipping address.
    pub default_shipping: Option<u64>,
    pub company: Option<String>,
    pub street: Vec<String>,
    pub city: Option<String>,
    /// State or province name.
    pub region: Option<String>,
    pub website_id: u32,
}

impl CustomerSnapshot {
    /// Returns the name parts that are present, joined by spaces.
    pub fn full_name(&self) -> String {
        let parts = [
            self.prefix.as_deref(),
            Some(self.firstname.as_str()),
            self.middlename.as_deref(),
            Some(self.lastname.as_str()),
            self.suffix.as_deref(),
        ];
        parts
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A Magento customer of one instance linked to one Odoo partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerLink {
    pub instance_id: String,
    pub magento_customer_id: u64,
    pub odoo_partner_id: i64,
    pub customer: CustomerSnapshot,
    /// Fingerprint of the Magento customer as of the last sync, to detect changes.
    pub magento_fingerprint: String,
    /// Fingerprint of the Odoo partner as of the last sync.
    pub odoo_fingerprint: String,
    pub last_synced_at: DateTime<Utc>,
    #[serde(default)]
    pub state: LinkState,
    #[serde(default)]
    pub last_error: Option<String>,
    /// The customer's linked addresses, ordered by Magento address id.
    #[serde(default)]
    pub addresses: Vec<AddressLink>,
}

/// A link as stored: the lower-cased search attributes serve the list filter,
/// because DynamoDB string comparisons are case-sensitive.
#[derive(Serialize, Deserialize)]
pub(super) struct LinkItem {
    #[serde(flatten)]
    keys: ItemKeys,
    search_email: String,
    search_name: String,
    #[serde(flatten)]
    link: CustomerLink,
}

impl LinkItem {
    pub(super) fn new(link: &CustomerLink) -> Self {
        let keys = ItemKeys::new(
            keys::instance_pk(&link.instance_id),
            keys::customer_sk(link.magento_customer_id),
        )
        .with_gsi(
            keys::partner_gsi_pk(&link.instance_id, link.odoo_partner_id),
            PARTNER_GSI_SK,
        );
        Self {
            keys,
            search_email: link.customer.email.to_lowercase(),
            search_name: link.customer.full_name().to_lowercase(),
            link: link.clone(),
        }
    }
}

/// Maps a link to its item, failing with [`StoreError::LinkTooLarge`] when the item
/// would exceed DynamoDB's item limit.
pub(super) fn link_to_item(link: &CustomerLink) -> Result<Item, StoreError> {
    let item = to_item(ENTITY, &LinkItem::new(link))?;

    let bytes = item_size(&item);
    if bytes > MAX_ITEM_BYTES {
        return Err(StoreError::LinkTooLarge {
            instance_id: link.instance_id.clone(),
            magento_customer_id: link.magento_customer_id,
            addresses: link.addresses.len(),
            bytes,
        });
    }
    Ok(item)
}

/// Checks that a link fits in one DynamoDB item, so that a caller can fail this one
/// customer instead of the batch that would carry it.
pub fn check_link_size(link: &CustomerLink) -> Result<(), StoreError> {
    link_to_item(link).map(|_| ())
}

pub(super) fn link_from_item(item: Item) -> Result<CustomerLink, StoreError> {
    Ok(from_item::<LinkItem>(ENTITY, item)?.link)
}

/// Item that reserves an Odoo partner id for one Magento customer of an instance.
#[derive(Serialize, Deserialize)]
pub(super) struct PartnerGuardItem {
    #[serde(flatten)]
    pub keys: ItemKeys,
    pub magento_customer_id: u64,
}

impl Store {
    /// Links a Magento customer to an Odoo partner.
    ///
    /// Fails with [`StoreError::LinkExists`], naming the existing link, when
    /// either the customer or the partner is already linked in this instance,
    /// including when another call links it concurrently.
    #[tracing::instrument(skip(self, link), fields(instance_id = %link.instance_id, magento_customer_id = link.magento_customer_id, odoo_partner_id = link.odoo_partner_id))]
    pub async fn create_link(&self, link: &CustomerLink) -> Result<(), StoreError> {
        let items = create_link_actions(self.table_name(), link)?;

        for attempt in 1..=TRANSACTION_ATTEMPTS {
            let written = self
                .client()
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;

            let error = match written {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let reasons = match error.as_service_error() {
                Some(service) if service.is_transaction_canceled_exception() => {
                    cancellation_codes(service)
                }
                _ => return Err(StoreError::dynamo("TransactWriteItems", error)),
            };

            if reasons
                .iter()
                .any(|code| code.as_deref() == Some("ConditionalCheckFailed"))
                || reasons.is_empty()
            {
                if let Some(existing) = self.find_conflicting_link(link).await? {
                    return Err(existing);
                }
            }

            // Either a concurrent transaction touched the items, or the
            // conflicting link was deleted since: both are worth a retry.
            tracing::warn!(attempt, ?reasons, "link transaction cancelled; retrying");
            tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
        }

        Err(StoreError::dynamo_message(
            "TransactWriteItems",
            format!(
                "link transaction cancelled {TRANSACTION_ATTEMPTS} times by concurrent writes; retry the request"
            ),
        ))
    }

    /// Returns the link error to report when the customer or the partner of
    /// `link` is already linked, or `None` when neither is.
    async fn find_conflicting_link(
        &self,
        link: &CustomerLink,
    ) -> Result<Option<StoreError>, StoreError> {
        if let Some(existing) = self
            .get_link(&link.instance_id, link.magento_customer_id)
            .await?
        {
            return Ok(Some(link_exists(
                &existing.instance_id,
                existing.magento_customer_id,
                existing.odoo_partner_id,
            )));
        }

        let guard = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                keys::instance_pk(&link.instance_id),
                keys::partner_sk(link.odoo_partner_id),
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        match guard.item {
            Some(item) => {
                let guard: PartnerGuardItem = from_item(GUARD_ENTITY, item)?;
                Ok(Some(link_exists(
                    &link.instance_id,
                    guard.magento_customer_id,
                    link.odoo_partner_id,
                )))
            }
            None => Ok(None),
        }
    }

    /// Returns the link of a Magento customer, read with strong consistency.
    #[tracing::instrument(skip(self))]
    pub async fn get_link(
        &self,
        instance_id: &str,
        magento_customer_id: u64,
    ) -> Result<Option<CustomerLink>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                keys::instance_pk(instance_id),
                keys::customer_sk(magento_customer_id),
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        output.item.map(link_from_item).transpose()
    }

    /// Returns the link of an Odoo partner through GSI1, which is eventually
    /// consistent: a link created a moment ago may not be visible yet.
    #[tracing::instrument(skip(self))]
    pub async fn get_link_by_partner(
        &self,
        instance_id: &str,
        odoo_partner_id: i64,
    ) -> Result<Option<CustomerLink>, StoreError> {
        let output = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_values(
                ":pk",
                string(keys::partner_gsi_pk(instance_id, odoo_partner_id)),
            )
            .limit(1)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;

        output
            .items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(link_from_item)
            .transpose()
    }

    /// Overwrites an existing link with the result of a sync. The partner id
    /// cannot change this way: delete the link and create a new one.
    #[tracing::instrument(skip(self, link), fields(instance_id = %link.instance_id, magento_customer_id = link.magento_customer_id))]
    pub async fn save_link(&self, link: &CustomerLink) -> Result<(), StoreError> {
        let put = self
            .client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(link_to_item(link)?))
            .condition_expression("attribute_exists(PK) AND odoo_partner_id = :partner")
            .expression_attribute_values(":partner", number(link.odoo_partner_id))
            .send()
            .await;

        match put {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => match self
                .get_link(&link.instance_id, link.magento_customer_id)
                .await?
            {
                Some(existing) => Err(link_exists(
                    &existing.instance_id,
                    existing.magento_customer_id,
                    existing.odoo_partner_id,
                )),
                None => Err(StoreError::not_found(
                    ENTITY,
                    link_key(&link.instance_id, link.magento_customer_id),
                )),
            },
            Err(error) => Err(StoreError::dynamo("PutItem", error)),
        }
    }

    /// Deletes a link, with its address links, and its partner guard.
    #[tracing::instrument(skip(self))]
    pub async fn delete_link(
        &self,
        instance_id: &str,
        magento_customer_id: u64,
    ) -> Result<(), StoreError> {
        let link = self
            .get_link(instance_id, magento_customer_id)
            .await?
            .ok_or_else(|| {
                StoreError::not_found(ENTITY, link_key(instance_id, magento_customer_id))
            })?;

        let pk = keys::instance_pk(instance_id);
        let delete_link = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(keys::key(
                pk.clone(),
                keys::customer_sk(magento_customer_id),
            )))
            .condition_expression("odoo_partner_id = :partner")
            .expression_attribute_values(":partner", number(link.odoo_partner_id))
            .build()
            .map_err(|e| StoreError::dynamo_message("TransactWriteItems", e.to_string()))?;
        let delete_guard = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(keys::key(pk, keys::partner_sk(link.odoo_partner_id))))
            .build()
            .map_err(|e| StoreError::dynamo_message("TransactWriteItems", e.to_string()))?;

        self.client()
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete_link).build())
            .transact_items(TransactWriteItem::builder().delete(delete_guard).build())
            .send()
            .await
            .map_err(|e| StoreError::dynamo("TransactWriteItems", e))?;
        Ok(())
    }
}

/// Builds the two conditional puts of a new link: the link and its partner guard.
pub(super) fn create_link_actions(
    table: &str,
    link: &CustomerLink,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let table_free = |item: Item| {
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
    };
    let guard = PartnerGuardItem {
        keys: ItemKeys::new(
            keys::instance_pk(&link.instance_id),
            keys::partner_sk(link.odoo_partner_id),
        ),
        magento_customer_id: link.magento_customer_id,
    };

    let link_put = table_free(link_to_item(link)?);
    let guard_put = table_free(to_item(GUARD_ENTITY, &guard)?);
    Ok(vec![
        TransactWriteItem::builder()
            .put(finish_put(link_put)?)
            .build(),
        TransactWriteItem::builder()
            .put(finish_put(guard_put)?)
            .build(),
    ])
}

fn finish_put(builder: aws_sdk_dynamodb::types::builders::PutBuilder) -> Result<Put, StoreError> {
    builder
        .build()
        .map_err(|e| StoreError::dynamo_message("TransactWriteItems", e.to_string()))
}

/// Returns the code of each cancelled action, in request order (`None` for an
/// action that did not fail).
fn cancellation_codes(
    error: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
) -> Vec<Option<String>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

    match error {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => cancelled
            .cancellation_reasons()
            .iter()
            .map(|reason| {
                reason
                    .code()
                    .filter(|code| *code != "None")
                    .map(str::to_string)
            })
            .collect(),
        other => vec![other.code().map(str::to_string)],
    }
}

pub(super) fn link_exists(
    instance_id: &str,
    magento_customer_id: u64,
    odoo_partner_id: i64,
) -> StoreError {
    StoreError::LinkExists {
        instance_id: instance_id.to_string(),
        magento_customer_id,
        odoo_partner_id,
    }
}

fn link_key(instance_id: &str, magento_customer_id: u64) -> String {
    format!("{instance_id}/{magento_customer_id}")
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;

    fn sample() -> CustomerLink {
        CustomerLink {
            instance_id: "main".into(),
            magento_customer_id: 42,
            odoo_partner_id: 7,
            customer: CustomerSnapshot {
                firstname: "Ann".into(),
                middlename: Some("B".into()),
                lastname: "Smith".into(),
                email: "Ann.Smith@Example.com".into(),
                street: vec!["1 Main St".into()],
                website_id: 1,
                ..CustomerSnapshot::default()
            },
            magento_fingerprint: "m1".into(),
            odoo_fingerprint: "o1".into(),
            last_synced_at: DateTime::<Utc>::UNIX_EPOCH,
            state: LinkState::Error,
            last_error: Some("timeout".into()),
            addresses: vec![AddressLink {
                magento_address_id: 5,
                odoo_partner_id: 8,
                fingerprint: "a1".into(),
                updated_at: DateTime::<Utc>::UNIX_EPOCH,
            }],
        }
    }

    fn text_of<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
        item.get(name)
            .and_then(|value| value.as_s().ok())
            .map(String::as_str)
    }

    #[test]
    fn link_item_has_keys_and_search() -> Result<(), StoreError> {
        let item = link_to_item(&sample())?;

        assert_eq!(text_of(&item, "PK"), Some("INSTANCE#main"));
        assert_eq!(text_of(&item, "SK"), Some("CUSTOMER#00000000000000000042"));
        assert_eq!(text_of(&item, "GSI1PK"), Some("INSTANCE#main#PARTNER#7"));
        assert_eq!(text_of(&item, "GSI1SK"), Some("CUSTOMER"));
        assert_eq!(
            text_of(&item, "search_email"),
            Some("ann.smith@example.com")
        );
        assert_eq!(text_of(&item, "search_name"), Some("ann b smith"));
        assert_eq!(text_of(&item, "state"), Some("error"));
        assert_eq!(
            item.get("odoo_partner_id"),
            Some(&AttributeValue::N("7".into()))
        );
        assert!(matches!(item.get("customer"), Some(AttributeValue::M(_))));
        assert!(matches!(item.get("addresses"), Some(AttributeValue::L(list)) if list.len() == 1));
        Ok(())
    }

    #[test]
    fn link_item_round_trip() -> Result<(), StoreError> {
        let item = link_to_item(&sample())?;

        assert_eq!(link_from_item(item)?, sample());
        Ok(())
    }

    #[test]
    fn link_over_item_limit_rejected() {
        let mut link = sample();
        link.addresses = (0..4_000)
            .map(|id| AddressLink {
                magento_address_id: id,
                odoo_partner_id: 100_000 + id as i64,
                fingerprint: "0123456789abcdef".into(),
                updated_at: DateTime::<Utc>::UNIX_EPOCH,
            })
            .collect();

        let rejected = check_link_size(&link);
        link.addresses.truncate(1_000);

        assert!(
            matches!(
                rejected,
                Err(StoreError::LinkTooLarge { magento_customer_id: 42, addresses: 4_000, bytes, .. })
                    if bytes > MAX_ITEM_BYTES
            ),
            "{rejected:?}"
        );
        assert!(check_link_size(&link).is_ok());
    }

    #[test]
    fn link_item_without_addresses_has_none() -> Result<(), StoreError> {
        let mut item = link_to_item(&sample())?;
        item.remove("addresses");

        assert!(link_from_item(item)?.addresses.is_empty());
        Ok(())
    }

    #[test]
    fn full_name_skips_missing_parts() {
        let customer = CustomerSnapshot {
            prefix: Some("Dr".into()),
            firstname: "Ann".into(),
            lastname: "Smith".into(),
            suffix: Some(String::new()),
            ..CustomerSnapshot::default()
        };

        assert_eq!(customer.full_name(), "Dr Ann Smith");
    }
}
