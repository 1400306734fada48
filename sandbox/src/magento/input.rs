//! Request bodies turned into typed customer and address input, the way Magento's
//! ServiceInputProcessor does: keys inside objects may be snake_case or camelCase,
//! scalars are cast to the declared type, and unknown fields are rejected with the
//! 2.4.7+ message.

use serde_json::{Map, Value, json};

use super::errors::ApiError;

/// Customer fields as sent; `None` means the field was left out.
#[derive(Clone, Debug, Default)]
pub struct CustomerInput {
    pub group_id: Option<u64>,
    pub default_billing: Option<u64>,
    pub default_shipping: Option<u64>,
    pub dob: Option<String>,
    pub email: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub middlename: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub gender: Option<i64>,
    pub store_id: Option<u64>,
    pub taxvat: Option<String>,
    pub website_id: Option<u64>,
    pub addresses: Option<Vec<AddressInput>>,
    pub disable_auto_group_change: Option<i64>,
    pub is_subscribed: Option<bool>,
    pub custom_attributes: Option<Vec<(String, Value)>>,
}

/// Address fields as sent.
#[derive(Clone, Debug, Default)]
pub struct AddressInput {
    pub id: Option<u64>,
    pub region: Option<RegionInput>,
    pub region_id: Option<u64>,
    pub country_id: Option<String>,
    pub street: Option<Vec<String>>,
    pub company: Option<String>,
    pub telephone: Option<String>,
    pub fax: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub middlename: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub vat_id: Option<String>,
    pub default_billing: bool,
    pub default_shipping: bool,
}

/// The `region` object of an address.
#[derive(Clone, Debug, Default)]
pub struct RegionInput {
    pub region_code: Option<String>,
    pub region: Option<String>,
    pub region_id: Option<u64>,
}

const CUSTOMER_FIELDS: [&str; 24] = [
    "id",
    "group_id",
    "default_billing",
    "default_shipping",
    "confirmation",
    "created_at",
    "updated_at",
    "created_in",
    "dob",
    "email",
    "firstname",
    "lastname",
    "middlename",
    "prefix",
    "suffix",
    "gender",
    "store_id",
    "taxvat",
    "website_id",
    "addresses",
    "disable_auto_group_change",
    "extension_attributes",
    "custom_attributes",
    "password_hash",
];

const ADDRESS_FIELDS: [&str; 21] = [
    "id",
    "customer_id",
    "region",
    "region_id",
    "country_id",
    "street",
    "company",
    "telephone",
    "fax",
    "postcode",
    "city",
    "firstname",
    "lastname",
    "middlename",
    "prefix",
    "suffix",
    "vat_id",
    "default_billing",
    "default_shipping",
    "extension_attributes",
    "custom_attributes",
];

/// Converts `camelCase` to `snake_case`; snake_case input passes unchanged.
pub fn to_snake_case(key: &str) -> String {
    let mut snake = String::with_capacity(key.len() + 4);
    for (position, character) in key.chars().enumerate() {
        if character.is_ascii_uppercase() {
            if position > 0 {
                snake.push('_');
            }
            snake.push(character.to_ascii_lowercase());
        } else {
            snake.push(character);
        }
    }
    snake
}

/// Converts `snake_case` to the `UpperCamelCase` that Magento names unknown fields with.
fn to_upper_camel_case(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut characters = part.chars();
            match characters.next() {
                Some(first) => first.to_uppercase().chain(characters).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn unsupported_field(key: &str) -> ApiError {
    ApiError::bad_request(
        "\"%fieldName\" is not supported. Correct the field name and try again.",
        Some(json!({ "fieldName": to_upper_camel_case(key) })),
    )
}

/// Returns the object's entries with snake_case keys, rejecting keys not in `known`.
fn normalize(object: &Map<String, Value>, known: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let mut normalized = Map::new();
    for (key, value) in object {
        let snake = to_snake_case(key);
        if !known.contains(&snake.as_str()) {
            return Err(unsupported_field(&snake));
        }
        normalized.insert(snake, value.clone());
    }
    Ok(normalized)
}

fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Reads an int field; numeric strings are cast as PHP does.
pub fn read_int(object: &Map<String, Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(int) => Ok(Some(int)),
            None => Err(ApiError::wrong_type(&number.to_string(), "int", Some(key))),
        },
        Some(Value::String(text)) => match text.trim().parse::<i64>() {
            Ok(int) => Ok(Some(int)),
            Err(_) => Err(ApiError::wrong_type(text, "int", Some(key))),
        },
        Some(Value::Bool(flag)) => Ok(Some(i64::from(*flag))),
        Some(other) => Err(ApiError::wrong_type(&display(other), "int", Some(key))),
    }
}

fn read_id(object: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match read_int(object, key)? {
        None => Ok(None),
        Some(int) => u64::try_from(int)
            .map(Some)
            .map_err(|_| ApiError::wrong_type(&int.to_string(), "int", Some(key))),
    }
}

fn read_string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(Value::Bool(flag)) => Ok(Some(if *flag {
            "1".to_string()
        } else {
            String::new()
        })),
        Some(other) => Err(ApiError::wrong_type(&display(other), "string", Some(key))),
    }
}

