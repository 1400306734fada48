use serde_json::json;

use super::*;

fn regions() -> RegionDirectory {
    let mut regions = RegionDirectory::default();
    regions.add("US", "CA", 12, "California");
    regions.add("US", "TX", 57, "Texas");
    regions
}

fn settings(street_lines: usize) -> MagentoWriteSettings {
    MagentoWriteSettings {
        street_lines,
        titles: false,
    }
}

fn three_addresses() -> Customer {
    serde_json::from_value(json!({
        "id": 42, "website_id": 1, "group_id": 4,
        "default_billing": "101", "default_shipping": "102",
        "email": "ana.silva@example.com", "firstname": "Ana", "lastname": "Silva",
        "taxvat": "FR123",
        "addresses": [
            {"id": 101, "region": {"region_code": "TX", "region": "Texas", "region_id": 57},
             "region_id": 57, "country_id": "US", "street": ["100 Main St", "Suite 4", "Floor 2"],
             "telephone": "5125550100", "postcode": "78701", "city": "Austin",
             "firstname": "Ana", "lastname": "Silva", "default_billing": true},
            {"id": 102, "region": {"region_code": "CA", "region": "California", "region_id": 12},
             "region_id": 12, "country_id": "US", "street": ["9 Ocean Ave"],
             "telephone": "4155550199", "postcode": "94105", "city": "San Francisco",
             "firstname": "Ana", "lastname": "Silva", "default_shipping": true},
            {"id": 103, "region": {"region": "Praha"}, "country_id": "CZ",
             "street": ["Vodickova 1"], "telephone": "420555", "postcode": "11000",
             "city": "Praha", "firstname": "Ana", "lastname": "Silva"}
        ],
        "extension_attributes": {"is_subscribed": true}
    }))
    .expect("valid customer")
}

