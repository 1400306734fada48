//! `GET /V1/customers/search`: filter groups (OR within a group, AND across groups),
//! sort orders, Magento's page clamp and the `search_criteria` echo.
//!
//! Customers live in a BTreeMap by id, so an `entity_id` range filter scans only its
//! range, and only the returned page is serialized.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::input::to_snake_case;
use super::serialization::customer_json;
use super::state::{AppState, Customer};

const MAX_PAGE_SIZE: u64 = 300;
const DEFAULT_LIMITED_PAGE_SIZE: u64 = 20;

/// One filter as sent; `condition_type` stays `None` when left out (it means `eq`).
#[derive(Clone, Debug)]
struct Filter {
    field: String,
    value: String,
    condition_type: Option<String>,
}

#[derive(Clone, Debug)]
struct SortOrder {
    field: String,
    descending: bool,
}

#[derive(Debug)]
struct Criteria {
    filter_groups: Vec<Vec<Filter>>,
    sort_orders: Option<Vec<SortOrder>>,
    page_size: Option<u64>,
    current_page: Option<i64>,
}

/// A nested view of the bracketed query keys, e.g. `searchCriteria[filter_groups][0]`.
#[derive(Debug, Default)]
struct Node {
    value: Option<String>,
    children: BTreeMap<String, Node>,
}

impl Node {
    fn insert(&mut self, path: &[String], value: String) {
        match path.split_first() {
            None => self.value = Some(value),
            Some((head, rest)) => self
                .children
                .entry(head.clone())
                .or_default()
                .insert(rest, value),
        }
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.get(name).or_else(|| {
            self.children
                .iter()
                .find(|(key, _)| to_snake_case(key) == name)
                .map(|(_, node)| node)
        })
    }

    /// Children ordered by numeric index, as PHP arrays keep them.
    fn items(&self) -> Vec<&Node> {
        let mut items: Vec<(i64, &Node)> = self
            .children
            .iter()
            .map(|(key, node)| (key.parse().unwrap_or(i64::MAX), node))
            .collect();
        items.sort_by_key(|(index, _)| *index);
        items.into_iter().map(|(_, node)| node).collect()
    }

    fn text(&self, name: &str) -> Option<String> {
        self.child(name).and_then(|node| node.value.clone())
    }
}

fn split_key(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (head, rest) = key
        .split_once('[')
        .map_or((key, ""), |(head, rest)| (head, rest));
    parts.push(head.to_string());
    for part in rest.split('[') {
        let part = part.trim_end_matches(']');
        if !part.is_empty() || !rest.is_empty() {
            parts.push(part.to_string());
        }
    }
    parts
}

fn parse_int(value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse()
        .map_err(|_| ApiError::wrong_type(value, "int", None))
}

fn parse_criteria(query: &str, input_limits: bool) -> Result<Criteria, ApiError> {
    let mut root = Node::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        root.insert(&split_key(&key), value.into_owned());
    }

    let criteria = root
        .child("search_criteria")
        .ok_or_else(|| ApiError::required("searchCriteria"))?;

    let mut filter_groups = Vec::new();
    for group in criteria
        .child("filter_groups")
        .map(Node::items)
        .unwrap_or_default()
    {
        let mut filters = Vec::new();
        for filter in group.child("filters").map(Node::items).unwrap_or_default() {
            filters.push(Filter {
                field: filter.text("field").unwrap_or_default(),
                value: filter.text("value").unwrap_or_default(),
                condition_type: filter.text("condition_type"),
            });
        }
        filter_groups.push(filters);
    }

    let sort_orders = match criteria.child("sort_orders") {
        None => None,
        Some(node) => Some(
            node.items()
                .into_iter()
                .map(parse_sort_order)
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };

    let mut page_size = match criteria.text("page_size") {
        Some(text) => Some(u64::try_from(parse_int(&text)?).unwrap_or(0)),
        None => None,
    };
    if input_limits {
        if page_size.is_some_and(|size| size > MAX_PAGE_SIZE) {
            return Err(ApiError::bad_request(
                "Maximum SearchCriteria pageSize is %max",
                Some(json!({ "max": MAX_PAGE_SIZE })),
            ));
        }
        page_size = page_size.or(Some(DEFAULT_LIMITED_PAGE_SIZE));
    }

    let current_page = criteria
        .text("current_page")
        .map(|text| parse_int(&text))
        .transpose()?;

    Ok(Criteria {
        filter_groups,
        sort_orders,
        page_size,
        current_page,
    })
}

