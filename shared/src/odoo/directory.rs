//! Lookups of countries, states and titles by code or name, cached per
//! client because they rarely change and every address needs them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::json;
use tokio::sync::OnceCell;

use super::call::Call;
use super::client::Client;
use super::email::escape_like;
use super::error::Error;
use super::partners::decode;
use super::value::Many2One;

/// Record id by code.
type CodeMap = HashMap<String, i64>;

/// The per-client caches.
#[derive(Default)]
pub(crate) struct Directory {
    /// Country id by uppercase ISO 3166-1 alpha-2 code.
    countries: OnceCell<HashMap<String, i64>>,
    /// State id by state code, per country id.
    states: Mutex<HashMap<i64, Arc<CodeMap>>>,
    /// Title id by lowercase title name.
    titles: Mutex<HashMap<String, i64>>,
}

#[derive(Deserialize)]
struct CodeRecord {
    id: i64,
    #[serde(default, deserialize_with = "super::value::false_as_none")]
    code: Option<String>,
}

#[derive(Deserialize)]
struct StateRecord {
    id: i64,
    #[serde(default, deserialize_with = "super::value::false_as_none")]
    code: Option<String>,
    #[serde(default, deserialize_with = "super::value::false_as_none")]
    country_id: Option<Many2One>,
}

#[derive(Deserialize)]
struct TitleRecord {
    id: i64,
}

impl Client {
    /// Returns the id of the country with ISO code `iso_code` (any case), or
    /// `None` if the database has no such country. Loads every country in
    /// one call on first use.
    pub async fn country_id(&self, iso_code: &str) -> Result<Option<i64>, Error> {
        let countries = self.countries().await?;

        Ok(countries.get(&iso_code.trim().to_uppercase()).copied())
    }

    /// Returns the upper-case ISO code of the country with id `country_id`,
    /// or `None` if there is no such country. Uses the same cache as
    /// [`Client::country_id`].
    pub async fn country_code(&self, country_id: i64) -> Result<Option<String>, Error> {
        let countries = self.countries().await?;

        Ok(countries
            .iter()
            .find(|(_, id)| **id == country_id)
            .map(|(code, _)| code.clone()))
    }

    async fn countries(&self) -> Result<&HashMap<String, i64>, Error> {
        self.directory()
            .countries
            .get_or_try_init(|| async {
                let call = Call::new("res.country", "search_read")
                    .arg("domain", json!([]))
                    .kwarg("fields", json!(["code"]));

                let records: Vec<CodeRecord> =
                    decode(self.execute(&call).await?, "res.country.search_read")?;

                Ok::<_, Error>(by_code(records, str::to_uppercase))
            })
            .await
    }

    /// Returns the id of the state with `code` in the country `country_id`.
    /// Codes are compared case-insensitively, unlike Odoo's `name_search`,
    /// because Magento region codes do not always match Odoo's case.
    /// Loads all states of a country in one call on first use.
    pub async fn state_id(&self, country_id: i64, code: &str) -> Result<Option<i64>, Error> {
        let states = self.states(country_id).await?;

        Ok(states.get(&code.trim().to_uppercase()).copied())
    }

    /// Returns the upper-case code of the state `state_id` when it belongs to
    /// the country `country_id`, else `None` (Odoo does not check that a
    /// partner's state matches its country). Uses the same per-country cache
    /// as [`Client::state_id`].
    pub async fn state_code(
        &self,
        country_id: i64,
        state_id: i64,
    ) -> Result<Option<String>, Error> {
        let states = self.states(country_id).await?;

        Ok(states
            .iter()
            .find(|(_, id)| **id == state_id)
            .map(|(code, _)| code.clone()))
    }

    async fn states(&self, country_id: i64) -> Result<Arc<CodeMap>, Error> {
        if let Some(states) = self.lock_states()?.get(&country_id).cloned() {
            return Ok(states);
        }

        let call = Call::new("res.country.state", "search_read")
            .arg("domain", json!([["country_id", "=", country_id]]))
            .kwarg("fields", json!(["code"]));

        let records: Vec<CodeRecord> =
            decode(self.execute(&call).await?, "res.country.state.search_read")?;
        let states = Arc::new(by_code(records, str::to_uppercase));

        self.lock_states()?.insert(country_id, Arc::clone(&states));
        Ok(states)
    }

