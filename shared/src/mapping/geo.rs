//! Country, state and title ids of one Odoo database, keyed by the codes both systems
//! share.

use std::collections::HashMap;

/// Lookups between Odoo record ids and ISO codes.
///
/// The sync fills it from `res.country`, `res.country.state` and `res.partner.title`
/// before mapping, so the mapping itself stays free of remote calls. States are keyed by
/// (country code, state code) because state codes repeat across countries and names are
/// not unique.
#[derive(Debug, Clone, Default)]
pub struct OdooGeo {
    country_ids: HashMap<String, i64>,
    country_codes: HashMap<i64, String>,
    state_ids: HashMap<(String, String), i64>,
    state_codes: HashMap<i64, (String, String)>,
    title_ids: HashMap<String, i64>,
    title_names: HashMap<i64, String>,
}

impl OdooGeo {
    /// Adds a `res.country` record.
    pub fn add_country(&mut self, id: i64, code: &str) {
        let code = code.trim().to_ascii_uppercase();
        self.country_ids.insert(code.clone(), id);
        self.country_codes.insert(id, code);
    }

    /// Adds a `res.country.state` record of the country with ISO code `country_code`.
    pub fn add_state(&mut self, id: i64, country_code: &str, code: &str) {
        let key = (
            country_code.trim().to_ascii_uppercase(),
            code.trim().to_owned(),
        );
        self.state_ids.insert(key.clone(), id);
        self.state_codes.insert(id, key);
    }

    /// Adds a `res.partner.title` record (Odoo 17 and 18).
    pub fn add_title(&mut self, id: i64, name: &str) {
        self.title_ids.insert(name.trim().to_owned(), id);
        self.title_names.insert(id, name.trim().to_owned());
    }

    pub fn country_id(&self, code: &str) -> Option<i64> {
        self.country_ids
            .get(&code.trim().to_ascii_uppercase())
            .copied()
    }

    pub fn country_code(&self, id: i64) -> Option<&str> {
        self.country_codes.get(&id).map(String::as_str)
    }

    /// Finds a state by (country code, state code); Magento region codes and Odoo state
    /// codes compare case-sensitively, as Odoo's `name_search` does.
    pub fn state_id(&self, country_code: &str, code: &str) -> Option<i64> {
        let key = (
            country_code.trim().to_ascii_uppercase(),
            code.trim().to_owned(),
        );
        self.state_ids.get(&key).copied()
    }

    /// Returns the (country code, state code) of a state id.
    pub fn state_code(&self, id: i64) -> Option<(&str, &str)> {
        self.state_codes
            .get(&id)
            .map(|(country, code)| (country.as_str(), code.as_str()))
    }

    pub fn title_id(&self, name: &str) -> Option<i64> {
        self.title_ids.get(name.trim()).copied()
    }

    pub fn title_name(&self, id: i64) -> Option<&str> {
        self.title_names.get(&id).map(String::as_str)
    }
}
