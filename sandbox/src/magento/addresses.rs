//! Address validation and conversion, and `GET /V1/customers/addresses/:id`.
//!
//! Required fields, the street line limit and the country and region rules produce
//! one input exception, grouped when several fail.

use serde_json::{Value, json};

use super::config::Settings;
use super::directory;
use super::errors::{ApiError, ErrorMessage, INVALID_FIELD_VALUE, REQUIRED_FIELD};
use super::input::AddressInput;
use super::serialization;
use super::state::{Address, AppState};
use crate::regions;

/// Whether an address arrives with a new customer or an update; only a create
/// silently drops an address in a disallowed country.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    Create,
    Update,
}

fn is_blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|text| text.trim().is_empty())
}

fn required(field: &str) -> ErrorMessage {
    ErrorMessage::new(REQUIRED_FIELD, Some(json!({ "fieldName": field })))
}

fn invalid(field: &str, value: impl Into<Value>) -> ErrorMessage {
    ErrorMessage::new(
        INVALID_FIELD_VALUE,
        Some(json!({ "fieldName": field, "value": value.into() })),
    )
}

/// Validates `input` and builds the stored address, or returns `Ok(None)` when a
/// create drops it because its country is not allowed.
pub fn build_address(
    input: &AddressInput,
    id: u64,
    customer_id: u64,
    settings: &Settings,
    kind: SaveKind,
) -> Result<Option<Address>, ApiError> {
    let mut errors = Vec::new();

    let street: Vec<String> = input.street.clone().unwrap_or_default();
    let country_id = input.country_id.clone().unwrap_or_default();
    let checks = [
        ("firstname", is_blank(&input.firstname)),
        ("lastname", is_blank(&input.lastname)),
        ("street", street.iter().all(|line| line.trim().is_empty())),
        ("city", is_blank(&input.city)),
        ("telephone", is_blank(&input.telephone)),
        (
            "postcode",
            is_blank(&input.postcode) && !directory::is_postcode_optional(&country_id),
        ),
        ("countryId", country_id.trim().is_empty()),
    ];
    for (field, missing) in checks {
        if missing {
            errors.push(required(field));
        }
    }

    if street.len() > settings.street_lines {
        errors.push(ErrorMessage::new(
            "\"%1\" cannot contain more than %2 lines.",
            Some(json!(["Street Address", settings.street_lines])),
        ));
    }

    let known_country = directory::country(&country_id).is_some();
    if !country_id.is_empty()
        && known_country
        && !settings.is_country_allowed(&country_id)
        && kind == SaveKind::Create
    {
        return Ok(None);
    }
    if !country_id.is_empty() && (!known_country || !settings.is_country_allowed(&country_id)) {
        errors.push(invalid("countryId", country_id.clone()));
    }

    let region = resolve_region(input, &country_id, &mut errors);

    if !errors.is_empty() {
        return Err(ApiError::input(errors));
    }

    let (region_id, region_code, region_name) = region;
    Ok(Some(Address {
        id,
        customer_id,
        region: region_name,
        region_code,
        region_id,
        country_id,
        street,
        company: input.company.clone(),
        telephone: input.telephone.clone(),
        fax: input.fax.clone(),
        postcode: input.postcode.clone(),
        city: input.city.clone(),
        firstname: input.firstname.clone(),
        lastname: input.lastname.clone(),
        middlename: input.middlename.clone(),
        prefix: input.prefix.clone(),
        suffix: input.suffix.clone(),
        vat_id: input.vat_id.clone(),
    }))
}

type ResolvedRegion = (Option<u64>, Option<String>, Option<String>);

/// Resolves the region: a top-level `region_id` wins over the `region` object. A
/// country with a region list needs a listed id (or a code or name that finds one),
/// while any other country takes free text and rejects a region id.
fn resolve_region(
    input: &AddressInput,
    country_id: &str,
    errors: &mut Vec<ErrorMessage>,
) -> ResolvedRegion {
    let object = input.region.clone().unwrap_or_default();
    let region_id = input.region_id.or(object.region_id).filter(|id| *id != 0);

    if !regions::has_region_list(country_id) {
        if let Some(id) = region_id {
            errors.push(invalid("regionId", id));
        }
        let text = object
            .region
            .or(object.region_code)
            .filter(|text| !text.trim().is_empty());
        return (None, text.clone(), text);
    }

    let listed = match region_id {
        Some(id) => u32::try_from(id)
            .ok()
            .and_then(regions::region_by_id)
            .filter(|region| region.country_id == country_id),
        None => object
            .region_code
            .as_deref()
            .and_then(|code| regions::region_by_code(country_id, code))
            .or_else(|| {
                let name = object.region.as_deref()?;
                regions::regions_of(country_id)
                    .into_iter()
                    .find(|region| region.name.eq_ignore_ascii_case(name))
            }),
    };

    match (listed, region_id) {
        (Some(region), _) => (
            Some(u64::from(region.id)),
            Some(region.code.to_string()),
            Some(region.name.to_string()),
        ),
        (None, Some(id)) => {
            errors.push(invalid("regionId", id));
            (None, None, None)
        }
        (None, None) => {
            errors.push(required("regionId"));
            (None, None, None)
        }
    }
}

/// Handles `GET /V1/customers/addresses/:addressId`.
pub fn get_address(state: &AppState, address_id: u64) -> Result<Value, ApiError> {
    let customers = state.read_customers();

    let owner = customers
        .address_owner
        .get(&address_id)
        .and_then(|customer_id| customers.by_id.get(customer_id));
    let found = owner.and_then(|customer| {
        let address = customer
            .addresses
            .iter()
            .find(|address| address.id == address_id)?;
        Some(serialization::address_json(address, customer))
    });

    found.ok_or_else(|| ApiError::no_such_entity("addressId", address_id))
}
