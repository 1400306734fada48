//! Magento side of the mapping: a customer and its addresses to the canonical form.
//!
//! The functions take borrowed views rather than the client's model types, so the rules
//! are testable on plain data and the model can evolve without touching them.

use super::email::normalize_email;
use super::form::{AddressForm, ChildForm, ChildRole, CustomerForm, clean};
use super::name::NameParts;
use super::street::lines_to_odoo;

/// The fields of one Magento address that the mapping reads.
#[derive(Debug, Clone, Copy)]
pub struct AddressView<'a> {
    pub id: Option<u64>,
    pub names: &'a NameParts,
    pub company: Option<&'a str>,
    pub street: &'a [String],
    pub city: Option<&'a str>,
    pub postcode: Option<&'a str>,
    /// ISO 3166-1 alpha-2 code.
    pub country_id: Option<&'a str>,
    pub region_code: Option<&'a str>,
    pub telephone: Option<&'a str>,
}

/// The fields of one Magento customer that the mapping reads.
#[derive(Debug, Clone)]
pub struct CustomerView<'a> {
    pub names: &'a NameParts,
    pub email: &'a str,
    pub taxvat: Option<&'a str>,
    /// The customer's `default_billing`: an address id as a string, absent without
    /// addresses.
    pub default_billing: Option<&'a str>,
    pub default_shipping: Option<&'a str>,
    pub addresses: Vec<AddressView<'a>>,
}

/// An address child, with the Magento address it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MagentoChild {
    pub magento_address_id: Option<u64>,
    pub child: ChildForm,
}

/// A Magento customer mapped to the canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedCustomer {
    pub form: CustomerForm,
    /// Magento address id carried by the partner itself (the default billing address).
    pub billing_address_id: Option<u64>,
    pub children: Vec<MagentoChild>,
}

/// Maps a Magento customer to the canonical form, applying the address rule in the
/// module documentation: default billing on the partner, a different default shipping
/// as the `delivery` child, every other address as an `other` child.
///
/// `titles` is true when the Odoo version has `res.partner.title` (17 and 18); the prefix
/// then becomes the title instead of part of the name.
pub fn map_customer(customer: &CustomerView<'_>, titles: bool) -> MappedCustomer {
    let billing_id = parse_address_id(customer.default_billing);
    let shipping_id = parse_address_id(customer.default_shipping);

    let billing = billing_id.and_then(|id| customer.addresses.iter().find(|a| a.id == Some(id)));

    let children: Vec<MagentoChild> = customer
        .addresses
        .iter()
        .filter(|address| billing_id.is_none() || address.id != billing_id)
        .map(|address| MagentoChild {
            magento_address_id: address.id,
            child: ChildForm {
                role: if shipping_id.is_some() && address.id == shipping_id {
                    ChildRole::Delivery
                } else {
                    ChildRole::Other
                },
                name: address.names.full_name(true),
                phone: clean(address.telephone),
                address: address_form(address),
            },
        })
        .collect();

    let form = CustomerForm {
        name: customer.names.full_name(!titles),
        title: if titles {
            customer.names.prefix.clone()
        } else {
            None
        },
        email: normalize_email(customer.email),
        phone: billing.and_then(|address| clean(address.telephone)),
        vat: clean(customer.taxvat),
        company: billing.and_then(|address| clean(address.company)),
        address: billing.map(address_form).unwrap_or_default(),
        children: children.iter().map(|child| child.child.clone()).collect(),
    }
    .canonicalize();

    MappedCustomer {
        form,
        billing_address_id: billing.and_then(|address| address.id),
        children,
    }
}

/// Maps the location fields of one address.
pub fn address_form(address: &AddressView<'_>) -> AddressForm {
    let (street, street2) = lines_to_odoo(address.street);

    AddressForm {
        street,
        street2,
        city: clean(address.city),
        zip: clean(address.postcode),
        country_code: clean(address.country_id).map(|code| code.to_ascii_uppercase()),
        state_code: clean(address.region_code),
    }
}

