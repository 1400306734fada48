//! Keyset paging over all customers, for bulk and incremental syncs.
//!
//! Each page requests `entity_id > <last id seen>` sorted by `entity_id`
//! ascending, always as page 1. Offset paging is not used because Magento
//! returns the last page again for a page number past the end, and rows
//! created or deleted during a run shift the offsets. The run ends when a page
//! is shorter than the page size or `total_count` (the matches left,
//! this page included) fits in it, never on an empty page.

use futures::Stream;
use futures::stream;
use serde::{Deserialize, Serialize};

use super::customers::Customers;
use super::error::{Error, ErrorKind};
use super::model::Customer;
use super::search::{Condition, SearchCriteria, SortDirection};

const PAGE_SIZE_LIMIT_PREFIX: &str = "Maximum SearchCriteria pageSize is ";

/// Position of the next page. It is plain data, so a bulk sync can store it
/// as a checkpoint and resume from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    /// Last customer id returned; the next page starts above it (0 at the start).
    pub after_id: u64,

    /// Only customers with `updated_at >= updated_since`
    /// (`YYYY-MM-DD HH:MM:SS`, UTC), for incremental runs.
    pub updated_since: Option<String>,

    pub page_size: u32,
}

impl PageCursor {
    /// Starts a run over every customer.
    pub fn all(page_size: u32) -> Self {
        Self {
            after_id: 0,
            updated_since: None,
            page_size: page_size.max(1),
        }
    }

    /// Starts a run over customers changed at or after `watermark`
    /// (`YYYY-MM-DD HH:MM:SS`, UTC). A customer changed during the run with an
    /// id below the cursor is not returned again, so the caller should store
    /// the run's start time, not its end, as the next watermark.
    pub fn updated_since(watermark: impl Into<String>, page_size: u32) -> Self {
        Self {
            updated_since: Some(watermark.into()),
            ..Self::all(page_size)
        }
    }

    fn criteria(&self) -> SearchCriteria {
        let mut criteria = SearchCriteria::new(self.page_size).filter(
            "entity_id",
            Condition::Gt,
            self.after_id.to_string(),
        );

        if let Some(watermark) = &self.updated_since {
            criteria = criteria.filter("updated_at", Condition::Gteq, watermark.clone());
        }
        criteria.sort("entity_id", SortDirection::Asc)
    }
}

/// One page of a keyset run.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerPage {
    /// Customers in ascending id order.
    pub customers: Vec<Customer>,

    /// Matches left at the time of the request, this page included.
    pub remaining: u64,

    /// Cursor for the following page; `None` when this page is the last.
    pub next: Option<PageCursor>,
}

impl CustomerPage {
    /// Returns the highest id on the page, the checkpoint value.
    pub fn last_id(&self) -> Option<u64> {
        self.customers.last().and_then(|customer| customer.id)
    }
}

impl Customers<'_> {
    /// Fetches the page at `cursor` (1 call, 2 when the store caps the page
    /// size below the cursor's: the cap is then read from Magento's error and
    /// used for this and later pages).
    pub async fn next_page(&self, cursor: &PageCursor) -> Result<CustomerPage, Error> {
        let mut cursor = cursor.clone();

        let results = match self.search(&cursor.criteria()).await {
            Err(error) if page_size_cap(&error).is_some_and(|cap| cap < cursor.page_size) => {
                let cap = page_size_cap(&error).unwrap_or(cursor.page_size);
                tracing::warn!(
                    instance = %self.client().config().instance_id,
                    requested = cursor.page_size,
                    cap,
                    "the store caps the search page size, using its maximum"
                );
                cursor.page_size = cap;
                self.search(&cursor.criteria()).await?
            }
            other => other?,
        };

        let last_id = check_ascending(&results.items, cursor.after_id)?;

        let count = results.items.len() as u64;
        let is_last = count < u64::from(cursor.page_size) || results.total_count <= count;
        let next = match (is_last, last_id) {
            (false, Some(after_id)) => Some(PageCursor { after_id, ..cursor }),
            _ => None,
        };

        Ok(CustomerPage {
            customers: results.items,
            remaining: results.total_count,
            next,
        })
    }

    /// Streams the pages of a run from `cursor` to the end (one call per page).
    pub fn pages(
        &self,
        cursor: PageCursor,
    ) -> impl Stream<Item = Result<CustomerPage, Error>> + Send + 'static {
        let client = self.client().clone();

        stream::try_unfold(Some(cursor), move |state| {
            let client = client.clone();
            async move {
                let Some(cursor) = state else {
                    return Ok(None);
                };
                let page = client.customers().next_page(&cursor).await?;
                let next = page.next.clone();
                Ok(Some((page, next)))
            }
        })
    }

    /// Streams every customer, `page_size` per page.
    pub fn iterate_all(
        &self,
        page_size: u32,
    ) -> impl Stream<Item = Result<CustomerPage, Error>> + Send + 'static {
        self.pages(PageCursor::all(page_size))
    }

    /// Streams customers changed at or after `watermark` (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub fn iterate_updated_since(
        &self,
        watermark: impl Into<String>,
        page_size: u32,
    ) -> impl Stream<Item = Result<CustomerPage, Error>> + Send + 'static {
        self.pages(PageCursor::updated_since(watermark, page_size))
    }
}

