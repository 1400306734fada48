//! Creating many new links, each with its address links, in few conditional
//! transactions.
//!
//! A link takes two actions (the link and its partner guard, both conditional on
//! not existing) and each of its address links one more, so a transaction of at most
//! 100 actions carries about 25 to 50 customers. The address links are written in the
//! same transaction as their link: a link that loses to a concurrent call leaves no
//! address links behind, and a page costs a few calls instead of one per 25 items.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::addresses::{AddressItem, AddressLink};
use super::keys::{self, ItemKeys};
use super::links::{CustomerLink, create_link_actions};
use super::{Store, StoreError, to_item};

/// TransactWriteItems accepts at most 100 actions.
const MAX_ACTIONS: usize = 100;

/// A link to create and the address links that belong to it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub link: CustomerLink,
    pub addresses: Vec<AddressLink>,
}

impl From<CustomerLink> for NewLink {
    fn from(link: CustomerLink) -> Self {
        Self {
            link,
            addresses: Vec::new(),
        }
    }
}

impl NewLink {
    fn actions(&self) -> usize {
        2 + self.addresses.len()
    }
}

impl Store {
    /// Creates the links and their address links, packed into transactions of at most
    /// 100 actions. When a transaction is cancelled (one link conflicts), its links are
    /// created one by one, so that the others still succeed. Returns one result per
    /// input link, in order; a link that conflicts gets [`StoreError::LinkExists`] and
    /// none of its address links are written.
    #[tracing::instrument(skip(self, links), fields(count = links.len()))]
    pub async fn create_links(&self, links: &[NewLink]) -> Vec<Result<(), StoreError>> {
        let mut results = Vec::with_capacity(links.len());

        for chunk in pack(links) {
            match self.create_in_one_transaction(chunk).await {
                Ok(()) => results.extend(chunk.iter().map(|_| Ok(()))),
                Err(error) => {
                    tracing::debug!(%error, "link transaction failed; creating its links one by one");
                    for new_link in chunk {
                        results.push(self.create_one(new_link).await);
                    }
                }
            }
        }
        results
    }

    /// Creates one link, then its address links, for a link that did not fit a shared
    /// transaction or whose transaction was cancelled.
    async fn create_one(&self, new_link: &NewLink) -> Result<(), StoreError> {
        self.create_link(&new_link.link).await?;

        if new_link.addresses.is_empty() {
            return Ok(());
        }
        self.put_address_links(&new_link.addresses).await
    }

    async fn create_in_one_transaction(&self, links: &[NewLink]) -> Result<(), StoreError> {
        let mut actions = Vec::with_capacity(MAX_ACTIONS);
        for new_link in links {
            actions.extend(create_link_actions(self.table_name(), &new_link.link)?);
            for address in &new_link.addresses {
                actions.push(self.address_put(address)?);
            }
        }

        self.client()
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("TransactWriteItems", e))?;
        Ok(())
    }

    /// Builds the unconditional put of one address link: the link's own condition
    /// already makes the transaction fail when the customer is linked.
    fn address_put(&self, address: &AddressLink) -> Result<TransactWriteItem, StoreError> {
        let item = AddressItem {
            keys: ItemKeys::new(
                keys::instance_pk(&address.instance_id),
                keys::address_sk(address.magento_customer_id, address.magento_address_id),
            ),
            link: address.clone(),
        };
        let put = Put::builder()
            .table_name(self.table_name())
            .set_item(Some(to_item("address link", &item)?))
            .build()
            .map_err(|e| StoreError::dynamo_message("TransactWriteItems", e.to_string()))?;

        Ok(TransactWriteItem::builder().put(put).build())
    }
}

/// Splits the links into runs that fit one transaction each, in order. A link with
/// more addresses than one transaction takes gets a run of its own, which fails as a
/// transaction and so goes through the one-by-one path.
fn pack(links: &[NewLink]) -> Vec<&[NewLink]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut actions = 0;

    for (index, new_link) in links.iter().enumerate() {
        if index > start && actions + new_link.actions() > MAX_ACTIONS {
            chunks.push(&links[start..index]);
            start = index;
            actions = 0;
        }
        actions += new_link.actions();
    }
    if start < links.len() {
        chunks.push(&links[start..]);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::store::{CustomerSnapshot, LinkState};

    fn new_link(id: u64, addresses: usize) -> NewLink {
        let link = CustomerLink {
            instance_id: "main".into(),
            magento_customer_id: id,
            odoo_partner_id: id as i64,
            customer: CustomerSnapshot::default(),
            magento_fingerprint: String::new(),
            odoo_fingerprint: String::new(),
            last_synced_at: Utc::now(),
            state: LinkState::Synced,
            last_error: None,
        };
        let addresses = (0..addresses as u64)
            .map(|address| AddressLink {
                instance_id: "main".into(),
                magento_customer_id: id,
                magento_address_id: address,
                odoo_partner_id: 0,
                fingerprint: String::new(),
                updated_at: Utc::now(),
            })
            .collect();
        NewLink { link, addresses }
    }

    #[test]
    fn pack_fills_transactions_up_to_100_actions() {
        let links: Vec<NewLink> = (1..=60).map(|id| new_link(id, 2)).collect();

        let sizes: Vec<usize> = pack(&links).iter().map(|chunk| chunk.len()).collect();

        assert_eq!(sizes, [25, 25, 10], "4 actions per link");
    }

    #[test]
    fn pack_isolates_oversized_link() {
        let links = vec![new_link(1, 0), new_link(2, 120), new_link(3, 0)];

        let sizes: Vec<usize> = pack(&links).iter().map(|chunk| chunk.len()).collect();

        assert_eq!(sizes, [1, 1, 1]);
    }
}
