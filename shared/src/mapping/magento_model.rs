//! Adapters between the Magento client's model types and the mapping rules: reading a
//! `Customer` into the canonical form, merging Odoo's fields into the current customer
//! for an update, and validating a customer before it is sent.

use std::collections::HashMap;

use crate::magento::{Address, Customer, Region};

use super::email::normalize_email;
use super::form::{AddressForm, CustomerForm, clean};
use super::magento_side::{AddressView, CustomerView, MappedCustomer, address_form, map_customer};
use super::name::NameParts;
use super::street::odoo_to_lines;
use super::validate::{ValidationErrors, Validator};

/// The regions Magento lists per country (its directory), used to send `region_id` only
/// for countries that have a region list.
#[derive(Debug, Clone, Default)]
pub struct RegionDirectory {
    /// Country code (upper case) to its regions, each (region code, region id, name).
    regions: HashMap<String, Vec<(String, u64, String)>>,
}

impl RegionDirectory {
    /// Adds one listed region of `country_code`.
    pub fn add(&mut self, country_code: &str, code: &str, id: u64, name: &str) {
        self.regions
            .entry(country_code.trim().to_ascii_uppercase())
            .or_default()
            .push((code.to_owned(), id, name.to_owned()));
    }

    /// Tells whether Magento has a region list for the country, and so requires
    /// `region_id` there.
    pub fn has_regions(&self, country_code: &str) -> bool {
        self.regions
            .get(&country_code.trim().to_ascii_uppercase())
            .is_some_and(|list| !list.is_empty())
    }

    /// Finds a listed region by (country, code).
    pub fn find(&self, country_code: &str, code: &str) -> Option<(u64, &str)> {
        self.regions
            .get(&country_code.trim().to_ascii_uppercase())?
            .iter()
            .find(|(region_code, _, _)| region_code == code)
            .map(|(_, id, name)| (*id, name.as_str()))
    }

    /// Finds a listed region of `country_code` by its Magento id, returning its code and
    /// name. An id of another country's list is not found.
    pub fn find_id(&self, country_code: &str, id: u64) -> Option<(&str, &str)> {
        self.regions
            .get(&country_code.trim().to_ascii_uppercase())?
            .iter()
            .find(|(_, region_id, _)| *region_id == id)
            .map(|(code, _, name)| (code.as_str(), name.as_str()))
    }
}

/// Reads the five name parts of a customer.
pub fn customer_names(customer: &Customer) -> NameParts {
    NameParts::new(
        customer.prefix.as_deref(),
        &customer.firstname,
        customer.middlename.as_deref(),
        &customer.lastname,
        customer.suffix.as_deref(),
    )
}

fn address_names(address: &Address) -> NameParts {
    NameParts::new(
        address.prefix.as_deref(),
        address.firstname.as_deref().unwrap_or_default(),
        address.middlename.as_deref(),
        address.lastname.as_deref().unwrap_or_default(),
        address.suffix.as_deref(),
    )
}

/// Maps a Magento customer to the canonical form (see [`map_customer`]).
pub fn map_magento_customer(customer: &Customer, titles: bool) -> MappedCustomer {
    let names = customer_names(customer);
    let address_names: Vec<NameParts> = customer.addresses.iter().map(address_names).collect();

    let view = CustomerView {
        names: &names,
        email: &customer.email,
        taxvat: customer.taxvat.as_deref(),
        default_billing: customer.default_billing.as_deref(),
        default_shipping: customer.default_shipping.as_deref(),
        addresses: customer
            .addresses
            .iter()
            .zip(&address_names)
            .map(|(address, names)| address_view(address, names))
            .collect(),
    };

    map_customer(&view, titles)
}

fn address_view<'a>(address: &'a Address, names: &'a NameParts) -> AddressView<'a> {
    AddressView {
        id: address.id,
        names,
        company: address.company.as_deref(),
        street: &address.street,
        city: address.city.as_deref(),
        postcode: address.postcode.as_deref(),
        country_id: address.country_id.as_deref(),
        region_code: address
            .region
            .as_ref()
            .and_then(|region| region.region_code.as_deref()),
        telephone: address.telephone.as_deref(),
    }
}

/// Settings of the Magento instance that shape a write.
#[derive(Debug, Clone, Copy)]
pub struct MagentoWriteSettings {
    /// `customer/address/street_lines` of the store (1 to 4).
    pub street_lines: usize,
    /// True when the Odoo version carries the prefix as a title (17, 18).
    pub titles: bool,
}

/// Merges the fields Odoo holds into the current Magento customer, for a complete PUT.
///
/// Odoo is the source of the names, email, VAT, and the default billing address with its
/// phone and company. Everything else survives as read: the customer id, `website_id`, group, both
/// default address ids, every other address with its id, the newsletter flag and any field
/// the client does not model. A billing address field whose Odoo value still maps from the
/// current Magento value is left as it is, so 4 street lines are not repacked into 2.
/// A customer without a default billing address gets the partner's address as a new
/// one, unless that address equals one of the customer's addresses.
pub fn merge_into_customer(
    current: &Customer,
    form: &CustomerForm,
    names: &NameParts,
    regions: &RegionDirectory,
    settings: MagentoWriteSettings,
) -> Customer {
    let mut merged = current.clone();

    merged.prefix = names.prefix.clone();
    merged.firstname = names.first.clone();
    merged.middlename = names.middle.clone();
    merged.lastname = names.last.clone();
    merged.suffix = names.suffix.clone();

    if normalize_email(&current.email) != form.email {
        merged.email = form.email.clone();
    }
    merged.taxvat = form.vat.clone();

    let billing_id = super::magento_side::parse_address_id(current.default_billing.as_deref());
    let billing = billing_id.and_then(|id| merged.addresses.iter_mut().find(|a| a.id == Some(id)));

    match billing {
        Some(address) => merge_address(address, form, regions, settings),
        // Odoo copies the address of a partner's first address child onto a partner
        // without one, so a customer without a default billing address comes back from
        // Odoo with a copy of one of its own addresses. A copy adds no new address.
        None if has_address(current, &form.address) => {}
        None if !form.address.is_empty() => {
            let mut address = Address {
                firstname: Some(names.first.clone()),
                lastname: Some(names.last.clone()),
                default_billing: true,
                default_shipping: current.default_shipping.is_none(),
                ..Address::default()
            };
            merge_address(&mut address, form, regions, settings);
            merged.addresses.push(address);
        }
        None => {}
    }

    merged
}