/// Parses a customer-level default address id, which Magento sends as a string.
pub fn parse_address_id(value: Option<&str>) -> Option<u64> {
    value.and_then(|text| text.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|text| (*text).to_owned()).collect()
    }

    #[test]
    fn billing_and_shipping_same_address() {
        let names = NameParts::new(Some("Dr."), "Ana", None, "Lima", None);
        let street = lines(&["1 Main St", "Floor 2", "Unit B", "Back door"]);
        let address = AddressView {
            id: Some(10),
            names: &names,
            company: Some("Acme"),
            street: &street,
            city: Some("Austin"),
            postcode: Some("78701"),
            country_id: Some("us"),
            region_code: Some("TX"),
            telephone: Some("555 0100"),
        };
        let customer = CustomerView {
            names: &names,
            email: "Ana.Lima@Example.test",
            taxvat: Some("FR123"),
            default_billing: Some("10"),
            default_shipping: Some("10"),
            addresses: vec![address],
        };

        let mapped = map_customer(&customer, true);

        assert_eq!(mapped.billing_address_id, Some(10));
        assert!(mapped.children.is_empty());
        assert_eq!(mapped.form.name, "Ana Lima");
        assert_eq!(mapped.form.title.as_deref(), Some("Dr."));
        assert_eq!(mapped.form.email, "ana.lima@example.test");
        assert_eq!(mapped.form.phone.as_deref(), Some("555 0100"));
        assert_eq!(mapped.form.company.as_deref(), Some("Acme"));
        assert_eq!(mapped.form.address.country_code.as_deref(), Some("US"));
        assert_eq!(
            mapped.form.address.street2.as_deref(),
            Some("Floor 2, Unit B, Back door")
        );
    }

    #[test]
    fn prefix_in_name_without_titles() {
        let names = NameParts::new(Some("Dr."), "Ana", None, "Lima", None);
        let customer = CustomerView {
            names: &names,
            email: "a@b.test",
            taxvat: None,
            default_billing: None,
            default_shipping: None,
            addresses: vec![],
        };

        let mapped = map_customer(&customer, false);

        assert_eq!(mapped.form.name, "Dr. Ana Lima");
        assert_eq!(mapped.form.title, None);
        assert!(mapped.form.address.is_empty());
        assert_eq!(mapped.form.phone, None);
    }

    #[test]
    fn every_address_has_one_counterpart() {
        let names = NameParts::new(None, "Ana", None, "Lima", None);
        let street = lines(&["x"]);
        let address = |id| AddressView {
            id: Some(id),
            names: &names,
            company: None,
            street: &street,
            city: Some("c"),
            postcode: None,
            country_id: Some("CZ"),
            region_code: None,
            telephone: Some("1"),
        };
        let customer = CustomerView {
            names: &names,
            email: "a@b.test",
            taxvat: None,
            default_billing: Some("1"),
            default_shipping: Some("2"),
            addresses: vec![address(1), address(2), address(3)],
        };

        let mapped = map_customer(&customer, false);

        assert_eq!(mapped.billing_address_id, Some(1));
        let roles: Vec<(Option<u64>, ChildRole)> = mapped
            .children
            .iter()
            .map(|child| (child.magento_address_id, child.child.role))
            .collect();
        assert_eq!(
            roles,
            [(Some(2), ChildRole::Delivery), (Some(3), ChildRole::Other)]
        );
    }

    #[test]
    fn no_default_billing_makes_all_children() {
        let names = NameParts::new(None, "Ana", None, "Lima", None);
        let street = lines(&["x"]);
        let customer = CustomerView {
            names: &names,
            email: "a@b.test",
            taxvat: None,
            default_billing: None,
            default_shipping: None,
            addresses: vec![AddressView {
                id: Some(7),
                names: &names,
                company: None,
                street: &street,
                city: None,
                postcode: None,
                country_id: None,
                region_code: None,
                telephone: None,
            }],
        };

        let mapped = map_customer(&customer, false);

        assert_eq!(mapped.billing_address_id, None);
        assert_eq!(mapped.children.len(), 1);
        assert_eq!(mapped.children[0].child.role, ChildRole::Other);
    }
}
