//! The Odoo major version the sandbox emulates, and what changes with it.

use serde_json::{Value, json};

/// An emulated Odoo major version. The differences the sandbox reproduces are
/// the ones a customer connector can observe: field set, JSON-2, the JSON-RPC
/// error `code` and the name of `name_search`'s second parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OdooVersion {
    V17,
    V18,
    #[default]
    V19,
}

#[derive(Debug, thiserror::Error)]
#[error("unsupported Odoo version {0:?}: expected 17, 18 or 19")]
pub struct UnsupportedVersion(pub String);

impl std::str::FromStr for OdooVersion {
    type Err = UnsupportedVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().trim_end_matches(".0") {
            "17" => Ok(Self::V17),
            "18" => Ok(Self::V18),
            "19" => Ok(Self::V19),
            _ => Err(UnsupportedVersion(text.to_string())),
        }
    }
}

impl OdooVersion {
    pub fn major(self) -> u32 {
        match self {
            Self::V17 => 17,
            Self::V18 => 18,
            Self::V19 => 19,
        }
    }

    /// `"17.0"`, the `server_serie` and `/web/version` string.
    pub fn serie(self) -> String {
        format!("{}.0", self.major())
    }

    pub fn version_info(self) -> Value {
        json!([self.major(), 0, 0, "final", 0, ""])
    }

    /// `mobile`, `title` and the `res.partner.title` model were removed in
    /// saas-18.1/18.2, so 19.0 is the first major release without them.
    pub fn has_mobile_and_title(self) -> bool {
        self.major() < 19
    }

    /// JSON-2 (`/json/2/<model>/<method>`) first shipped in 19.0.
    pub fn has_json2(self) -> bool {
        self.major() >= 19
    }

    /// JSON-RPC error `code`: 200 in 17/18, 0 in the 19 `odoo/http.py`.
    pub fn rpc_error_code(self) -> i64 {
        if self.major() >= 19 { 0 } else { 200 }
    }

    /// The second parameter of `name_search`: `args` in 17, `domain` from 18.
    pub fn name_search_domain_param(self) -> &'static str {
        if self.major() == 17 { "args" } else { "domain" }
    }

    /// The ValueError text for an unknown field in create/write values.
    pub fn invalid_field_message(self, field: &str, model: &str) -> String {
        if self.major() >= 19 {
            format!("Invalid field '{field}' in '{model}'")
        } else {
            format!("Invalid field '{field}' on model '{model}'")
        }
    }
}
