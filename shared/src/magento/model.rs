//! Customer data exactly as Magento 2.4 serializes it on `/V1/customers`.
//!
//! Magento writes snake_case keys, leaves out nullable fields that are null and
//! carries the default address ids as strings on the customer but as `true`
//! flags on the addresses themselves. Every field this crate does not model is
//! kept in `extra`, so a read-modify-write update sends back data that only
//! Magento stores (third-party attributes, B2B fields) instead of dropping it.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A Magento customer (`Magento\Customer\Api\Data\CustomerInterface`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u64>,

    /// Id of the default billing address, as a decimal string (Magento's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_billing: Option<String>,

    /// Id of the default shipping address, as a decimal string (Magento's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_shipping: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,

    /// Creation time, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,

    /// Last change, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,

    /// Name of the store view the account was created in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_in: Option<String>,

    /// Date of birth, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,

    #[serde(default)]
    pub email: String,

    #[serde(default)]
    pub firstname: String,

    #[serde(default)]
    pub lastname: String,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middlename: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,

    /// Magento's gender option id (1 male, 2 female, 3 not specified in a
    /// default install).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<u32>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<u64>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_id: Option<u64>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxvat: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_auto_group_change: Option<u32>,

    /// The full address list. It is always sent, because on PUT Magento deletes
    /// every stored address that is missing from it.
    #[serde(default, deserialize_with = "compact")]
    pub addresses: Vec<Address>,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_attributes: Vec<CustomAttribute>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_attributes: Option<ExtensionAttributes>,

    /// Fields this crate does not model, sent back unchanged on update.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A customer address (`Magento\Customer\Api\Data\AddressInterface`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Magento's address id; `None` creates a new address on save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<u64>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,

    /// Numeric region id. Magento requires it for countries with a region list
    /// (US, IN, ...) and rejects it for countries without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<u64>,

    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<String>,

    /// Street lines. The store's `customer/address/street_lines` setting caps
    /// how many Magento accepts (2 by default).
    #[serde(default, deserialize_with = "compact")]
    pub street: Vec<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middlename: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,

    /// Magento writes this flag only on the default billing address, as `true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub default_billing: bool,

    /// Magento writes this flag only on the default shipping address, as `true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub default_shipping: bool,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_attributes: Vec<CustomAttribute>,

    /// Fields this crate does not model, sent back unchanged on update.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The region object of an address. Magento always sends it, with nulls inside
/// when the address has no region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,

    /// Region name as shown to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<u64>,
}

/// One EAV attribute outside the fixed interface, e.g. a custom text field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomAttribute {
    pub attribute_code: String,

    /// A string for most attributes, a list for some multi-select ones.
    pub value: Value,
}

/// The customer's `extension_attributes` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtensionAttributes {
    /// Newsletter subscription, added by Magento_Newsletter on reads and
    /// accepted on writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_subscribed: Option<bool>,

    /// Extension attributes of other modules, sent back unchanged on update.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A page of `GET /V1/.../search` results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults<T> {
    #[serde(
        default = "Vec::new",
        deserialize_with = "compact",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub items: Vec<T>,

    /// The request's criteria echoed back. Since 2.4.4 `page_size` is missing
    /// from it unless the request sent one, so clients must not read it.
    #[serde(default)]
    pub search_criteria: Value,

    /// Number of matches before paging.
    pub total_count: u64,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

