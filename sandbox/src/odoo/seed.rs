//! Deterministic start data: Odoo's base records, the users, and with
//! `--partners N` a set of partners built for matching tests against the
//! Magento sandbox started with the same seed.
//!
//! For each slot `i` in `1..=N`:
//! - `i % 3 == 1`: a person matching Magento customer `i`
//!   (`people::person(seed, i)`) with `ref` "MAGENTO-<i>". Its email is in
//!   another letter case: the domain is upper-cased when `i / 3` is even or
//!   the local part is not ASCII, else the local part has its case swapped.
//!   `email_normalized` therefore equals the lowercased Magento email. See
//!   [`matching_magento_ids`].
//! - `i % 3 == 2`: a company with two children, a contact-type person and an
//!   invoice address.
//! - `i % 3 == 0`: a person that exists only in Odoo; when `i % 6 == 0` it is
//!   archived.
//!
//! Magento customer 1 (when N >= 1) has a second active partner with the same
//! email, so that a connector meets two partners sharing one address.

use serde_json::{Map, Value, json};

use super::auth::{User, derive_api_key};
use super::context::Context;
use super::errors::OdooError;
use super::models::{country, partner_write, title};
use super::state::{Database, PARTNER, Record};
use crate::people::{self, AddressRegion, Person};

/// uid and login of the administrator whose key `Running` exposes.
pub const ADMIN_UID: i64 = 2;
pub const ADMIN_LOGIN: &str = "admin";
/// A second user, to check that one user's key does not work for another.
pub const DEMO_UID: i64 = 6;
pub const DEMO_LOGIN: &str = "demo";

/// Magento customer ids that get a matching partner with `partners` slots:
/// 1, 4, 7, ... up to `partners`.
pub fn matching_magento_ids(partners: u64) -> Vec<u64> {
    (1..=partners).filter(|i| i % 3 == 1).collect()
}

/// Returns the email that the partner matching Magento customer `index` stores.
pub fn recased_email(email: &str, index: u64) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email.to_string();
    };
    if (index / 3) % 2 == 0 || !local.is_ascii() {
        return format!("{local}@{}", domain.to_uppercase());
    }
    let swapped: String = local
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    format!("{swapped}@{domain}")
}

pub fn load(db: &mut Database, seed: u64, partners: u64) -> Result<(), OdooError> {
    country::seed(db);
    if db.version().has_mobile_and_title() {
        title::seed(db);
    }
    base_partners(db);
    users(db, seed);

    let context = Context::new(
        ADMIN_UID,
        Map::from_iter([("no_vat_validation".to_string(), json!(true))]),
    );
    for index in 1..=partners {
        match index % 3 {
            1 => matching_person(db, &context, seed, index)?,
            2 => company_with_contacts(db, &context, index)?,
            _ => odoo_only_person(db, &context, index)?,
        }
    }
    db.commit();
    Ok(())
}

/// Inserts the partners of a fresh database: the company (1), OdooBot (2,
/// archived), the administrator (3) and the demo user (5).
fn base_partners(db: &mut Database) {
    let rows = [
        (
            1,
            json!({"name": "My Company", "is_company": true, "email": "info@yourcompany.example.com"}),
        ),
        (
            2,
            json!({"name": "OdooBot", "active": false, "email": "odoobot@example.com"}),
        ),
        (
            3,
            json!({"name": "Mitchell Admin", "parent_id": 1, "email": "admin@yourcompany.example.com"}),
        ),
    ];
    for (id, values) in rows {
        let mut record = Record::new();
        record.insert("active", Value::Bool(true));
        record.insert("type", json!("contact"));
        record.insert("is_company", Value::Bool(false));
        record.insert("lang", json!("en_US"));
        record.insert("create_date", json!("2024-01-01 00:00:00"));
        record.insert("write_date", json!("2024-01-01 00:00:00"));
        if let Value::Object(values) = values {
            for (key, value) in values {
                let field: &'static str = match key.as_str() {
                    "name" => "name",
                    "is_company" => "is_company",
                    "email" => "email",
                    "active" => "active",
                    _ => "parent_id",
                };
                record.insert(field, value);
            }
        }
        let normalized = record
            .get("email")
            .and_then(Value::as_str)
            .and_then(super::email::normalize);
        if let Some(normalized) = normalized {
            record.insert("email_normalized", Value::String(normalized));
        }
        db.insert_with_id(PARTNER, id, record);
    }
    db.insert_with_id(PARTNER, 5, demo_partner());
}

