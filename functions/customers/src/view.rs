//! Response bodies of the list and form views.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::store::{CustomerLink, CustomerSnapshot, LinkState};

/// One row of the list view.
#[derive(Debug, Serialize)]
pub struct CustomerSummary<'a> {
    pub instance_id: &'a str,
    pub magento_id: u64,
    pub odoo_partner_id: i64,
    pub name: String,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub link_state: LinkState,
    pub last_synced_at: DateTime<Utc>,
}

impl<'a> From<&'a CustomerLink> for CustomerSummary<'a> {
    fn from(link: &'a CustomerLink) -> Self {
        Self {
            instance_id: &link.instance_id,
            magento_id: link.magento_customer_id,
            odoo_partner_id: link.odoo_partner_id,
            name: link.customer.full_name(),
            email: &link.customer.email,
            phone: link.customer.phone.as_deref(),
            city: link.customer.city.as_deref(),
            region: link.customer.region.as_deref(),
            link_state: link.state,
            last_synced_at: link.last_synced_at,
        }
    }
}

/// The form view: every customer field and the link state.
#[derive(Debug, Serialize)]
pub struct CustomerDetail<'a> {
    pub instance_id: &'a str,
    pub magento_id: u64,
    pub odoo_partner_id: i64,
    pub customer: &'a CustomerSnapshot,
    pub link: LinkView<'a>,
}

#[derive(Debug, Serialize)]
pub struct LinkView<'a> {
    pub state: LinkState,
    pub last_error: Option<&'a str>,
    pub last_synced_at: DateTime<Utc>,
}

impl<'a> From<&'a CustomerLink> for CustomerDetail<'a> {
    fn from(link: &'a CustomerLink) -> Self {
        Self {
            instance_id: &link.instance_id,
            magento_id: link.magento_customer_id,
            odoo_partner_id: link.odoo_partner_id,
            customer: &link.customer,
            link: LinkView {
                state: link.state,
                last_error: link.last_error.as_deref(),
                last_synced_at: link.last_synced_at,
            },
        }
    }
}