/// Tells whether one of the customer's addresses maps to `expected`.
fn has_address(customer: &Customer, expected: &AddressForm) -> bool {
    customer.addresses.iter().any(|address| {
        let names = address_names(address);
        address_form(&address_view(address, &names)) == *expected
    })
}

fn merge_address(
    address: &mut Address,
    form: &CustomerForm,
    regions: &RegionDirectory,
    settings: MagentoWriteSettings,
) {
    address.company = form.company.clone();
    address.telephone = form.phone.clone();

    let names = address_names(address);
    let current = address_form(&address_view(address, &names));
    let wanted = &form.address;

    if current.street != wanted.street || current.street2 != wanted.street2 {
        address.street = odoo_to_lines(
            wanted.street.as_deref(),
            wanted.street2.as_deref(),
            settings.street_lines,
        );
    }
    address.city = wanted.city.clone();
    address.postcode = wanted.zip.clone();

    if current.country_code != wanted.country_code || current.state_code != wanted.state_code {
        address.country_id = wanted.country_code.clone();
        set_region(address, wanted, regions);
    }
}

/// Sets the region the way Magento wants it: a numeric `region_id` for countries with a
/// region list, region text (without an id) for the others.
fn set_region(address: &mut Address, wanted: &AddressForm, regions: &RegionDirectory) {
    let country = wanted.country_code.as_deref().unwrap_or_default();

    if regions.has_regions(country) {
        let listed = wanted
            .state_code
            .as_deref()
            .and_then(|code| regions.find(country, code));

        address.region_id = listed.map(|(id, _)| id);
        address.region = Some(Region {
            region_code: wanted.state_code.clone(),
            region: listed.map(|(_, name)| name.to_owned()),
            region_id: listed.map(|(id, _)| id),
        });
    } else {
        let text = wanted.state_code.clone();
        address.region_id = None;
        address.region = Some(Region {
            region_code: None,
            region: text,
            region_id: None,
        });
    }
}

/// Checks a customer before it is sent to Magento, naming each bad field and the fix.
pub fn validate_customer(
    customer: &Customer,
    regions: &RegionDirectory,
) -> Result<(), ValidationErrors> {
    let mut validator = Validator::new();

    validator.email("email", &customer.email);
    validator.names("", &customer_names(customer));

    for (index, address) in customer.addresses.iter().enumerate() {
        let field = |name: &str| format!("addresses[{index}].{name}");

        validator.names(&field(""), &address_names(address));
        if address.street.iter().all(|line| line.trim().is_empty()) {
            validator.push(
                field("street"),
                "is required by Magento; enter at least one street line",
            );
        }
        validator.require(&field("city"), address.city.as_deref());
        validator.require(&field("telephone"), address.telephone.as_deref());
        validator.require(&field("postcode"), address.postcode.as_deref());
        validator.require(&field("country_id"), address.country_id.as_deref());

        let country = address.country_id.as_deref().unwrap_or_default();
        if regions.has_regions(country) && address.region_id.is_none() {
            validator.push(
                field("region_id"),
                format!("is required for country {country}, which has a region list; set the state in Odoo to one of that country's states"),
            );
        }
    }

    validator.finish()
}

/// Builds a new Magento customer (for "Create in Magento") from the form and name parts:
/// the partner's own address becomes the default billing address and, when there is no
/// delivery child, the default shipping address too.
pub fn new_customer(
    form: &CustomerForm,
    names: &NameParts,
    website_id: Option<u64>,
    regions: &RegionDirectory,
    settings: MagentoWriteSettings,
) -> Customer {
    let empty = Customer {
        website_id,
        ..Customer::default()
    };
    let mut customer = merge_into_customer(&empty, form, names, regions, settings);
    customer.email = clean(Some(form.email.as_str())).unwrap_or_default();

    for child in &form.children {
        let child_names = super::name::split_full_name(&child.name, Some(names), true);
        let child_form = CustomerForm {
            phone: child.phone.clone(),
            company: None,
            address: child.address.clone(),
            ..form.clone()
        };
        let mut address = Address {
            firstname: Some(child_names.first.clone()),
            middlename: child_names.middle.clone(),
            lastname: Some(child_names.last.clone()),
            default_shipping: child.role == super::form::ChildRole::Delivery,
            ..Address::default()
        };
        merge_address(&mut address, &child_form, regions, settings);
        customer.addresses.push(address);
    }

    if customer
        .addresses
        .iter()
        .any(|address| address.default_shipping && !address.default_billing)
    {
        for address in &mut customer.addresses {
            if address.default_billing {
                address.default_shipping = false;
            }
        }
    }

    customer
}

#[cfg(test)]
#[path = "magento_model_tests.rs"]
mod tests;