/// Deserializes a list without spare room. JSON does not give a list's length up
/// front, so serde grows the list by doubling from four. A customer with one address
/// would keep room for four (480 bytes each), and a bulk pull keeps a few thousand
/// customers in memory at once.
fn compact<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list = Vec::<T>::deserialize(deserializer)?;
    list.shrink_to_fit();
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example_customer() -> Value {
        json!({
            "id": 42, "group_id": 1, "default_billing": "101", "default_shipping": "102",
            "created_at": "2024-05-01 09:15:02", "updated_at": "2024-05-03 17:40:11",
            "created_in": "Default Store View", "dob": "1985-07-14",
            "email": "ana.silva@example.com", "firstname": "Ana", "lastname": "Silva",
            "gender": 2, "store_id": 1, "website_id": 1,
            "addresses": [
                {"id": 101, "customer_id": 42,
                 "region": {"region_code": "TX", "region": "Texas", "region_id": 57},
                 "region_id": 57, "country_id": "US", "street": ["100 Main St", "Suite 4"],
                 "telephone": "5125550100", "postcode": "78701", "city": "Austin",
                 "firstname": "Ana", "lastname": "Silva", "default_billing": true,
                 "loyalty_zone": "south"},
                {"id": 102, "customer_id": 42,
                 "region": {"region_code": null, "region": null, "region_id": 0},
                 "region_id": 0, "country_id": "CZ", "street": ["Vodickova 1"],
                 "telephone": "420555", "postcode": "11000", "city": "Praha",
                 "firstname": "Ana", "lastname": "Silva", "default_shipping": true}
            ],
            "disable_auto_group_change": 0,
            "custom_attributes": [{"attribute_code": "erp_ref", "value": "A-7"}],
            "extension_attributes": {"is_subscribed": false, "company_attributes": {"company_id": 3}},
            "reward_points": 120
        })
    }

    #[test]
    fn customer_round_trip_is_lossless() {
        let input = example_customer();

        let customer: Customer = serde_json::from_value(input.clone()).expect("decode");
        let output = serde_json::to_value(&customer).expect("encode");

        let mut expected = input;
        // Magento sends nulls inside an empty region; they are left out on the way back.
        expected["addresses"][1]["region"] = json!({"region_id": 0});
        assert_eq!(output, expected);
    }

    #[test]
    fn lists_keep_no_spare_room() {
        let body = serde_json::to_vec(&json!({"items": [example_customer()], "total_count": 1}))
            .expect("encode");

        let page: SearchResults<Customer> = serde_json::from_slice(&body).expect("decode");

        assert_eq!(page.items.capacity(), 1);
        let customer = &page.items[0];
        assert_eq!(customer.addresses.capacity(), 2);
        assert_eq!(customer.addresses[1].street.capacity(), 1);
    }

    #[test]
    fn customer_keeps_unknown_fields() {
        let customer: Customer = serde_json::from_value(example_customer()).expect("decode");

        assert_eq!(customer.extra.get("reward_points"), Some(&json!(120)));
        assert_eq!(
            customer.addresses[0].extra.get("loyalty_zone"),
            Some(&json!("south"))
        );
        let extension = customer.extension_attributes.expect("extension attributes");
        assert_eq!(extension.is_subscribed, Some(false));
        assert_eq!(
            extension.extra.get("company_attributes"),
            Some(&json!({"company_id": 3}))
        );
    }

    #[test]
    fn customer_defaults_are_strings_and_flags() {
        let customer: Customer = serde_json::from_value(example_customer()).expect("decode");

        assert_eq!(customer.default_billing.as_deref(), Some("101"));
        assert_eq!(customer.default_shipping.as_deref(), Some("102"));
        assert!(customer.addresses[0].default_billing);
        assert!(!customer.addresses[0].default_shipping);
        assert!(customer.addresses[1].default_shipping);
    }

    #[test]
    fn address_omits_false_flags_and_empty_options() {
        let address = Address {
            street: vec!["1 Road".into()],
            city: Some("Lyon".into()),
            ..Address::default()
        };

        let output = serde_json::to_value(&address).expect("encode");

        assert_eq!(output, json!({"street": ["1 Road"], "city": "Lyon"}));
    }

    #[test]
    fn new_customer_sends_empty_address_list() {
        let customer = Customer {
            email: "a@example.com".into(),
            firstname: "A".into(),
            lastname: "B".into(),
            ..Customer::default()
        };

        let output = serde_json::to_value(&customer).expect("encode");

        assert_eq!(
            output,
            json!({"email": "a@example.com", "firstname": "A", "lastname": "B", "addresses": []})
        );
    }

    #[test]
    fn search_results_decode() {
        let page: SearchResults<Customer> = serde_json::from_value(json!({
            "items": [{"id": 1, "email": "a@example.com", "firstname": "A", "lastname": "B", "addresses": []}],
            "search_criteria": {"filter_groups": []},
            "total_count": 45
        }))
        .expect("decode");

        assert_eq!(page.total_count, 45);
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, Some(1));
    }
}
