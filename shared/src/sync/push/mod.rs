//! Odoo to Magento: "Create in Magento" and "Update in Magento".
//!
//! Both check the customer with Magento's rules before any write (email, required
//! fields, name characters, street lines, region ids) and report every bad field with
//! its fix. Neither ever stores or logs a password.

mod create;
mod form_customer;
mod input;
mod update;

use std::collections::HashMap;

use crate::magento::Customer;
use crate::mapping::magento_model::map_magento_customer;
use crate::mapping::{OdooChild, fingerprint};
use crate::store::{AddressLink, CustomerLink};

use super::children::{address_links, address_targets};
use super::context::SyncContext;
use super::error::SyncError;
use super::magento_write::{PartnerVersion, features};

pub use create::{CreateRequest, CreateSource, create_in_magento};
pub use input::CustomerInput;
pub use update::update_in_magento;

/// Returns the address links of a customer just written to Magento from a partner:
/// the default billing address to the partner, every other address to the Odoo child
/// it came from. `previous` contains the links stored before, and `in_order` lists the Odoo
/// children in the order their Magento addresses were sent, for addresses whose content
/// Magento changed on the way (e.g. packed street lines).
pub(super) async fn push_address_links(
    ctx: &SyncContext,
    saved: &Customer,
    partner_id: i64,
    children: &[OdooChild],
    previous: &HashMap<u64, i64>,
    in_order: &[i64],
) -> Result<Vec<AddressLink>, SyncError> {
    let titles = features(ctx).await?.titles;
    let mapped = map_magento_customer(saved, titles);

    let targets = address_targets(&mapped, partner_id, children, previous, in_order);
    Ok(address_links(&targets))
}

/// Returns the fingerprints of both sides after a push: the Magento customer as saved
/// and the partner version that was pushed.
pub(super) async fn push_fingerprints(
    ctx: &SyncContext,
    saved: &Customer,
    version: &PartnerVersion,
) -> Result<(String, String), SyncError> {
    let titles = features(ctx).await?.titles;
    let mapped = map_magento_customer(saved, titles);

    Ok((fingerprint(&mapped.form), fingerprint(&version.form)))
}

/// Logs the outcome of a push with the ids involved.
pub(super) fn log_push(ctx: &SyncContext, link: &CustomerLink, status: &str, action: &str) {
    tracing::info!(
        instance_id = %ctx.instance_id(),
        magento_customer_id = link.magento_customer_id,
        odoo_partner_id = link.odoo_partner_id,
        status,
        "{action}"
    );
}
