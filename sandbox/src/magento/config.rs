//! Store settings that change how the emulated Magento behaves, set by start
//! flags or at run time through `PUT /_sandbox/config`.

use serde::{Deserialize, Serialize};

use super::directory;

/// Scope in which customer emails must be unique (`customer/account_share/scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ShareScope {
    Website,
    Global,
}

/// The runtime settings, as `GET /_sandbox/config` returns them and `PUT` replaces them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Accept integration access tokens as bearer tokens; off by default since Magento 2.4.4.
    pub integration_as_bearer: bool,
    /// Magento's web API input limits: max 300 page size, default 20, max 20 list items.
    pub input_limits: bool,
    pub account_share_scope: ShareScope,
    /// Max lines of an address street (`customer/address/street_lines`).
    pub street_lines: usize,
    /// Require email confirmation for new accounts created with a password.
    pub confirmation_required: bool,
    /// Reject the admin token route's valid credentials, as Magento_TwoFactorAuth does.
    pub two_factor_auth: bool,
    /// ISO-2 codes of the countries allowed in addresses.
    pub allowed_countries: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            integration_as_bearer: false,
            input_limits: false,
            account_share_scope: ShareScope::Website,
            street_lines: 2,
            confirmation_required: false,
            two_factor_auth: false,
            allowed_countries: directory::all_country_ids(),
        }
    }
}

/// Invalid runtime settings, reported to the caller of `PUT /_sandbox/config`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("street_lines is {0}, but Magento allows 1 to 4 street lines")]
    StreetLines(usize),
    #[error(
        "allowed_countries contains {0:?}, which is not in the directory; use ISO-2 codes from GET /rest/V1/directory/countries"
    )]
    UnknownCountry(String),
}

impl Settings {
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=4).contains(&self.street_lines) {
            return Err(SettingsError::StreetLines(self.street_lines));
        }
        for country in &self.allowed_countries {
            if directory::country(country).is_none() {
                return Err(SettingsError::UnknownCountry(country.clone()));
            }
        }
        Ok(())
    }

    pub fn is_country_allowed(&self, country_id: &str) -> bool {
        self.allowed_countries
            .iter()
            .any(|allowed| allowed == country_id)
    }
}
