//! Customer create, read, update and delete.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::addresses::{SaveKind, build_address};
use super::auth::Caller;
use super::errors::ApiError;
use super::input::{CustomerInput, body_param, parse_customer};
use super::serialization::customer_json;
use super::state::{
    AppState, Customer, Customers, GROUP_IDS, OutboxEmail, Store, default_store_of_website,
    now_timestamp, store_by_id,
};
use super::validation::{check_customer, check_password};

const DUPLICATE_EMAIL: &str =
    "A customer with the same email address already exists in an associated website.";
const DEFAULT_GROUP_ID: u64 = 1;

fn duplicate_email() -> ApiError {
    ApiError::bad_request(DUPLICATE_EMAIL, None)
}

/// Max items of a list inside a request while input limits are on.
const MAX_LIST_ITEMS: usize = 20;

fn customer_param(
    body: &Map<String, Value>,
    input_limits: bool,
) -> Result<CustomerInput, ApiError> {
    let value = body_param(body, "customer").ok_or_else(|| ApiError::required("customer"))?;
    let input = parse_customer(value)?;

    let address_count = input.addresses.as_ref().map_or(0, Vec::len);
    if input_limits && address_count > MAX_LIST_ITEMS {
        return Err(ApiError::bad_request(
            "Maximum items of type \"%type\" is %max",
            Some(
                json!({ "type": "\\Magento\\Customer\\Api\\Data\\AddressInterface", "max": MAX_LIST_ITEMS }),
            ),
        ));
    }
    Ok(input)
}

fn password_param(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body_param(body, "password") {
        None => Ok(None),
        Some(Value::String(password)) => Ok(Some(password.clone())),
        Some(other) => Err(ApiError::wrong_type(&other.to_string(), "string", None)),
    }
}

fn check_group(group_id: u64) -> Result<(), ApiError> {
    if GROUP_IDS.contains(&group_id) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "The specified customer group id does not exist.",
        None,
    ))
}

/// Picks the store and website of a new customer from the input and the URL's store.
fn resolve_store(input: &CustomerInput, url_store: Store) -> Result<Store, ApiError> {
    let store = match (input.store_id, input.website_id) {
        (Some(store_id), _) => store_by_id(store_id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "The store that was requested wasn't found. Verify the store and try again.",
                None,
            )
        })?,
        (None, Some(website_id)) => default_store_of_website(website_id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "The website with id %1 that was requested wasn't found. Verify the website and try again.",
                Some(json!([website_id])),
            )
        })?,
        (None, None) => url_store,
    };

    if let Some(website_id) = input.website_id
        && website_id != store.website_id
    {
        return Err(ApiError::bad_request(
            "The store view is not in the associated website.",
            None,
        ));
    }
    Ok(store)
}