fn parse_sort_order(node: &Node) -> Result<SortOrder, ApiError> {
    let direction = node
        .text("direction")
        .unwrap_or_else(|| "ASC".to_string())
        .to_uppercase();
    let descending = match direction.as_str() {
        "ASC" => false,
        "DESC" => true,
        _ => {
            return Err(ApiError::bad_request(
                "The sort order has to be specified as %1 for ascending order or %2 for descending order.",
                Some(json!(["ASC", "DESC"])),
            ));
        }
    };
    Ok(SortOrder {
        field: node.text("field").unwrap_or_default(),
        descending,
    })
}

/// A field value of one customer: numbers compare numerically, text case-insensitively.
#[derive(Clone, Debug, PartialEq)]
enum FieldValue {
    Number(f64),
    Text(String),
}

fn field_value(customer: &Customer, field: &str) -> Result<Option<FieldValue>, ApiError> {
    let number = |value: u64| Some(FieldValue::Number(value as f64));
    let text = |value: &Option<String>| value.clone().map(FieldValue::Text);
    let billing = customer.default_billing_address();

    let value = match field {
        "entity_id" | "id" => number(customer.id),
        "group_id" => number(customer.group_id),
        "website_id" => number(customer.website_id),
        "store_id" => number(customer.store_id),
        "gender" => customer
            .gender
            .map(|gender| FieldValue::Number(gender as f64)),
        "disable_auto_group_change" => Some(FieldValue::Number(
            customer.disable_auto_group_change as f64,
        )),
        "default_billing" => customer.default_billing.and_then(number),
        "default_shipping" => customer.default_shipping.and_then(number),
        "email" => Some(FieldValue::Text(customer.email.clone())),
        "firstname" => Some(FieldValue::Text(customer.firstname.clone())),
        "lastname" => Some(FieldValue::Text(customer.lastname.clone())),
        "middlename" => text(&customer.middlename),
        "prefix" => text(&customer.prefix),
        "suffix" => text(&customer.suffix),
        "taxvat" => text(&customer.taxvat),
        "dob" => text(&customer.dob),
        "confirmation" => text(&customer.confirmation),
        "created_at" => Some(FieldValue::Text(customer.created_at.clone())),
        "updated_at" => Some(FieldValue::Text(customer.updated_at.clone())),
        "created_in" => Some(FieldValue::Text(customer.created_in.clone())),
        "name" => Some(FieldValue::Text(full_name(customer))),
        "billing_postcode" => billing.and_then(|address| text(&address.postcode)),
        "billing_city" => billing.and_then(|address| text(&address.city)),
        "billing_telephone" => billing.and_then(|address| text(&address.telephone)),
        "billing_region" => billing.and_then(|address| text(&address.region)),
        "billing_country_id" => billing.map(|address| FieldValue::Text(address.country_id.clone())),
        "billing_company" => billing.and_then(|address| text(&address.company)),
        // NOTE: Magento's own error for an unknown attribute differs by release.
        unknown => {
            return Err(ApiError::bad_request(
                "Invalid attribute name: %1",
                Some(json!([unknown])),
            ));
        }
    };
    Ok(value)
}

/// Builds the grid's `name`: prefix, first, middle and last name and suffix joined by spaces.
fn full_name(customer: &Customer) -> String {
    [
        customer.prefix.as_deref(),
        Some(customer.firstname.as_str()),
        customer.middlename.as_deref(),
        Some(customer.lastname.as_str()),
        customer.suffix.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

fn compare(left: &FieldValue, right: &str) -> Option<Ordering> {
    match left {
        FieldValue::Number(number) => right
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|other| number.partial_cmp(&other)),
        FieldValue::Text(text) => Some(text.to_lowercase().cmp(&right.to_lowercase())),
    }
}

fn as_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Number(number) => number.to_string(),
        FieldValue::Text(text) => text.to_lowercase(),
    }
}

/// SQL LIKE: `%` is any run of characters and `_` one character, case-insensitive.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();

    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '_' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|item| item.trim().to_lowercase())
        .collect()
}