    /// Loads the states of every country in `country_ids` that is not cached yet, in one
    /// call. A page's first addresses can name a dozen countries, and loading their states
    /// one country at a time would delay the page by a dozen round trips.
    pub async fn load_states(&self, country_ids: &[i64]) -> Result<(), Error> {
        let mut missing: Vec<i64> = {
            let cached = self.lock_states()?;
            country_ids
                .iter()
                .copied()
                .filter(|id| !cached.contains_key(id))
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }

        let call = Call::new("res.country.state", "search_read")
            .arg("domain", json!([["country_id", "in", missing]]))
            .kwarg("fields", json!(["code", "country_id"]));
        let records: Vec<StateRecord> =
            decode(self.execute(&call).await?, "res.country.state.search_read")?;

        // Every requested country gets an entry, so a country without states is not
        // requested again.
        let mut by_country: HashMap<i64, CodeMap> =
            missing.iter().map(|id| (*id, CodeMap::new())).collect();
        for record in records {
            let (Some(code), Some(country)) = (record.code, record.country_id) else {
                continue;
            };
            if let Some(states) = by_country.get_mut(&country.id) {
                states.insert(code.to_uppercase(), record.id);
            }
        }

        let mut cached = self.lock_states()?;
        for (country_id, states) in by_country {
            cached.entry(country_id).or_insert_with(|| Arc::new(states));
        }
        Ok(())
    }

    /// Returns the id of the partner title named or abbreviated `name`
    /// (case-insensitive), creating the title when missing. Matching the
    /// abbreviation lets a Magento prefix "Dr." find Odoo's "Doctor". Returns `None` on Odoo 19 and later, which
    /// have no `res.partner.title`, and for a blank name.
    pub async fn title_id(&self, name: &str) -> Result<Option<i64>, Error> {
        let name = name.trim();
        let key = name.to_lowercase();
        if name.is_empty() || !self.partner_fields().await?.title {
            return Ok(None);
        }
        if let Some(id) = self.lock_titles()?.get(&key) {
            return Ok(Some(*id));
        }

        let search = Call::new("res.partner.title", "search_read")
            .arg(
                "domain",
                json!([
                    "|",
                    ["name", "=ilike", escape_like(name)],
                    ["shortcut", "=ilike", escape_like(name)]
                ]),
            )
            .kwarg("fields", json!(["id"]))
            .kwarg("order", "id asc")
            .kwarg("limit", 1);
        let found: Vec<TitleRecord> = decode(
            self.execute(&search).await?,
            "res.partner.title.search_read",
        )?;

        let id = match found.first() {
            Some(title) => title.id,
            None => self.create_title(name).await?,
        };

        self.lock_titles()?.insert(key, id);
        Ok(Some(id))
    }

    async fn create_title(&self, name: &str) -> Result<i64, Error> {
        let call =
            Call::new("res.partner.title", "create").arg("vals_list", json!([{"name": name}]));

        let ids: Vec<i64> = decode(self.execute(&call).await?, "res.partner.title.create")?;

        ids.first().copied().ok_or_else(|| Error::InvalidResponse {
            target: "res.partner.title.create".to_owned(),
            detail: "created no record".to_owned(),
        })
    }

    fn lock_states(&self) -> Result<std::sync::MutexGuard<'_, HashMap<i64, Arc<CodeMap>>>, Error> {
        self.directory()
            .states
            .lock()
            .map_err(|_| poisoned("state"))
    }

    fn lock_titles(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, i64>>, Error> {
        self.directory()
            .titles
            .lock()
            .map_err(|_| poisoned("title"))
    }
}

fn by_code(records: Vec<CodeRecord>, fold: fn(&str) -> String) -> HashMap<String, i64> {
    records
        .into_iter()
        .filter_map(|record| Some((fold(record.code.as_deref()?), record.id)))
        .collect()
}

fn poisoned(cache: &str) -> Error {
    Error::InvalidConfig(format!(
        "the {cache} cache is unusable because a thread panicked while updating it; rebuild the client"
    ))
}
