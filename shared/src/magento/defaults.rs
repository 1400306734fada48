//! Keeps a customer's default billing and shipping addresses consistent
//! before a PUT.
//!
//! Magento stores the defaults twice: as address ids (strings) on the
//! customer, and as `true` flags on the addresses. A PUT whose customer-level
//! id names no address in the list is rejected with 400, and a flagged new
//! address becomes the default once Magento has saved it.

use super::model::{Address, Customer};

#[derive(Clone, Copy)]
enum Role {
    Billing,
    Shipping,
}

impl Role {
    fn customer_id(self, customer: &mut Customer) -> &mut Option<String> {
        match self {
            Self::Billing => &mut customer.default_billing,
            Self::Shipping => &mut customer.default_shipping,
        }
    }

    fn is_flagged(self, address: &Address) -> bool {
        match self {
            Self::Billing => address.default_billing,
            Self::Shipping => address.default_shipping,
        }
    }

    fn set_flag(self, address: &mut Address, value: bool) {
        match self {
            Self::Billing => address.default_billing = value,
            Self::Shipping => address.default_shipping = value,
        }
    }
}

/// Makes the customer-level default ids and the address flags agree.
///
/// For each role, in order of precedence: a new (id-less) address flagged as
/// default keeps the role and the customer-level id is left out, because the
/// address has no id yet. Otherwise the customer-level id wins when it names
/// an address in the list. Otherwise a flagged existing address supplies the
/// id. Otherwise the customer has no default for the role.
pub(crate) fn reconcile_defaults(customer: &mut Customer) {
    reconcile_role(customer, Role::Billing);
    reconcile_role(customer, Role::Shipping);
}

fn reconcile_role(customer: &mut Customer, role: Role) {
    let mut addresses = std::mem::take(&mut customer.addresses);

    let new_default = addresses
        .iter()
        .position(|address| address.id.is_none() && role.is_flagged(address));

    let chosen: Option<u64> = match new_default {
        Some(_) => None,
        None => {
            let named = role
                .customer_id(customer)
                .as_deref()
                .and_then(|text| text.trim().parse::<u64>().ok())
                .filter(|id| addresses.iter().any(|address| address.id == Some(*id)));
            let flagged = addresses
                .iter()
                .find(|address| role.is_flagged(address))
                .and_then(|address| address.id);
            named.or(flagged)
        }
    };

    for (index, address) in addresses.iter_mut().enumerate() {
        let is_default = match new_default {
            Some(position) => index == position,
            None => chosen.is_some() && address.id == chosen,
        };
        role.set_flag(address, is_default);
    }

    *role.customer_id(customer) = chosen.map(|id| id.to_string());
    customer.addresses = addresses;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(id: Option<u64>, billing: bool, shipping: bool) -> Address {
        Address {
            id,
            default_billing: billing,
            default_shipping: shipping,
            ..Address::default()
        }
    }

    fn customer(
        billing: Option<&str>,
        shipping: Option<&str>,
        addresses: Vec<Address>,
    ) -> Customer {
        Customer {
            default_billing: billing.map(str::to_owned),
            default_shipping: shipping.map(str::to_owned),
            addresses,
            ..Customer::default()
        }
    }

    fn flags(customer: &Customer) -> Vec<(bool, bool)> {
        customer
            .addresses
            .iter()
            .map(|address| (address.default_billing, address.default_shipping))
            .collect()
    }

    #[test]
    fn defaults_unchanged_when_consistent() {
        let mut subject = customer(
            Some("101"),
            Some("102"),
            vec![
                address(Some(101), true, false),
                address(Some(102), false, true),
            ],
        );

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing.as_deref(), Some("101"));
        assert_eq!(subject.default_shipping.as_deref(), Some("102"));
        assert_eq!(flags(&subject), vec![(true, false), (false, true)]);
    }

    #[test]
    fn defaults_customer_id_wins_over_stale_flag() {
        let mut subject = customer(
            Some("102"),
            None,
            vec![
                address(Some(101), true, false),
                address(Some(102), false, false),
            ],
        );

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing.as_deref(), Some("102"));
        assert_eq!(flags(&subject), vec![(false, false), (true, false)]);
    }

    #[test]
    fn defaults_dangling_id_dropped() {
        let mut subject = customer(
            Some("999"),
            Some("101"),
            vec![address(Some(101), false, false)],
        );

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing, None);
        assert_eq!(subject.default_shipping.as_deref(), Some("101"));
        assert_eq!(flags(&subject), vec![(false, true)]);
    }

    #[test]
    fn defaults_new_flagged_address_wins() {
        let mut subject = customer(
            Some("101"),
            Some("101"),
            vec![address(Some(101), true, true), address(None, true, false)],
        );

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing, None);
        assert_eq!(subject.default_shipping.as_deref(), Some("101"));
        assert_eq!(flags(&subject), vec![(false, true), (true, false)]);
    }

    #[test]
    fn defaults_flag_supplies_missing_id() {
        let mut subject = customer(None, None, vec![address(Some(7), true, true)]);

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing.as_deref(), Some("7"));
        assert_eq!(subject.default_shipping.as_deref(), Some("7"));
    }

    #[test]
    fn defaults_no_addresses() {
        let mut subject = customer(Some("5"), None, Vec::new());

        reconcile_defaults(&mut subject);

        assert_eq!(subject.default_billing, None);
        assert_eq!(subject.default_shipping, None);
    }
}
