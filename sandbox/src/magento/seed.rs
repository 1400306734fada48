//! Start-up customers built from `people::person(seed, index)`.
//!
//! Timestamps come from the seed and the index, not the wall clock, so two runs with
//! the same seed serve identical data until a client saves a customer.

use chrono::DateTime;

use super::state::{Address, Customer, Customers, STORES};
use crate::people::{self, AddressRegion, Person};

/// 2019-01-01 00:00:00 UTC, the earliest seeded `created_at`.
const FIRST_CREATED_AT: i64 = 1_546_300_800;
/// Seeded `created_at` values spread over five years.
const CREATED_SPAN_SECS: i64 = 5 * 365 * 24 * 3600;
const MAX_UPDATE_DELAY_SECS: u64 = 180 * 24 * 3600;

fn mix(seed: u64, index: u64) -> u64 {
    // SplitMix64 finalizer: spreads nearby (seed, index) pairs over the whole range.
    let mut value = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

fn format_timestamp(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Fills `customers` with ids 1..=count; every fifth customer belongs to website 2.
pub fn seed_customers(customers: &mut Customers, seed: u64, count: u64) {
    let step = CREATED_SPAN_SECS / count.max(1) as i64;

    for index in 1..=count {
        let person = people::person(seed, index);
        let hash = mix(seed, index);

        let created = FIRST_CREATED_AT + (index as i64 - 1) * step + (hash % 3600) as i64;
        let updated = created + ((hash >> 20) % MAX_UPDATE_DELAY_SECS) as i64;
        let store = if index % 5 == 0 { STORES[1] } else { STORES[0] };

        let customer = build_customer(customers, &person, index, store, hash, created, updated);
        customers.put(customer);
    }
}

fn build_customer(
    customers: &mut Customers,
    person: &Person,
    id: u64,
    store: super::state::Store,
    hash: u64,
    created: i64,
    updated: i64,
) -> Customer {
    let mut customer = Customer {
        id,
        group_id: if id % 7 == 0 { 2 } else { 1 },
        default_billing: None,
        default_shipping: None,
        confirmation: None,
        created_at: format_timestamp(created),
        updated_at: format_timestamp(updated),
        created_in: store.name.to_string(),
        dob: person.dob.clone(),
        email: person.email.clone(),
        firstname: person.firstname.clone(),
        lastname: person.lastname.clone(),
        middlename: person.middlename.clone(),
        prefix: person.prefix.clone(),
        suffix: person.suffix.clone(),
        gender: person.gender.map(i64::from),
        store_id: store.id,
        taxvat: person.taxvat.clone(),
        website_id: store.website_id,
        addresses: Vec::new(),
        disable_auto_group_change: 0,
        is_subscribed: hash % 3 == 0,
        custom_attributes: Vec::new(),
    };

    for generated in &person.addresses {
        let address_id = customers.allocate_address_id();
        let (region_id, region_code, region) = match &generated.region {
            AddressRegion::Listed(listed) => (
                Some(u64::from(listed.id)),
                Some(listed.code.to_string()),
                Some(listed.name.to_string()),
            ),
            AddressRegion::Text(text) => (None, Some(text.clone()), Some(text.clone())),
        };

        if generated.default_billing {
            customer.default_billing = Some(address_id);
        }
        if generated.default_shipping {
            customer.default_shipping = Some(address_id);
        }
        customer.addresses.push(Address {
            id: address_id,
            customer_id: id,
            region,
            region_code,
            region_id,
            country_id: generated.country_id.clone(),
            street: generated.street.clone(),
            company: generated.company.clone(),
            telephone: Some(generated.telephone.clone()),
            fax: None,
            postcode: Some(generated.postcode.clone()),
            city: Some(generated.city.clone()),
            firstname: Some(generated.firstname.clone()),
            lastname: Some(generated.lastname.clone()),
            middlename: None,
            prefix: None,
            suffix: None,
            vat_id: generated.vat_id.clone(),
        });
    }
    customer
}