/// Handles `POST /V1/customers`: account creation with an optional password.
pub fn create(
    state: &AppState,
    caller: Caller,
    url_store: Store,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let settings = state.settings();
    let input = customer_param(body, settings.input_limits)?;
    let password = password_param(body)?;

    if input.group_id.is_some() && !caller.can_manage() {
        return Err(ApiError::not_authorized("Magento_Customer::manage"));
    }
    let group_id = input.group_id.unwrap_or(DEFAULT_GROUP_ID);
    check_group(group_id)?;

    let email = input.email.clone().unwrap_or_default().trim().to_string();
    if let Some(password) = &password {
        check_password(password, &email)?;
    }
    check_customer(
        Some(&email),
        input.firstname.as_deref(),
        input.lastname.as_deref(),
        input.middlename.as_deref(),
    )?;
    let store = resolve_store(&input, url_store)?;

    let mut customers = state.write_customers();
    if customers.email_taken(&email, store.website_id, settings.account_share_scope, None) {
        return Err(duplicate_email());
    }

    // The entity id is taken before the addresses are checked, as Magento saves the
    // customer first and deletes it again when an address fails.
    let id = customers.allocate_customer_id();
    let now = now_timestamp();
    let confirmation = (settings.confirmation_required && password.is_some())
        .then(|| uuid::Uuid::new_v4().simple().to_string());

    let mut customer = Customer {
        id,
        group_id,
        default_billing: None,
        default_shipping: None,
        confirmation: confirmation.clone(),
        created_at: now.clone(),
        updated_at: now,
        created_in: store.name.to_string(),
        dob: input.dob.clone(),
        email: email.clone(),
        firstname: input.firstname.clone().unwrap_or_default(),
        lastname: input.lastname.clone().unwrap_or_default(),
        middlename: input.middlename.clone(),
        prefix: input.prefix.clone(),
        suffix: input.suffix.clone(),
        gender: input.gender,
        store_id: store.id,
        taxvat: input.taxvat.clone(),
        website_id: store.website_id,
        addresses: Vec::new(),
        disable_auto_group_change: input.disable_auto_group_change.unwrap_or(0),
        is_subscribed: input.is_subscribed.unwrap_or(false),
        custom_attributes: input.custom_attributes.clone().unwrap_or_default(),
    };

    for address_input in input.addresses.iter().flatten() {
        let address_id = customers.allocate_address_id();
        let Some(address) =
            build_address(address_input, address_id, id, &settings, SaveKind::Create)?
        else {
            continue;
        };
        if address_input.default_billing {
            customer.default_billing = Some(address.id);
        }
        if address_input.default_shipping {
            customer.default_shipping = Some(address.id);
        }
        customer.addresses.push(address);
    }

    let reply = customer_json(&customer, false);
    customers.put(customer);
    drop(customers);

    let template = match (&confirmation, &password) {
        (Some(_), _) => "confirmation",
        (None, None) => "welcome_no_password",
        (None, Some(_)) => "welcome",
    };
    state.send_email(OutboxEmail {
        customer_id: id,
        email,
        template,
    });
    tracing::info!(customer_id = id, "customer created");
    Ok(reply)
}

/// Handles `GET /V1/customers/:customerId`.
pub fn get(state: &AppState, id: u64) -> Result<Value, ApiError> {
    let customers = state.read_customers();

    let customer = customers
        .by_id
        .get(&id)
        .ok_or_else(|| ApiError::no_such_entity("customerId", id))?;
    Ok(customer_json(customer, true))
}

/// Handles `DELETE /V1/customers/:customerId`.
pub fn delete(state: &AppState, id: u64) -> Result<Value, ApiError> {
    let mut customers = state.write_customers();

    customers
        .remove(id)
        .ok_or_else(|| ApiError::no_such_entity("customerId", id))?;
    tracing::info!(customer_id = id, "customer deleted");
    Ok(Value::Bool(true))
}

/// Handles `PUT /V1/customers/:id`; the path id overrides any id in the body.
pub fn update(state: &AppState, id: u64, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let settings = state.settings();
    let input = customer_param(body, settings.input_limits)?;

    let mut customers = state.write_customers();
    let previous = customers
        .by_id
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::no_such_entity("customerId", id))?;

    if let Some(group_id) = input.group_id {
        check_group(group_id)?;
    }
    let email = input.email.clone().unwrap_or_default().trim().to_string();
    check_customer(
        Some(&email),
        input.firstname.as_deref(),
        input.lastname.as_deref(),
        input.middlename.as_deref(),
    )?;

    // Magento checks the email against the website sent in the body. Without one the
    // check matches the customer's own row, which is why updates must send website_id.
    let website_taken = match input.website_id {
        Some(website_id) => {
            customers.email_taken(&email, website_id, settings.account_share_scope, Some(id))
        }
        None => customers.email_taken(
            &email,
            previous.website_id,
            settings.account_share_scope,
            None,
        ),
    };
    if website_taken {
        return Err(duplicate_email());
    }

    let mut customer = merge(&previous, &input);
    if let Some(address_inputs) = &input.addresses {
        replace_addresses(
            &mut customers,
            &mut customer,
            &previous,
            address_inputs,
            &input,
            &settings,
        )?;
    } else {
        customer.default_billing = input.default_billing.or(previous.default_billing);
        customer.default_shipping = input.default_shipping.or(previous.default_shipping);
    }
    customer.updated_at = now_timestamp();

    let reply = customer_json(&customer, true);
    customers.put(customer);
    tracing::info!(customer_id = id, "customer updated");
    Ok(reply)
}

