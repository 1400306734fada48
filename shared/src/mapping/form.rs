//! The canonical, Odoo-shaped view of a customer that both systems map into.
//!
//! A Magento customer and an Odoo partner each map to a [`CustomerForm`]. When the two
//! forms are equal, nothing needs writing. The fingerprint of each side's form, stored at
//! the last sync, shows which side changed since.

use serde::{Deserialize, Serialize};

/// The fields of one address that both systems store, in Odoo's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AddressForm {
    pub street: Option<String>,
    pub street2: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country_code: Option<String>,
    /// The region code within `country_code` (Magento `region_code`, Odoo state `code`).
    /// Magento's free region text, used for countries without a region list, has no
    /// place in Odoo, so it stays in Magento and is left out of the form.
    pub state_code: Option<String>,
}

impl AddressForm {
    /// Tells whether the address carries any location at all; a partner without one has
    /// no Magento billing address.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The role of an address child under the partner. Children are never `contact`, because
/// Odoo overwrites a contact child's address with its parent's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChildRole {
    /// The default shipping address, when it is not also the default billing address.
    Delivery,
    /// Any address that is neither default.
    Other,
}

/// One address child of the partner (a Magento address other than the default billing).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChildForm {
    pub role: ChildRole,
    /// Full name of the addressee.
    pub name: String,
    pub phone: Option<String>,
    pub address: AddressForm,
}

/// A customer as both systems see it, after mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    /// Full name; includes the prefix when the Odoo version has no titles (19).
    pub name: String,
    /// The name prefix, as a `res.partner.title` name, on Odoo 17 and 18 only.
    pub title: Option<String>,
    /// Trimmed and lowercased, because both systems compare addresses that way.
    pub email: String,
    /// The default billing address's telephone.
    pub phone: Option<String>,
    pub vat: Option<String>,
    /// The default billing address's company.
    pub company: Option<String>,
    /// The default billing address, stored on the partner itself.
    pub address: AddressForm,
    /// Every other address, sorted so that the order of either system does not matter.
    pub children: Vec<ChildForm>,
}

impl CustomerForm {
    /// Sorts the children into the canonical order. Call after building a form by hand.
    pub fn canonicalize(mut self) -> Self {
        self.children.sort();
        self
    }
}

/// Trims `value` and turns an empty result into `None`, so "", " " and a missing value
/// compare equal across the two systems.
pub fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}