/// Applies one condition the way MySQL does: a NULL field matches only `null`.
fn matches(customer: &Customer, filter: &Filter) -> Result<bool, ApiError> {
    let value = field_value(customer, &filter.field)?;
    let condition = filter.condition_type.as_deref().unwrap_or("eq");

    let Some(value) = value else {
        return Ok(condition == "null");
    };
    let ordering = compare(&value, &filter.value);
    let matched = match condition {
        "null" => false,
        "notnull" => true,
        "neq" => ordering != Some(Ordering::Equal),
        "gt" => ordering == Some(Ordering::Greater),
        "gteq" | "moreq" | "from" => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
        "lt" => ordering == Some(Ordering::Less),
        "lteq" | "to" => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        "like" => like(&as_text(&value), &filter.value),
        "nlike" => !like(&as_text(&value), &filter.value),
        "in" => list(&filter.value).contains(&as_text(&value)),
        "nin" => !list(&filter.value).contains(&as_text(&value)),
        "finset" => list(&as_text(&value)).contains(&filter.value.trim().to_lowercase()),
        "nfinset" => !list(&as_text(&value)).contains(&filter.value.trim().to_lowercase()),
        // NOTE: unknown condition types are treated as `eq`; Magento's handling of
        // them was not checked.
        _ => ordering == Some(Ordering::Equal),
    };
    Ok(matched)
}

/// Narrows the id range from groups that hold a single `entity_id` filter, so the
/// scan skips customers that cannot match.
fn id_bounds(groups: &[Vec<Filter>]) -> (Bound<u64>, Bound<u64>) {
    let mut lower = Bound::Unbounded;
    let mut upper = Bound::Unbounded;

    for group in groups {
        let [filter] = group.as_slice() else { continue };
        if filter.field != "entity_id" && filter.field != "id" {
            continue;
        }
        let Ok(value) = filter.value.trim().parse::<u64>() else {
            continue;
        };
        match filter.condition_type.as_deref().unwrap_or("eq") {
            "gt" => lower = tighter_lower(lower, Bound::Excluded(value)),
            "gteq" | "moreq" | "from" => lower = tighter_lower(lower, Bound::Included(value)),
            "eq" => {
                lower = tighter_lower(lower, Bound::Included(value));
                upper = Bound::Included(value);
            }
            "lt" => upper = Bound::Excluded(value),
            "lteq" | "to" => upper = Bound::Included(value),
            _ => {}
        }
    }
    (lower, upper)
}

/// Detects bounds that no id satisfies, which `BTreeMap::range` would panic on.
fn is_empty_range(bounds: (Bound<u64>, Bound<u64>)) -> bool {
    match bounds {
        (Bound::Included(low), Bound::Included(high)) => low > high,
        (Bound::Included(low), Bound::Excluded(high))
        | (Bound::Excluded(low), Bound::Included(high))
        | (Bound::Excluded(low), Bound::Excluded(high)) => low >= high,
        _ => false,
    }
}

fn tighter_lower(current: Bound<u64>, candidate: Bound<u64>) -> Bound<u64> {
    let key = |bound: &Bound<u64>| match bound {
        Bound::Unbounded => (0, 0),
        Bound::Included(value) => (*value, 0),
        Bound::Excluded(value) => (*value, 1),
    };
    if key(&candidate) > key(&current) {
        candidate
    } else {
        current
    }
}

fn sort_key_cmp(left: &Customer, right: &Customer, orders: &[SortOrder]) -> Ordering {
    for order in orders {
        let left_value = field_value(left, &order.field).ok().flatten();
        let right_value = field_value(right, &order.field).ok().flatten();
        let ordering = match (&left_value, &right_value) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(FieldValue::Number(a)), Some(FieldValue::Number(b))) => {
                a.partial_cmp(b).unwrap_or(Ordering::Equal)
            }
            (Some(a), Some(b)) => as_text(a).cmp(&as_text(b)),
        };
        let ordering = if order.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    left.id.cmp(&right.id)
}

