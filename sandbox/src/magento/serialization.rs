//! Customers and addresses as Magento's DataObjectProcessor writes them: snake_case
//! keys, nullable nulls left out, default ids as strings on the customer and as
//! `true` flags on the default addresses only.

use serde_json::{Map, Value, json};

use super::state::{Address, Customer};

fn insert_some(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_string(), value);
    }
}

fn text(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|text| Value::String(text.clone()))
}

/// Serializes a customer; `with_confirmation` is false for the create reply, which
/// Magento strips of `confirmation`.
pub fn customer_json(customer: &Customer, with_confirmation: bool) -> Value {
    let mut object = Map::new();

    object.insert("id".into(), json!(customer.id));
    object.insert("group_id".into(), json!(customer.group_id));
    insert_some(
        &mut object,
        "default_billing",
        customer.default_billing.map(|id| json!(id.to_string())),
    );
    insert_some(
        &mut object,
        "default_shipping",
        customer.default_shipping.map(|id| json!(id.to_string())),
    );
    if with_confirmation {
        insert_some(&mut object, "confirmation", text(&customer.confirmation));
    }
    object.insert("created_at".into(), json!(customer.created_at));
    object.insert("updated_at".into(), json!(customer.updated_at));
    object.insert("created_in".into(), json!(customer.created_in));
    insert_some(&mut object, "dob", text(&customer.dob));
    object.insert("email".into(), json!(customer.email));
    object.insert("firstname".into(), json!(customer.firstname));
    object.insert("lastname".into(), json!(customer.lastname));
    insert_some(&mut object, "middlename", text(&customer.middlename));
    insert_some(&mut object, "prefix", text(&customer.prefix));
    insert_some(&mut object, "suffix", text(&customer.suffix));
    insert_some(
        &mut object,
        "gender",
        customer.gender.map(|gender| json!(gender)),
    );
    object.insert("store_id".into(), json!(customer.store_id));
    insert_some(&mut object, "taxvat", text(&customer.taxvat));
    object.insert("website_id".into(), json!(customer.website_id));

    let addresses: Vec<Value> = customer
        .addresses
        .iter()
        .map(|address| address_json(address, customer))
        .collect();
    object.insert("addresses".into(), Value::Array(addresses));
    object.insert(
        "disable_auto_group_change".into(),
        json!(customer.disable_auto_group_change),
    );
    object.insert(
        "extension_attributes".into(),
        json!({ "is_subscribed": customer.is_subscribed }),
    );

    if !customer.custom_attributes.is_empty() {
        let attributes: Vec<Value> = customer
            .custom_attributes
            .iter()
            .map(|(code, value)| json!({ "attribute_code": code, "value": value }))
            .collect();
        object.insert("custom_attributes".into(), Value::Array(attributes));
    }
    Value::Object(object)
}

/// Serializes an address; the region object is always present, with nulls inside
/// when the address has no region.
pub fn address_json(address: &Address, owner: &Customer) -> Value {
    let mut object = Map::new();

    object.insert("id".into(), json!(address.id));
    object.insert("customer_id".into(), json!(address.customer_id));
    object.insert(
        "region".into(),
        json!({
            "region_code": address.region_code,
            "region": address.region,
            "region_id": address.region_id,
        }),
    );
    insert_some(
        &mut object,
        "region_id",
        address.region_id.map(|id| json!(id)),
    );
    object.insert("country_id".into(), json!(address.country_id));
    object.insert("street".into(), json!(address.street));
    insert_some(&mut object, "company", text(&address.company));
    insert_some(&mut object, "telephone", text(&address.telephone));
    insert_some(&mut object, "fax", text(&address.fax));
    insert_some(&mut object, "postcode", text(&address.postcode));
    insert_some(&mut object, "city", text(&address.city));
    insert_some(&mut object, "firstname", text(&address.firstname));
    insert_some(&mut object, "lastname", text(&address.lastname));
    insert_some(&mut object, "middlename", text(&address.middlename));
    insert_some(&mut object, "prefix", text(&address.prefix));
    insert_some(&mut object, "suffix", text(&address.suffix));
    insert_some(&mut object, "vat_id", text(&address.vat_id));

    if owner.default_shipping == Some(address.id) {
        object.insert("default_shipping".into(), json!(true));
    }
    if owner.default_billing == Some(address.id) {
        object.insert("default_billing".into(), json!(true));
    }
    Value::Object(object)
}
