//! Customer operations: read, search, create, update and delete.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::client::{ApiRequest, Client};
use super::defaults::reconcile_defaults;
use super::error::{Error, ErrorKind};
use super::model::{Customer, SearchResults};
use super::search::{Condition, SearchCriteria, SortDirection};

const CUSTOMER_ROUTE: &str = "/V1/customers/:customerId";
const SEARCH_ROUTE: &str = "/V1/customers/search";

/// Customer calls of one [`Client`], from [`Client::customers`].
#[derive(Debug, Clone, Copy)]
pub struct Customers<'a> {
    client: &'a Client,
}

impl Client {
    pub fn customers(&self) -> Customers<'_> {
        Customers { client: self }
    }
}

impl<'a> Customers<'a> {
    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }

    /// Fetches one customer (1 call). Fails with `NotFound` for an unknown id.
    pub async fn get(&self, id: u64) -> Result<Customer, Error> {
        let request = ApiRequest::new(Method::GET, format!("/V1/customers/{id}"), CUSTOMER_ROUTE);

        self.client.call(request).await
    }

    /// Runs one search request (1 call). The criteria always carry a page size.
    pub async fn search(
        &self,
        criteria: &SearchCriteria,
    ) -> Result<SearchResults<Customer>, Error> {
        let request =
            ApiRequest::new(Method::GET, SEARCH_ROUTE, SEARCH_ROUTE).query(criteria.to_query());

        self.client.call(request).await
    }

    /// Finds the customer with `email` in `website_id` (1 call). Magento
    /// compares with SQL `=`, so case sensitivity follows the database
    /// collation, and `%` or `_` in the address are not wildcards.
    pub async fn find_by_email(
        &self,
        email: &str,
        website_id: u64,
    ) -> Result<Option<Customer>, Error> {
        let email = email.trim();
        if email.is_empty() {
            return Err(Error::new(
                ErrorKind::Validation,
                &format!("GET {SEARCH_ROUTE}"),
                "missing email: find_by_email needs a non-empty address",
            ));
        }

        // Two rows are enough to notice a duplicate without fetching them all.
        let criteria = SearchCriteria::new(2)
            .filter("email", Condition::Eq, email)
            .filter("website_id", Condition::Eq, website_id.to_string())
            .sort("entity_id", SortDirection::Asc);
        let results = self.search(&criteria).await?;

        if results.total_count > 1 {
            tracing::warn!(
                instance = %self.client.config().instance_id,
                website_id,
                matches = results.total_count,
                "several Magento customers share one email, using the lowest id"
            );
        }
        Ok(results.items.into_iter().next())
    }

    /// Creates a customer (1 call) and returns it as Magento stored it. The
    /// website defaults to the instance's. A create is never retried after a
    /// timeout, because the first request may have created the customer: look
    /// it up with [`find_by_email`](Self::find_by_email) instead.
    pub async fn create(
        &self,
        customer: &Customer,
        password: Option<SecretString>,
    ) -> Result<Customer, Error> {
        const ROUTE: &str = "/V1/customers";

        if customer.id.is_some() {
            return Err(Error::new(
                ErrorKind::Validation,
                &format!("POST {ROUTE}"),
                "invalid customer for create: it already has an id; use update for existing customers",
            ));
        }

        let mut customer = customer.clone();
        customer
            .website_id
            .get_or_insert(self.client.config().website_id);

        let mut body = Map::new();
        body.insert(
            "customer".to_owned(),
            to_json(&customer, &format!("POST {ROUTE}"))?,
        );
        if let Some(password) = &password {
            body.insert(
                "password".to_owned(),
                Value::String(password.expose_secret().to_owned()),
            );
        }

        let request = ApiRequest::new(Method::POST, ROUTE, ROUTE).body(Value::Object(body));
        self.client.call(request).await
    }

    /// Reads the customer, applies `changes` to the copy and saves the whole
    /// object (2 calls: GET then PUT).
    ///
    /// Magento's PUT deletes addresses missing from the list and clears
    /// default addresses that are not sent, so the request carries every
    /// address with its id, both default ids, custom and extension attributes
    /// and every field this crate does not model. `changes` may edit, add or
    /// remove addresses; default ids that no longer name an address are
    /// dropped. The id, email and website cannot be cleared by `changes`.
    ///
    /// NOTE: Magento has no conditional update, so a change made in Magento
    /// between the GET and the PUT is overwritten.
    pub async fn update(
        &self,
        id: u64,
        changes: impl FnOnce(&mut Customer),
    ) -> Result<Customer, Error> {
        let current = self.get(id).await?;

        let mut next = current.clone();
        changes(&mut next);
        next.id = Some(id);
        if next.email.trim().is_empty() {
            next.email = current.email.clone();
        }
        if next.website_id.is_none() {
            next.website_id = current.website_id;
        }
        reconcile_defaults(&mut next);

        self.put(id, &next).await
    }

    /// Saves `customer` as it is (1 call). Prefer [`update`](Self::update),
    /// which keeps what `customer` leaves out.
    pub async fn put(&self, id: u64, customer: &Customer) -> Result<Customer, Error> {
        let body = json!({"customer": to_json(customer, &format!("PUT {CUSTOMER_ROUTE}"))?});
        let request =
            ApiRequest::new(Method::PUT, format!("/V1/customers/{id}"), CUSTOMER_ROUTE).body(body);

        self.client.call(request).await
    }

    /// Deletes a customer and its addresses (1 call).
    pub async fn delete(&self, id: u64) -> Result<(), Error> {
        let request = ApiRequest::new(
            Method::DELETE,
            format!("/V1/customers/{id}"),
            CUSTOMER_ROUTE,
        );

        let deleted: bool = self.client.call(request).await?;
        if !deleted {
            return Err(Error::new(
                ErrorKind::Protocol,
                &format!("DELETE {CUSTOMER_ROUTE}"),
                format!("Magento returned false for deleting customer {id}"),
            ));
        }
        Ok(())
    }
}

fn to_json(customer: &Customer, operation: &str) -> Result<Value, Error> {
    serde_json::to_value(customer).map_err(|error| {
        Error::new(
            ErrorKind::Validation,
            operation,
            format!("failed to encode the customer as JSON: {error}"),
        )
    })
}
