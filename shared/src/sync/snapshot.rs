//! The link record's copy of a Magento customer: the list-view columns and form fields
//! that the customers API shows without calling Magento, and the name parts that let a
//! later push restore the exact Magento name.

use chrono::Utc;

use crate::magento::{Address, Customer};
use crate::mapping::form::clean;
use crate::mapping::magento_side::parse_address_id;
use crate::store::{CustomerLink, CustomerSnapshot, LinkState};

/// Builds the snapshot of `customer` as Magento returned it.
///
/// `send_welcome_email` is not a Magento field: it is the choice made at "Create in
/// Magento", kept so the form shows it again, and false for pulled customers.
pub fn customer_snapshot(customer: &Customer, send_welcome_email: bool) -> CustomerSnapshot {
    let default_billing = parse_address_id(customer.default_billing.as_deref());
    let default_shipping = parse_address_id(customer.default_shipping.as_deref());
    let billing = default_billing.and_then(|id| find_address(customer, id));

    CustomerSnapshot {
        prefix: clean(customer.prefix.as_deref()),
        firstname: customer.firstname.trim().to_owned(),
        middlename: clean(customer.middlename.as_deref()),
        lastname: customer.lastname.trim().to_owned(),
        suffix: clean(customer.suffix.as_deref()),
        email: customer.email.trim().to_owned(),
        phone: billing.and_then(|address| clean(address.telephone.as_deref())),
        vat: clean(customer.taxvat.as_deref()),
        send_welcome_email,
        default_billing,
        default_shipping,
        company: billing.and_then(|address| clean(address.company.as_deref())),
        street: billing
            .map(|address| address.street.clone())
            .unwrap_or_default(),
        city: billing.and_then(|address| clean(address.city.as_deref())),
        region: billing.and_then(region_name),
        website_id: customer
            .website_id
            .and_then(|id| u32::try_from(id).ok())
            .unwrap_or_default(),
    }
}

/// Builds the link record of a customer synced now, with its snapshot (see
/// [`customer_snapshot`]), the fingerprints of both sides' mapped forms and no address
/// links yet.
pub fn new_link(
    instance_id: &str,
    snapshot: CustomerSnapshot,
    magento_customer_id: u64,
    odoo_partner_id: i64,
    fingerprints: (String, String),
) -> CustomerLink {
    let (magento_fingerprint, odoo_fingerprint) = fingerprints;

    CustomerLink {
        instance_id: instance_id.to_owned(),
        magento_customer_id,
        odoo_partner_id,
        customer: snapshot,
        magento_fingerprint,
        odoo_fingerprint,
        last_synced_at: Utc::now(),
        state: LinkState::Synced,
        last_error: None,
        addresses: Vec::new(),
    }
}

fn find_address(customer: &Customer, id: u64) -> Option<&Address> {
    customer
        .addresses
        .iter()
        .find(|address| address.id == Some(id))
}

/// Returns the region name shown to people: the listed region's name, or the free text
/// of countries without a region list.
fn region_name(address: &Address) -> Option<String> {
    let region = address.region.as_ref()?;

    clean(region.region.as_deref()).or_else(|| clean(region.region_code.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Customer {
        serde_json::from_value(json!({
            "id": 42, "website_id": 2, "default_billing": "101", "default_shipping": "102",
            "email": " Ana.Silva@Example.com ", "firstname": "Ana", "middlename": "",
            "lastname": "Silva", "prefix": "Dr.", "taxvat": "FR123",
            "addresses": [
                {"id": 101, "region": {"region_code": "TX", "region": "Texas", "region_id": 57},
                 "country_id": "US", "street": ["100 Main St", "Suite 4"],
                 "telephone": "5125550100", "company": "Acme", "city": "Austin",
                 "default_billing": true},
                {"id": 102, "country_id": "CZ", "street": ["Vodickova 1"], "city": "Praha",
                 "region": {"region": "Praha"}, "default_shipping": true}
            ]
        }))
        .expect("valid customer")
    }

    #[test]
    fn snapshot_reads_billing_address() {
        let snapshot = customer_snapshot(&customer(), false);

        assert_eq!(snapshot.email, "Ana.Silva@Example.com");
        assert_eq!(snapshot.prefix.as_deref(), Some("Dr."));
        assert_eq!(snapshot.middlename, None);
        assert_eq!(snapshot.phone.as_deref(), Some("5125550100"));
        assert_eq!(snapshot.company.as_deref(), Some("Acme"));
        assert_eq!(snapshot.street, ["100 Main St", "Suite 4"]);
        assert_eq!(snapshot.city.as_deref(), Some("Austin"));
        assert_eq!(snapshot.region.as_deref(), Some("Texas"));
        assert_eq!(snapshot.default_billing, Some(101));
        assert_eq!(snapshot.default_shipping, Some(102));
        assert_eq!(snapshot.website_id, 2);
        assert!(!snapshot.send_welcome_email);
    }

    #[test]
    fn snapshot_without_addresses() {
        let mut customer = customer();
        customer.addresses.clear();
        customer.default_billing = None;
        customer.default_shipping = None;

        let snapshot = customer_snapshot(&customer, true);

        assert_eq!(snapshot.phone, None);
        assert!(snapshot.street.is_empty());
        assert_eq!(snapshot.region, None);
        assert!(snapshot.send_welcome_email);
    }
}
