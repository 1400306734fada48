//! Creating many new links in few conditional transactions.
//!
//! A link takes two actions, the link (which carries its address links) and its partner
//! guard, both conditional on not existing. A transaction of at most 100 actions so
//! carries 50 customers, and a page of customers costs a few calls instead of one per
//! customer.

use super::links::{CustomerLink, create_link_actions};
use super::{Store, StoreError};

/// TransactWriteItems accepts at most 100 actions.
const MAX_ACTIONS: usize = 100;
/// The link and its partner guard.
const ACTIONS_PER_LINK: usize = 2;
/// Links that fit one transaction.
const LINKS_PER_TRANSACTION: usize = MAX_ACTIONS / ACTIONS_PER_LINK;

impl Store {
    /// Creates the links, with their address links, in transactions of at most 50
    /// links. When a transaction is cancelled (one link conflicts), its links are
    /// created one by one, so that the others still succeed. Returns one result per
    /// input link, in order; a link that conflicts gets [`StoreError::LinkExists`] and
    /// is not written.
    #[tracing::instrument(skip(self, links), fields(count = links.len()))]
    pub async fn create_links(&self, links: &[CustomerLink]) -> Vec<Result<(), StoreError>> {
        let mut results = Vec::with_capacity(links.len());

        for chunk in links.chunks(LINKS_PER_TRANSACTION) {
            match self.create_in_one_transaction(chunk).await {
                Ok(()) => results.extend(chunk.iter().map(|_| Ok(()))),
                Err(error) => {
                    tracing::debug!(%error, "link transaction failed; creating its links one by one");
                    for link in chunk {
                        results.push(self.create_link(link).await);
                    }
                }
            }
        }
        results
    }

    async fn create_in_one_transaction(&self, links: &[CustomerLink]) -> Result<(), StoreError> {
        let mut actions = Vec::with_capacity(links.len() * ACTIONS_PER_LINK);
        for link in links {
            actions.extend(create_link_actions(self.table_name(), link)?);
        }

        self.client()
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("TransactWriteItems", e))?;
        Ok(())
    }
}
