//! Country and region lookups (`GET /V1/directory/countries[/:id]`), cached
//! for the life of the client because the directory changes only with a
//! store's configuration.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use tokio::sync::{Mutex, OnceCell};

use super::client::{ApiRequest, Client};
use super::error::{Error, ErrorKind};

/// A country as Magento's directory returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, e.g. `US`.
    pub id: String,

    #[serde(default)]
    pub two_letter_abbreviation: Option<String>,

    #[serde(default)]
    pub three_letter_abbreviation: Option<String>,

    #[serde(default)]
    pub full_name_locale: Option<String>,

    #[serde(default)]
    pub full_name_english: Option<String>,

    /// Regions a customer address in this country must pick from; empty when
    /// the country takes a free-text region.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub available_regions: Vec<RegionInfo>,
}

/// A region of a country's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// Region id; Magento declares it a string, so numbers are read as text.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,

    /// Region code, e.g. `CA`.
    pub code: String,

    pub name: String,
}

impl Country {
    /// Finds a region by its code, ignoring case.
    pub fn region_by_code(&self, code: &str) -> Option<&RegionInfo> {
        self.available_regions
            .iter()
            .find(|region| region.code.eq_ignore_ascii_case(code))
    }
}

#[derive(Debug, Default)]
pub(crate) struct DirectoryCache {
    all: OnceCell<Arc<Vec<Country>>>,
    by_id: Mutex<HashMap<String, Arc<Country>>>,
}

impl Client {
    /// Returns every country of the store, fetched once per client.
    pub async fn countries(&self) -> Result<Arc<Vec<Country>>, Error> {
        let cache = self.directory_cache();

        let countries = cache
            .all
            .get_or_try_init(|| async {
                let request = ApiRequest::new(
                    Method::GET,
                    "/V1/directory/countries",
                    "/V1/directory/countries",
                );
                let countries: Vec<Country> = self.call(request).await?;
                Ok::<_, Error>(Arc::new(countries))
            })
            .await?;
        Ok(Arc::clone(countries))
    }

    /// Returns one country with its regions, fetched once per client and
    /// country, or taken from [`countries`](Self::countries) when that list
    /// was loaded. `country_id` is the ISO 3166-1 alpha-2 code, in any case.
    pub async fn country(&self, country_id: &str) -> Result<Arc<Country>, Error> {
        const ROUTE: &str = "/V1/directory/countries/:countryId";

        let is_code = country_id.len() == 2 && country_id.chars().all(|c| c.is_ascii_alphabetic());
        if !is_code {
            return Err(Error::new(
                ErrorKind::Validation,
                &format!("GET {ROUTE}"),
                format!("invalid country code {country_id:?}: expected two letters, e.g. \"US\""),
            ));
        }
        let country_id = country_id.to_ascii_uppercase();

        let cache = self.directory_cache();
        if let Some(country) = cache.by_id.lock().await.get(&country_id) {
            return Ok(Arc::clone(country));
        }

        // The list route returns the same objects, regions included.
        let listed = cache
            .all
            .get()
            .and_then(|all| all.iter().find(|country| country.id == country_id));
        if let Some(country) = listed {
            let country = Arc::new(country.clone());
            cache
                .by_id
                .lock()
                .await
                .insert(country_id, Arc::clone(&country));
            return Ok(country);
        }

        let request = ApiRequest::new(
            Method::GET,
            format!("/V1/directory/countries/{country_id}"),
            ROUTE,
        );
        let country: Arc<Country> = Arc::new(self.call(request).await?);

        cache
            .by_id
            .lock()
            .await
            .insert(country_id, Arc::clone(&country));
        Ok(country)
    }
}

fn null_as_empty<'de, D>(deserializer: D) -> Result<Vec<RegionInfo>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<Vec<RegionInfo>>::deserialize(deserializer)?.unwrap_or_default())
}

fn string_or_number<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(u64),
    }

    Ok(match Id::deserialize(deserializer)? {
        Id::Text(text) => text,
        Id::Number(number) => number.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn country_decodes_regions() {
        let country: Country = serde_json::from_value(json!({
            "id": "US", "two_letter_abbreviation": "US", "three_letter_abbreviation": "USA",
            "full_name_locale": "United States", "full_name_english": "United States",
            "available_regions": [{"id": "12", "code": "CA", "name": "California"}, {"id": 57, "code": "TX", "name": "Texas"}]
        }))
        .expect("decode");

        assert_eq!(
            country.region_by_code("ca").map(|r| r.id.as_str()),
            Some("12")
        );
        assert_eq!(
            country.region_by_code("TX").map(|r| r.id.as_str()),
            Some("57")
        );
    }

    #[test]
    fn country_without_regions() {
        let country: Country = serde_json::from_value(json!({"id": "CZ"})).expect("decode");

        assert!(country.available_regions.is_empty());
    }
}
