//! The list-view columns of a customer link, taken from a Magento customer.

use shared::magento::{Address, Customer};
use shared::store::CustomerSnapshot;

/// Builds the snapshot stored with a link: the names, contact fields and the
/// default billing address of `customer`.
pub fn customer_snapshot(customer: &Customer) -> CustomerSnapshot {
    let default_billing = parse_id(customer.default_billing.as_deref());
    let default_shipping = parse_id(customer.default_shipping.as_deref());
    let billing: Option<&Address> = customer
        .addresses
        .iter()
        .find(|address| address.id.is_some() && address.id == default_billing);

    CustomerSnapshot {
        prefix: customer.prefix.clone(),
        firstname: customer.firstname.clone(),
        middlename: customer.middlename.clone(),
        lastname: customer.lastname.clone(),
        suffix: customer.suffix.clone(),
        email: customer.email.clone(),
        phone: billing.and_then(|address| address.telephone.clone()),
        vat: customer.taxvat.clone(),
        send_welcome_email: false,
        default_billing,
        default_shipping,
        company: billing.and_then(|address| address.company.clone()),
        street: billing
            .map(|address| address.street.clone())
            .unwrap_or_default(),
        city: billing.and_then(|address| address.city.clone()),
        region: billing
            .and_then(|address| address.region.as_ref())
            .and_then(|region| region.region.clone()),
        website_id: customer
            .website_id
            .and_then(|id| u32::try_from(id).ok())
            .unwrap_or(0),
    }
}

/// Magento sends the default address ids as strings; an unparsable one counts as unset.
fn parse_id(value: Option<&str>) -> Option<u64> {
    value.and_then(|text| text.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_takes_billing_address() {
        let customer = Customer {
            id: Some(7),
            email: "ada@example.com".into(),
            firstname: "Ada".into(),
            lastname: "Lovelace".into(),
            default_billing: Some("12".into()),
            default_shipping: Some("13".into()),
            website_id: Some(1),
            addresses: vec![
                Address {
                    id: Some(13),
                    city: Some("Shipping town".into()),
                    ..Address::default()
                },
                Address {
                    id: Some(12),
                    city: Some("London".into()),
                    telephone: Some("+44 20 1234".into()),
                    street: vec!["1 Main St".into()],
                    ..Address::default()
                },
            ],
            ..Customer::default()
        };

        let snapshot = customer_snapshot(&customer);

        assert_eq!(snapshot.city.as_deref(), Some("London"));
        assert_eq!(snapshot.phone.as_deref(), Some("+44 20 1234"));
        assert_eq!(snapshot.street, vec!["1 Main St".to_owned()]);
        assert_eq!(snapshot.default_billing, Some(12));
        assert_eq!(snapshot.default_shipping, Some(13));
        assert_eq!(snapshot.website_id, 1);
    }

    #[test]
    fn snapshot_without_addresses() {
        let customer = Customer {
            email: "bob@example.com".into(),
            default_billing: Some("not-a-number".into()),
            ..Customer::default()
        };

        let snapshot = customer_snapshot(&customer);

        assert_eq!(snapshot.default_billing, None);
        assert_eq!(snapshot.city, None);
        assert!(snapshot.street.is_empty());
    }
}