#[test]
fn merge_phone_keeps_addresses_and_defaults() {
    let current = three_addresses();
    let mapped = map_magento_customer(&current, false);
    let mut form = mapped.form.clone();
    form.phone = Some("5125559999".into());

    let merged = merge_into_customer(
        &current,
        &form,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    let ids: Vec<Option<u64>> = merged.addresses.iter().map(|a| a.id).collect();
    assert_eq!(ids, [Some(101), Some(102), Some(103)]);
    assert_eq!(merged.default_billing.as_deref(), Some("101"));
    assert_eq!(merged.default_shipping.as_deref(), Some("102"));
    assert_eq!(merged.addresses[0].telephone.as_deref(), Some("5125559999"));
    assert_eq!(merged.addresses[1], current.addresses[1]);
    assert_eq!(merged.addresses[2], current.addresses[2]);
    assert_eq!(merged.id, Some(42));
    assert_eq!(merged.website_id, Some(1));
    assert_eq!(merged.email, "ana.silva@example.com");
}

#[test]
fn merge_first_name_changes_only_names() {
    let current = three_addresses();
    let mapped = map_magento_customer(&current, false);
    let mut names = customer_names(&current);
    names.first = "Anna".into();

    let merged = merge_into_customer(&current, &mapped.form, &names, &regions(), settings(2));

    let mut expected = current.clone();
    expected.firstname = "Anna".into();
    assert_eq!(merged, expected);
}

#[test]
fn merge_keeps_unchanged_street_lines() {
    let current = three_addresses();
    let mapped = map_magento_customer(&current, false);

    let merged = merge_into_customer(
        &current,
        &mapped.form,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    assert_eq!(
        merged.addresses[0].street,
        ["100 Main St", "Suite 4", "Floor 2"]
    );
}

#[test]
fn merge_packs_changed_street_into_limit() {
    let current = three_addresses();
    let mut form = map_magento_customer(&current, false).form;
    form.address.street = Some("1 New St".into());
    form.address.street2 = Some("Unit 5, Floor 3".into());

    let merged = merge_into_customer(
        &current,
        &form,
        &customer_names(&current),
        &regions(),
        settings(1),
    );

    assert_eq!(merged.addresses[0].street, ["1 New St, Unit 5, Floor 3"]);
}

#[test]
fn merge_sends_region_id_for_listed_country() {
    let current = three_addresses();
    let mut form = map_magento_customer(&current, false).form;
    form.address.state_code = Some("CA".into());

    let merged = merge_into_customer(
        &current,
        &form,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    let billing = &merged.addresses[0];
    assert_eq!(billing.region_id, Some(12));
    assert_eq!(billing.region.as_ref().and_then(|r| r.region_id), Some(12));
    assert_eq!(
        billing.region.as_ref().and_then(|r| r.region.as_deref()),
        Some("California")
    );
}

#[test]
fn merge_sends_region_text_for_unlisted_country() {
    let current = three_addresses();
    let mut form = map_magento_customer(&current, false).form;
    form.address.country_code = Some("CZ".into());
    form.address.state_code = Some("Praha".into());

    let merged = merge_into_customer(
        &current,
        &form,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    let billing = &merged.addresses[0];
    assert_eq!(billing.country_id.as_deref(), Some("CZ"));
    assert_eq!(billing.region_id, None);
    assert_eq!(
        billing.region,
        Some(Region {
            region_code: None,
            region: Some("Praha".into()),
            region_id: None
        })
    );
}

#[test]
fn merge_keeps_newsletter_flag() {
    let current = three_addresses();
    let form = map_magento_customer(&current, false).form;

    let merged = merge_into_customer(
        &current,
        &form,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    assert_eq!(
        merged.extension_attributes.and_then(|e| e.is_subscribed),
        Some(true)
    );
}

#[test]
fn map_customer_without_addresses() {
    let customer: Customer = serde_json::from_value(json!({
        "id": 7, "email": "a@b.test", "firstname": "A", "lastname": "B", "addresses": []
    }))
    .expect("valid customer");

    let mapped = map_magento_customer(&customer, false);

    assert!(mapped.form.address.is_empty());
    assert!(mapped.children.is_empty());
    assert_eq!(mapped.billing_address_id, None);
}

#[test]
fn new_customer_sets_both_defaults_on_one_address() {
    let current = three_addresses();
    let mut form = map_magento_customer(&current, false).form;
    form.children.clear();

    let customer = new_customer(
        &form,
        &customer_names(&current),
        Some(1),
        &regions(),
        settings(2),
    );

    assert_eq!(customer.addresses.len(), 1);
    assert!(customer.addresses[0].default_billing);
    assert!(customer.addresses[0].default_shipping);
    assert_eq!(customer.addresses[0].region_id, Some(57));
    assert_eq!(customer.id, None);
    assert_eq!(customer.website_id, Some(1));
}

#[test]
fn new_customer_puts_delivery_child_as_shipping() {
    let current = three_addresses();
    let form = map_magento_customer(&current, false).form;

    let customer = new_customer(
        &form,
        &customer_names(&current),
        Some(1),
        &regions(),
        settings(2),
    );

    let flags: Vec<(bool, bool)> = customer
        .addresses
        .iter()
        .map(|a| (a.default_billing, a.default_shipping))
        .collect();
    assert_eq!(flags, [(true, false), (false, true), (false, false)]);
}

#[test]
fn validate_reports_fields_before_write() {
    let mut customer = three_addresses();
    customer.email = "josé@example.test".into();
    customer.lastname = "Silva <3".into();
    customer.addresses[1].region_id = None;
    customer.addresses[2].city = None;

    let errors = validate_customer(&customer, &regions())
        .expect_err("invalid input")
        .0;

    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "email",
            "lastname",
            "addresses[1].region_id",
            "addresses[2].city"
        ]
    );
}

#[test]
fn validate_accepts_good_customer() {
    assert_eq!(validate_customer(&three_addresses(), &regions()), Ok(()));
}

#[test]
fn region_id_found_only_in_its_country() {
    let mut regions = regions();
    regions.add("CA", "AB", 66, "Alberta");

    assert_eq!(regions.find_id("us", 57), Some(("TX", "Texas")));
    assert_eq!(regions.find_id("US", 66), None);
    assert_eq!(regions.find_id("CA", 66), Some(("AB", "Alberta")));
    assert_eq!(regions.find_id("FR", 57), None);
}

#[test]
fn merge_without_billing_skips_copied_address() {
    let mut current = three_addresses();
    current.addresses.truncate(2);
    current.default_billing = None;
    current.addresses[0].default_billing = false;
    let mapped = map_magento_customer(&current, false);
    // The partner's own address, as Odoo copies it from its first address child.
    let mut copied = mapped.form.clone();
    copied.address = mapped.children[0].child.address.clone();
    let mut moved = copied.clone();
    moved.address.city = Some("Dallas".into());

    let unchanged = merge_into_customer(
        &current,
        &copied,
        &customer_names(&current),
        &regions(),
        settings(2),
    );
    let added = merge_into_customer(
        &current,
        &moved,
        &customer_names(&current),
        &regions(),
        settings(2),
    );

    assert_eq!(unchanged, current);
    assert_eq!(added.addresses.len(), 3);
    assert!(added.addresses[2].default_billing);
    assert_eq!(added.addresses[2].city.as_deref(), Some("Dallas"));
}
