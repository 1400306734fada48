//! Mapping between a Magento 2 customer and an Odoo `res.partner`.
//!
//! # Fields
//!
//! | Magento | Odoo |
//! |---|---|
//! | prefix, firstname, middlename, lastname, suffix | `name` (the parts are kept in the link record); the prefix is `title` on Odoo 17 and 18 and part of `name` on 19 |
//! | email | email |
//! | taxvat | vat |
//! | default billing address: company | company_name |
//! | default billing address: telephone | phone |
//! | extension_attributes.is_subscribed | not synced; Magento's value is never overwritten |
//!
//! # Addresses
//!
//! Every Magento address has exactly one Odoo counterpart, and back:
//!
//! - The **default billing** address is the partner itself (street, city, zip, state,
//!   country, phone, company). When it is also the default shipping address, the partner
//!   carries both roles and there is no delivery child.
//! - The **default shipping** address, when it is a different address, is a child of
//!   type `delivery`.
//! - **Every other** address is a child of type `other`.
//! - Children are never of type `contact`, because Odoo copies the parent's address onto
//!   contact children.
//!
//! Going back, the partner's own address is the default billing address, its first
//! `delivery` child (lowest id) the default shipping address, and every other `delivery`,
//! `other` or `invoice` child a plain address. Children of type `contact` are people, not
//! addresses, and are not synced. The link between each Magento address id and its Odoo
//! partner id is stored, so an address keeps its counterpart across syncs.
//!
//! Street lines: Magento lines map to `street` (first line) and `street2` (all later lines
//! joined with ", "), so pulling 4 lines keeps all the text. Pushing packs `street` and
//! `street2` into the instance's street-line limit, joining overflow into the last line.
//!
//! Regions: an Odoo state is found by (country code, region code), never by name alone.
//! Magento gets a numeric `region_id` for countries with a region list and region text
//! for the others.

pub mod email;
pub mod fingerprint;
pub mod form;
pub mod geo;
pub mod magento_model;
pub mod magento_side;
pub mod name;
pub mod odoo_side;
pub mod street;
pub mod validate;

pub use email::{EmailError, normalize_email, validate_magento_email};
pub use fingerprint::{fingerprint, fingerprint_of};
pub use form::{AddressForm, ChildForm, ChildRole, CustomerForm};
pub use geo::OdooGeo;
pub use magento_model::{
    MagentoWriteSettings, RegionDirectory, map_magento_customer, merge_into_customer, new_customer,
    validate_customer,
};
pub use magento_side::{AddressView, CustomerView, MagentoChild, MappedCustomer, map_customer};
pub use name::{NameParts, split_full_name};
pub use odoo_side::{OdooChild, OdooFeatures, form_from_partner};
pub use validate::{FieldError, ValidationErrors, Validator};