/// Handles the search; `query` is the raw query string.
pub fn search(state: &AppState, query: &str) -> Result<Value, ApiError> {
    let settings = state.settings();
    let criteria = parse_criteria(query, settings.input_limits)?;

    if let Some(order) = criteria
        .sort_orders
        .iter()
        .flatten()
        .find(|order| !order.field.is_empty())
    {
        let probe = Customer::probe();
        field_value(&probe, &order.field)?;
    }

    let customers = state.read_customers();
    let bounds = id_bounds(&criteria.filter_groups);
    let candidates = if is_empty_range(bounds) {
        None
    } else {
        Some(customers.by_id.range(bounds))
    };

    let mut matched: Vec<&Customer> = Vec::new();
    for customer in candidates
        .into_iter()
        .flatten()
        .map(|(_, customer)| customer)
    {
        let mut keep = true;
        for group in &criteria.filter_groups {
            let mut any = group.is_empty();
            for filter in group {
                if matches(customer, filter)? {
                    any = true;
                    break;
                }
            }
            if !any {
                keep = false;
                break;
            }
        }
        if keep {
            matched.push(customer);
        }
    }

    let orders: Vec<SortOrder> = criteria.sort_orders.clone().unwrap_or_default();
    let by_id_only = orders
        .iter()
        .all(|order| matches!(order.field.as_str(), "entity_id" | "id") && !order.descending);
    if !by_id_only {
        matched.sort_by(|left, right| sort_key_cmp(left, right, &orders));
    }

    let total_count = matched.len() as u64;
    let page_items: &[&Customer] = match criteria.page_size.filter(|size| *size > 0) {
        None => &matched,
        Some(size) => {
            let requested = criteria.current_page.unwrap_or(1).max(1) as u64;
            let last_page = total_count.div_ceil(size).max(1);
            let page = requested.min(last_page);
            let start = ((page - 1) * size) as usize;
            let end = (start + size as usize).min(matched.len());
            &matched[start.min(matched.len())..end]
        }
    };
    let items: Vec<Value> = page_items
        .iter()
        .map(|customer| customer_json(customer, true))
        .collect();

    Ok(json!({
        "items": items,
        "search_criteria": echo(&criteria),
        "total_count": total_count,
    }))
}

/// Builds the snake_case `search_criteria` echo: `filter_groups` always, the rest only when set.
fn echo(criteria: &Criteria) -> Value {
    let groups: Vec<Value> = criteria
        .filter_groups
        .iter()
        .map(|filters| {
            let filters: Vec<Value> = filters
                .iter()
                .map(|filter| {
                    let mut object = Map::new();
                    object.insert("field".into(), json!(filter.field));
                    object.insert("value".into(), json!(filter.value));
                    if let Some(condition) = &filter.condition_type {
                        object.insert("condition_type".into(), json!(condition));
                    }
                    Value::Object(object)
                })
                .collect();
            json!({ "filters": filters })
        })
        .collect();

    let mut object = Map::new();
    object.insert("filter_groups".into(), Value::Array(groups));
    if let Some(orders) = &criteria.sort_orders {
        let orders: Vec<Value> = orders
            .iter()
            .map(|order| json!({ "field": order.field, "direction": if order.descending { "DESC" } else { "ASC" } }))
            .collect();
        object.insert("sort_orders".into(), Value::Array(orders));
    }
    if let Some(size) = criteria.page_size {
        object.insert("page_size".into(), json!(size));
    }
    if let Some(page) = criteria.current_page {
        object.insert("current_page".into(), json!(page));
    }
    Value::Object(object)
}

impl Customer {
    /// Builds an empty customer, used to check that a sort field exists before scanning.
    fn probe() -> Customer {
        Customer {
            id: 0,
            group_id: 0,
            default_billing: None,
            default_shipping: None,
            confirmation: None,
            created_at: String::new(),
            updated_at: String::new(),
            created_in: String::new(),
            dob: None,
            email: String::new(),
            firstname: String::new(),
            lastname: String::new(),
            middlename: None,
            prefix: None,
            suffix: None,
            gender: None,
            store_id: 0,
            taxvat: None,
            website_id: 0,
            addresses: Vec::new(),
            disable_auto_group_change: 0,
            is_subscribed: false,
            custom_attributes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards() {
        assert!(like("ana.silva@example.com", "%@example.com"));
        assert!(like("Ana", "a_a"));
        assert!(!like("ana", "b%"));
    }

    #[test]
    fn split_key_brackets() {
        assert_eq!(
            split_key("searchCriteria[filter_groups][0][filters][1][field]"),
            vec![
                "searchCriteria",
                "filter_groups",
                "0",
                "filters",
                "1",
                "field"
            ]
        );
        assert_eq!(split_key("searchCriteria"), vec!["searchCriteria"]);
    }
}
