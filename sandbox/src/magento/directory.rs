//! The country directory and `GET /V1/directory/countries[/:id]`.
//!
//! Only the US, Canada and India carry region lists, so every other country takes
//! its region as free text.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::errors::ApiError;
use super::state::AppState;
use crate::regions;

/// One directory country: ISO-2, ISO-3 and English name.
pub struct Country {
    pub id: &'static str,
    pub iso3: &'static str,
    pub name: &'static str,
}

const COUNTRIES: [(&str, &str, &str); 32] = [
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("BE", "BEL", "Belgium"),
    ("BR", "BRA", "Brazil"),
    ("CA", "CAN", "Canada"),
    ("CH", "CHE", "Switzerland"),
    ("CN", "CHN", "China"),
    ("CZ", "CZE", "Czechia"),
    ("DE", "DEU", "Germany"),
    ("DK", "DNK", "Denmark"),
    ("ES", "ESP", "Spain"),
    ("FI", "FIN", "Finland"),
    ("FR", "FRA", "France"),
    ("GB", "GBR", "United Kingdom"),
    ("GR", "GRC", "Greece"),
    ("HK", "HKG", "Hong Kong SAR China"),
    ("HU", "HUN", "Hungary"),
    ("IE", "IRL", "Ireland"),
    ("IN", "IND", "India"),
    ("IT", "ITA", "Italy"),
    ("JP", "JPN", "Japan"),
    ("MX", "MEX", "Mexico"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NZ", "NZL", "New Zealand"),
    ("PL", "POL", "Poland"),
    ("PT", "PRT", "Portugal"),
    ("SE", "SWE", "Sweden"),
    ("SK", "SVK", "Slovakia"),
    ("UA", "UKR", "Ukraine"),
    ("US", "USA", "United States"),
    ("ZA", "ZAF", "South Africa"),
];

/// Countries where the postcode may be left empty (`general/country/optional_zip_countries`).
// NOTE: an estimate of Magento's default list; stores change it in the admin.
const POSTCODE_OPTIONAL: [&str; 2] = ["HK", "IE"];

pub fn country(id: &str) -> Option<Country> {
    COUNTRIES
        .iter()
        .find(|(code, _, _)| *code == id)
        .map(|&(id, iso3, name)| Country { id, iso3, name })
}

pub fn all_country_ids() -> Vec<String> {
    COUNTRIES.iter().map(|(id, _, _)| id.to_string()).collect()
}

pub fn is_postcode_optional(country_id: &str) -> bool {
    POSTCODE_OPTIONAL.contains(&country_id)
}

/// Builds Magento's CountryInformation object; `available_regions` only when the
/// country has a region list, with region ids as strings.
fn country_json(country: &Country) -> Value {
    let mut body = json!({
        "id": country.id,
        "two_letter_abbreviation": country.id,
        "three_letter_abbreviation": country.iso3,
        "full_name_locale": country.name,
        "full_name_english": country.name,
    });

    let regions: Vec<Value> = regions::regions_of(country.id)
        .iter()
        .map(|region| json!({ "id": region.id.to_string(), "code": region.code, "name": region.name }))
        .collect();
    if !regions.is_empty()
        && let Some(object) = body.as_object_mut()
    {
        object.insert("available_regions".to_string(), Value::Array(regions));
    }
    body
}

pub fn list_countries(state: &AppState) -> Value {
    let settings = state.settings();
    let countries: Vec<Value> = COUNTRIES
        .iter()
        .filter(|(id, _, _)| settings.is_country_allowed(id))
        .filter_map(|(id, _, _)| country(id))
        .map(|country| country_json(&country))
        .collect();
    Value::Array(countries)
}

pub fn get_country(state: &AppState, id: &str) -> Result<Value, ApiError> {
    let allowed = state.settings().is_country_allowed(id);

    match country(id) {
        Some(country) if allowed => Ok(country_json(&country)),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Requested country is not available.",
            None,
        )),
    }
}
