//! Links between a Magento customer address and the Odoo partner that stores it: the
//! customer's partner for the default billing address, a child contact for the others.
//!
//! Address links live inside their customer link (`CustomerLink::addresses`), so one
//! read returns a customer with its addresses and one write replaces both. A separate
//! item per address would cost a write unit and a transaction action of its own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One Magento address of a linked customer and its Odoo counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLink {
    pub magento_address_id: u64,
    pub odoo_partner_id: i64,
    /// Fingerprint of the Magento address as of the last sync.
    pub fingerprint: String,
    pub updated_at: DateTime<Utc>,
}

/// Returns the Odoo partner of each linked Magento address id.
pub fn partners_by_address(links: &[AddressLink]) -> HashMap<u64, i64> {
    links
        .iter()
        .map(|link| (link.magento_address_id, link.odoo_partner_id))
        .collect()
}