fn demo_partner() -> Record {
    let mut record = Record::new();
    record.insert("name", json!("Marc Demo"));
    record.insert("active", Value::Bool(true));
    record.insert("type", json!("contact"));
    record.insert("is_company", Value::Bool(false));
    record.insert("email", json!("mark.brown23@example.com"));
    record.insert("email_normalized", json!("mark.brown23@example.com"));
    record.insert("create_date", json!("2024-01-01 00:00:00"));
    record.insert("write_date", json!("2024-01-01 00:00:00"));
    record
}

fn users(db: &mut Database, seed: u64) {
    let rows = [
        (ADMIN_UID, ADMIN_LOGIN, "Mitchell Admin", 3),
        (DEMO_UID, DEMO_LOGIN, "Marc Demo", 5),
    ];
    for (uid, login, name, partner) in rows {
        let mut record = Record::new();
        record.insert("name", json!(name));
        record.insert("login", json!(login));
        record.insert("active", Value::Bool(true));
        record.insert("partner_id", json!(partner));
        record.insert("lang", json!("en_US"));
        record.insert("tz", json!("Europe/Brussels"));
        db.insert_with_id("res.users", uid, record);
        db.users.push(User {
            uid,
            login: login.to_string(),
            name: name.to_string(),
            api_key: derive_api_key(seed, uid),
        });
    }
}

/// Stamps deterministic create and write dates: one minute per slot.
fn stamp(db: &mut Database, id: i64, index: u64) {
    let Some(mut record) = db.get(PARTNER, id).cloned() else {
        return;
    };
    let minutes = index as i64;
    let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|start| start + chrono::Duration::minutes(minutes))
        .map(|moment| moment.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    record.insert("create_date", json!(date));
    record.insert("write_date", json!(date));
    db.replace(PARTNER, id, record);
}

fn address_vals(db: &Database, person: &Person) -> Map<String, Value> {
    let mut vals = Map::new();
    let Some(address) = person.addresses.first() else {
        return vals;
    };

    vals.insert(
        "street".into(),
        json!(address.street.first().cloned().unwrap_or_default()),
    );
    if let Some(second) = address.street.get(1) {
        vals.insert("street2".into(), json!(second));
    }
    vals.insert("city".into(), json!(address.city));
    vals.insert("zip".into(), json!(address.postcode));

    if let Some(country_id) = country::country_id(&address.country_id) {
        vals.insert("country_id".into(), json!(country_id));
        if let AddressRegion::Listed(region) = &address.region {
            if let Some(state) = country::state_id(db, country_id, region.code) {
                vals.insert("state_id".into(), json!(state));
            }
        }
    }
    vals
}

fn matching_person(
    db: &mut Database,
    context: &Context,
    seed: u64,
    index: u64,
) -> Result<(), OdooError> {
    let person = people::person(seed, index);
    let mut vals = address_vals(db, &person);
    vals.insert(
        "name".into(),
        json!(format!("{} {}", person.firstname, person.lastname)),
    );
    vals.insert("email".into(), json!(recased_email(&person.email, index)));
    vals.insert("phone".into(), json!(person.telephone));
    vals.insert("ref".into(), json!(format!("MAGENTO-{index}")));

    let ids = partner_write::create(db, context, &[vals.clone()])?;
    for id in &ids {
        stamp(db, *id, index);
    }

    if index == 1 {
        vals.insert("ref".into(), json!("MAGENTO-1-DUPLICATE"));
        for id in partner_write::create(db, context, &[vals])? {
            stamp(db, id, index);
        }
    }
    Ok(())
}

fn company_with_contacts(
    db: &mut Database,
    context: &Context,
    index: u64,
) -> Result<(), OdooError> {
    let vals = json!({
        "name": format!("Company {index} Ltd"),
        "is_company": true,
        "email": format!("office{index}@company{index}.example"),
        "street": format!("{index} Market Street"),
        "city": "Leeds",
        "zip": "LS1 4AP",
        "country_id": country::country_id("GB"),
        "child_ids": [
            [0, 0, {"name": format!("Buyer {index}"), "email": format!("buyer{index}@company{index}.example")}],
            [0, 0, {"type": "invoice", "name": "Accounts", "city": "York", "street": "1 Ledger Lane"}],
        ],
    });
    let Value::Object(vals) = vals else {
        return Ok(());
    };
    for id in partner_write::create(db, context, &[vals])? {
        stamp(db, id, index);
        for child in db.children_of(id) {
            stamp(db, child, index);
        }
    }
    Ok(())
}

fn odoo_only_person(db: &mut Database, context: &Context, index: u64) -> Result<(), OdooError> {
    let vals = json!({
        "name": format!("Odoo Contact {index}"),
        "email": format!("odoo.only{index}@partners.example"),
        "active": index % 6 != 0,
    });
    let Value::Object(vals) = vals else {
        return Ok(());
    };
    for id in partner_write::create(db, context, &[vals])? {
        stamp(db, id, index);
    }
    Ok(())
}