/// Applies the sent fields over the stored customer; left-out fields keep their value.
fn merge(previous: &Customer, input: &CustomerInput) -> Customer {
    let mut customer = previous.clone();

    customer.group_id = input.group_id.unwrap_or(previous.group_id);
    customer.email = input.email.clone().unwrap_or_default().trim().to_string();
    customer.firstname = input.firstname.clone().unwrap_or_default();
    customer.lastname = input.lastname.clone().unwrap_or_default();
    customer.website_id = input.website_id.unwrap_or(previous.website_id);
    customer.store_id = input.store_id.unwrap_or(previous.store_id);

    let optional = [
        (&mut customer.dob, &input.dob),
        (&mut customer.middlename, &input.middlename),
        (&mut customer.prefix, &input.prefix),
        (&mut customer.suffix, &input.suffix),
        (&mut customer.taxvat, &input.taxvat),
    ];
    for (target, sent) in optional {
        if sent.is_some() {
            target.clone_from(sent);
        }
    }
    if input.gender.is_some() {
        customer.gender = input.gender;
    }
    if let Some(flag) = input.disable_auto_group_change {
        customer.disable_auto_group_change = flag;
    }
    if let Some(subscribed) = input.is_subscribed {
        customer.is_subscribed = subscribed;
    }
    if let Some(attributes) = &input.custom_attributes {
        customer.custom_attributes.clone_from(attributes);
    }
    customer
}

/// Replaces the address list: entries with an id update that address, entries
/// without one are created, and stored addresses left out are deleted.
fn replace_addresses(
    customers: &mut Customers,
    customer: &mut Customer,
    previous: &Customer,
    inputs: &[super::input::AddressInput],
    input: &CustomerInput,
    settings: &super::config::Settings,
) -> Result<(), ApiError> {
    let mut addresses = Vec::new();
    let mut default_billing = None;
    let mut default_shipping = None;

    for address_input in inputs {
        let address_id = match address_input.id {
            Some(existing)
                if previous
                    .addresses
                    .iter()
                    .any(|address| address.id == existing) =>
            {
                existing
            }
            Some(unknown) => return Err(ApiError::no_such_entity("addressId", unknown)),
            None => customers.allocate_address_id(),
        };
        let Some(address) = build_address(
            address_input,
            address_id,
            customer.id,
            settings,
            SaveKind::Update,
        )?
        else {
            continue;
        };
        if address_input.default_billing {
            default_billing = Some(address.id);
        }
        if address_input.default_shipping {
            default_shipping = Some(address.id);
        }
        addresses.push(address);
    }

    let ids: Vec<u64> = addresses.iter().map(|address| address.id).collect();
    let sent_defaults = [
        ("default_billing", input.default_billing),
        ("default_shipping", input.default_shipping),
    ];
    for (field, sent) in sent_defaults {
        if let Some(id) = sent
            && !ids.contains(&id)
        {
            return Err(ApiError::bad_request(
                "The %fieldName value is invalid. Set the correct value and try again.",
                Some(json!({ "fieldName": field })),
            ));
        }
    }

    // A list without default flags or ids clears the defaults, as Magento does.
    customer.default_billing = input.default_billing.or(default_billing);
    customer.default_shipping = input.default_shipping.or(default_shipping);
    customer.addresses = addresses;
    Ok(())
}