fn read_bool(object: &Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(Value::Number(number)) => Ok(Some(number.as_f64().is_some_and(|value| value != 0.0))),
        Some(Value::String(text)) => match text.as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" | "" => Ok(Some(false)),
            _ => Err(ApiError::wrong_type(text, "bool", Some(key))),
        },
        Some(other) => Err(ApiError::wrong_type(&display(other), "bool", Some(key))),
    }
}

fn as_object<'a>(value: &'a Value, key: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| ApiError::wrong_type(&display(value), "object", Some(key)))
}

/// Parses the `customer` object of a create or update body.
pub fn parse_customer(value: &Value) -> Result<CustomerInput, ApiError> {
    let object = normalize(as_object(value, "customer")?, &CUSTOMER_FIELDS)?;

    let addresses = match object.get("addresses") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(parse_address)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(ApiError::wrong_type(
                &display(other),
                "array",
                Some("addresses"),
            ));
        }
    };

    let is_subscribed = match object.get("extension_attributes") {
        Some(Value::Object(extension)) => read_bool(&normalize_loose(extension), "is_subscribed")?,
        _ => None,
    };

    Ok(CustomerInput {
        group_id: read_id(&object, "group_id")?,
        default_billing: read_id(&object, "default_billing")?,
        default_shipping: read_id(&object, "default_shipping")?,
        dob: read_string(&object, "dob")?.map(|dob| dob.chars().take(10).collect()),
        email: read_string(&object, "email")?,
        firstname: read_string(&object, "firstname")?,
        lastname: read_string(&object, "lastname")?,
        middlename: read_string(&object, "middlename")?,
        prefix: read_string(&object, "prefix")?,
        suffix: read_string(&object, "suffix")?,
        gender: read_int(&object, "gender")?,
        store_id: read_id(&object, "store_id")?,
        taxvat: read_string(&object, "taxvat")?,
        website_id: read_id(&object, "website_id")?,
        addresses,
        disable_auto_group_change: read_int(&object, "disable_auto_group_change")?,
        is_subscribed,
        custom_attributes: parse_custom_attributes(object.get("custom_attributes"))?,
    })
}

/// Extension attributes come from many modules, so unknown keys are kept as they are.
fn normalize_loose(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .map(|(key, value)| (to_snake_case(key), value.clone()))
        .collect()
}

fn parse_custom_attributes(
    value: Option<&Value>,
) -> Result<Option<Vec<(String, Value)>>, ApiError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ApiError::wrong_type(
                &display(other),
                "array",
                Some("custom_attributes"),
            ));
        }
    };

    let mut attributes = Vec::new();
    for item in items {
        let object = normalize_loose(as_object(item, "custom_attributes")?);
        let Some(code) = read_string(&object, "attribute_code")? else {
            return Err(ApiError::required("attribute_code"));
        };
        attributes.push((code, object.get("value").cloned().unwrap_or(Value::Null)));
    }
    Ok(Some(attributes))
}

fn parse_address(value: &Value) -> Result<AddressInput, ApiError> {
    let object = normalize(as_object(value, "addresses")?, &ADDRESS_FIELDS)?;

    let region = match object.get("region") {
        None | Some(Value::Null) => None,
        Some(Value::Object(region)) => {
            let region = normalize_loose(region);
            Some(RegionInput {
                region_code: read_string(&region, "region_code")?,
                region: read_string(&region, "region")?,
                region_id: read_id(&region, "region_id")?,
            })
        }
        Some(Value::String(text)) => Some(RegionInput {
            region: Some(text.clone()),
            ..RegionInput::default()
        }),
        Some(other) => {
            return Err(ApiError::wrong_type(
                &display(other),
                "object",
                Some("region"),
            ));
        }
    };

    let street = match object.get("street") {
        None | Some(Value::Null) => None,
        Some(Value::Array(lines)) => Some(lines.iter().map(display).collect()),
        Some(Value::String(line)) => Some(vec![line.clone()]),
        Some(other) => {
            return Err(ApiError::wrong_type(
                &display(other),
                "array",
                Some("street"),
            ));
        }
    };

    Ok(AddressInput {
        id: read_id(&object, "id")?,
        region,
        region_id: read_id(&object, "region_id")?,
        country_id: read_string(&object, "country_id")?,
        street,
        company: read_string(&object, "company")?,
        telephone: read_string(&object, "telephone")?,
        fax: read_string(&object, "fax")?,
        postcode: read_string(&object, "postcode")?,
        city: read_string(&object, "city")?,
        firstname: read_string(&object, "firstname")?,
        lastname: read_string(&object, "lastname")?,
        middlename: read_string(&object, "middlename")?,
        prefix: read_string(&object, "prefix")?,
        suffix: read_string(&object, "suffix")?,
        vat_id: read_string(&object, "vat_id")?,
        default_billing: read_bool(&object, "default_billing")?.unwrap_or(false),
        default_shipping: read_bool(&object, "default_shipping")?.unwrap_or(false),
    })
}

/// Finds a top-level body parameter by its PHP name or its snake_case form.
pub fn body_param<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name)
        .or_else(|| body.get(&to_snake_case(name)))
        .filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_from_camel() {
        assert_eq!(to_snake_case("defaultBilling"), "default_billing");
        assert_eq!(to_snake_case("group_id"), "group_id");
    }

    #[test]
    fn upper_camel_from_snake() {
        assert_eq!(to_upper_camel_case("favourite_color"), "FavouriteColor");
    }
}