/// Checks that the page contains ids above `after_id` in ascending order and
/// returns the last one. A store that ignored the filter or the sort would
/// otherwise make the run loop or skip customers.
fn check_ascending(customers: &[Customer], after_id: u64) -> Result<Option<u64>, Error> {
    let mut previous = after_id;

    for customer in customers {
        let id = customer.id.unwrap_or(0);
        if id <= previous {
            return Err(Error::new(
                ErrorKind::Protocol,
                "GET /V1/customers/search",
                format!(
                    "customer id {id} arrived after id {previous}: the store did not apply the \
                     entity_id filter or ascending sort, so keyset paging cannot continue"
                ),
            ));
        }
        previous = id;
    }
    Ok(customers.last().and_then(|customer| customer.id))
}

/// Reads the maximum page size from `Maximum SearchCriteria pageSize is N`.
fn page_size_cap(error: &Error) -> Option<u32> {
    if error.kind() != ErrorKind::Validation {
        return None;
    }
    let rest = error.message().strip_prefix(PAGE_SIZE_LIMIT_PREFIX)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|cap| *cap > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_ids(ids: &[u64]) -> Vec<Customer> {
        ids.iter()
            .map(|id| Customer {
                id: Some(*id),
                ..Customer::default()
            })
            .collect()
    }

    #[test]
    fn cursor_criteria_keys() {
        let cursor = PageCursor {
            after_id: 40,
            updated_since: Some("2024-05-01 00:00:00".into()),
            page_size: 20,
        };

        let query = cursor.criteria().to_query();

        let pairs: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert!(pairs.contains(&(
            "searchCriteria[filter_groups][0][filters][0][field]",
            "entity_id"
        )));
        assert!(pairs.contains(&("searchCriteria[filter_groups][0][filters][0][value]", "40")));
        assert!(pairs.contains(&(
            "searchCriteria[filter_groups][0][filters][0][condition_type]",
            "gt"
        )));
        assert!(pairs.contains(&(
            "searchCriteria[filter_groups][1][filters][0][field]",
            "updated_at"
        )));
        assert!(pairs.contains(&(
            "searchCriteria[filter_groups][1][filters][0][condition_type]",
            "gteq"
        )));
        assert!(pairs.contains(&("searchCriteria[sortOrders][0][direction]", "ASC")));
        assert!(pairs.contains(&("searchCriteria[pageSize]", "20")));
        assert!(pairs.contains(&("searchCriteria[currentPage]", "1")));
    }

    #[test]
    fn ascending_ids_accepted() {
        let last = check_ascending(&with_ids(&[41, 42, 50]), 40);

        assert_eq!(last.ok(), Some(Some(50)));
    }

    #[test]
    fn repeated_page_rejected() {
        let error = check_ascending(&with_ids(&[21, 22]), 40).err();

        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Protocol));
    }

    #[test]
    fn page_size_cap_parsed() {
        let body =
            r#"{"message":"Maximum SearchCriteria pageSize is %max","parameters":{"max":300}}"#;
        let error = Error::from_response("GET /V1/customers/search", 400, None, body);

        assert_eq!(page_size_cap(&error), Some(300));
    }
}
