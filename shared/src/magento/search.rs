//! `searchCriteria` for Magento's `/search` routes, rendered as the bracketed
//! query keys Magento reads.

use std::fmt;

/// A filter's `condition_type`. Magento's default is `eq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Eq,
    Neq,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Moreq,
    /// SQL `LIKE`: `%` and `_` in the value are wildcards.
    Like,
    Nlike,
    /// Value is a comma-separated list.
    In,
    Nin,
    Null,
    Notnull,
    Finset,
    Nfinset,
    From,
    To,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Neq => "neq",
            Self::Gt => "gt",
            Self::Gteq => "gteq",
            Self::Lt => "lt",
            Self::Lteq => "lteq",
            Self::Moreq => "moreq",
            Self::Like => "like",
            Self::Nlike => "nlike",
            Self::In => "in",
            Self::Nin => "nin",
            Self::Null => "null",
            Self::Notnull => "notnull",
            Self::Finset => "finset",
            Self::Nfinset => "nfinset",
            Self::From => "from",
            Self::To => "to",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `field <condition> value` test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: String,
    pub condition: Condition,
    pub value: String,
}

impl Filter {
    pub fn new(field: impl Into<String>, condition: Condition, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            condition,
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    /// Returns the upper-case form, the only one Magento accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// Filters, sort orders and one page of a search.
///
/// Groups are AND-ed and the filters inside a group are OR-ed. The page size
/// is always sent: since 2.4.4 Magento does not echo an unsent one, and with
/// input limits on it silently defaults to 20.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCriteria {
    pub filter_groups: Vec<Vec<Filter>>,
    pub sort_orders: Vec<(String, SortDirection)>,
    pub page_size: u32,
    pub current_page: u32,
}

impl SearchCriteria {
    /// Creates criteria for the first page of `page_size` items (at least 1).
    pub fn new(page_size: u32) -> Self {
        Self {
            filter_groups: Vec::new(),
            sort_orders: Vec::new(),
            page_size: page_size.max(1),
            current_page: 1,
        }
    }

    /// Adds a filter that every result must match (its own group).
    pub fn filter(mut self, field: &str, condition: Condition, value: impl Into<String>) -> Self {
        self.filter_groups
            .push(vec![Filter::new(field, condition, value)]);
        self
    }

    /// Adds a group of filters of which each result must match at least one.
    pub fn any_of(mut self, filters: Vec<Filter>) -> Self {
        if !filters.is_empty() {
            self.filter_groups.push(filters);
        }
        self
    }

    pub fn sort(mut self, field: &str, direction: SortDirection) -> Self {
        self.sort_orders.push((field.to_owned(), direction));
        self
    }

    /// Selects the 1-based page. Past the last page Magento returns the last
    /// page again, so callers must stop by `total_count`, not on an empty page.
    pub fn page(mut self, current_page: u32) -> Self {
        self.current_page = current_page.max(1);
        self
    }

    /// Returns the unencoded query pairs, e.g.
    /// `searchCriteria[filter_groups][0][filters][0][field]=email`.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut query = Vec::new();

        for (group_index, group) in self.filter_groups.iter().enumerate() {
            for (filter_index, filter) in group.iter().enumerate() {
                let prefix = format!(
                    "searchCriteria[filter_groups][{group_index}][filters][{filter_index}]"
                );
                query.push((format!("{prefix}[field]"), filter.field.clone()));
                query.push((format!("{prefix}[value]"), filter.value.clone()));
                query.push((
                    format!("{prefix}[condition_type]"),
                    filter.condition.as_str().to_owned(),
                ));
            }
        }

        for (index, (field, direction)) in self.sort_orders.iter().enumerate() {
            let prefix = format!("searchCriteria[sortOrders][{index}]");
            query.push((format!("{prefix}[field]"), field.clone()));
            query.push((
                format!("{prefix}[direction]"),
                direction.as_str().to_owned(),
            ));
        }

        query.push((
            "searchCriteria[pageSize]".to_owned(),
            self.page_size.to_string(),
        ));
        query.push((
            "searchCriteria[currentPage]".to_owned(),
            self.current_page.to_string(),
        ));
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_query_keys() {
        let criteria = SearchCriteria::new(20)
            .filter("updated_at", Condition::Gteq, "2024-05-01 00:00:00")
            .any_of(vec![
                Filter::new("email", Condition::Eq, "a+b@example.com"),
                Filter::new("email", Condition::Eq, "c@example.com"),
            ])
            .sort("entity_id", SortDirection::Asc);

        let query = criteria.to_query();

        let expected: Vec<(String, String)> = [
            (
                "searchCriteria[filter_groups][0][filters][0][field]",
                "updated_at",
            ),
            (
                "searchCriteria[filter_groups][0][filters][0][value]",
                "2024-05-01 00:00:00",
            ),
            (
                "searchCriteria[filter_groups][0][filters][0][condition_type]",
                "gteq",
            ),
            (
                "searchCriteria[filter_groups][1][filters][0][field]",
                "email",
            ),
            (
                "searchCriteria[filter_groups][1][filters][0][value]",
                "a+b@example.com",
            ),
            (
                "searchCriteria[filter_groups][1][filters][0][condition_type]",
                "eq",
            ),
            (
                "searchCriteria[filter_groups][1][filters][1][field]",
                "email",
            ),
            (
                "searchCriteria[filter_groups][1][filters][1][value]",
                "c@example.com",
            ),
            (
                "searchCriteria[filter_groups][1][filters][1][condition_type]",
                "eq",
            ),
            ("searchCriteria[sortOrders][0][field]", "entity_id"),
            ("searchCriteria[sortOrders][0][direction]", "ASC"),
            ("searchCriteria[pageSize]", "20"),
            ("searchCriteria[currentPage]", "1"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        assert_eq!(query, expected);
    }

    #[test]
    fn criteria_always_sends_page_size() {
        let query = SearchCriteria::new(0).to_query();

        assert!(query.contains(&("searchCriteria[pageSize]".to_owned(), "1".to_owned())));
    }
}
