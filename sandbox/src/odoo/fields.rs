//! Field definitions: the type of each field, which drives value conversion
//! on create/write, the read format and the `fields_get` description.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    Char,
    Html,
    Boolean,
    Integer,
    Datetime,
    Selection(&'static [(&'static str, &'static str)]),
    Many2one(&'static str),
    /// Comodel and the many2one field on it that points back.
    One2many(&'static str, &'static str),
    Properties,
}

impl FieldType {
    pub fn odoo_name(self) -> &'static str {
        match self {
            Self::Char => "char",
            Self::Html => "html",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Datetime => "datetime",
            Self::Selection(_) => "selection",
            Self::Many2one(_) => "many2one",
            Self::One2many(..) => "one2many",
            Self::Properties => "properties",
        }
    }
}

/// One field of a model. `stored: false` fields are computed on read.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub kind: FieldType,
    pub string: &'static str,
    pub required: bool,
    pub readonly: bool,
    pub stored: bool,
}

impl FieldDef {
    pub const fn new(name: &'static str, kind: FieldType, string: &'static str) -> Self {
        Self {
            name,
            kind,
            string,
            required: false,
            readonly: false,
            stored: true,
        }
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }

    pub const fn computed(mut self) -> Self {
        self.stored = false;
        self.readonly = true;
        self
    }

    /// Marks a computed field that accepts writes through an inverse.
    pub const fn computed_writable(mut self) -> Self {
        self.stored = false;
        self
    }

    /// Builds the `fields_get` description, restricted to `attributes` when
    /// given.
    pub fn describe(&self, attributes: Option<&[String]>) -> Value {
        let mut all = Map::new();
        all.insert("type".into(), json!(self.kind.odoo_name()));
        all.insert("string".into(), json!(self.string));
        all.insert("required".into(), json!(self.required));
        all.insert("readonly".into(), json!(self.readonly));
        all.insert("store".into(), json!(self.stored));
        all.insert("searchable".into(), json!(true));
        all.insert("sortable".into(), json!(self.stored));

        match self.kind {
            FieldType::Many2one(relation) => {
                all.insert("relation".into(), json!(relation));
            }
            FieldType::One2many(relation, inverse) => {
                all.insert("relation".into(), json!(relation));
                all.insert("relation_field".into(), json!(inverse));
            }
            FieldType::Selection(options) => {
                let pairs: Vec<Value> = options.iter().map(|(k, v)| json!([k, v])).collect();
                all.insert("selection".into(), Value::Array(pairs));
            }
            _ => {}
        }

        match attributes {
            Some(wanted) if !wanted.is_empty() => {
                all.retain(|key, _| wanted.iter().any(|w| w == key));
                Value::Object(all)
            }
            _ => Value::Object(all),
        }
    }
}

/// Fields every model has.
pub const MAGIC_FIELDS: [FieldDef; 4] = [
    FieldDef::new("id", FieldType::Integer, "ID").readonly(),
    FieldDef::new("display_name", FieldType::Char, "Display Name").computed(),
    FieldDef::new("create_date", FieldType::Datetime, "Created on").readonly(),
    FieldDef::new("write_date", FieldType::Datetime, "Last Updated on").readonly(),
];

/// Language codes that the emulated database has installed. `lang` is a
/// selection over these.
pub const INSTALLED_LANGS: &[(&str, &str)] = &[
    ("en_US", "English (US)"),
    ("fr_FR", "French / Français"),
    ("de_DE", "German / Deutsch"),
    ("es_ES", "Spanish / Español"),
    ("it_IT", "Italian / Italiano"),
    ("nl_NL", "Dutch / Nederlands"),
];
