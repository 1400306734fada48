//! The emulated store's data: customers with their addresses, websites and stores,
//! issued tokens, and the outbox of emails Magento would have sent.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use super::config::{Settings, ShareScope};
use crate::faults::Faults;
use crate::stats::Stats;

/// A store view with its website, as Magento's `store` table lists them.
#[derive(Clone, Copy, Debug)]
pub struct Store {
    pub id: u64,
    pub code: &'static str,
    pub name: &'static str,
    pub website_id: u64,
}

/// The two websites' store views: `default` on website 1 (`base`), `eu` on website 2.
pub const STORES: [Store; 2] = [
    Store {
        id: 1,
        code: "default",
        name: "Default Store View",
        website_id: 1,
    },
    Store {
        id: 2,
        code: "eu",
        name: "EU Store View",
        website_id: 2,
    },
];

pub fn store_by_code(code: &str) -> Option<Store> {
    STORES.iter().copied().find(|store| store.code == code)
}

pub fn store_by_id(id: u64) -> Option<Store> {
    STORES.iter().copied().find(|store| store.id == id)
}

pub fn default_store_of_website(website_id: u64) -> Option<Store> {
    STORES
        .iter()
        .copied()
        .find(|store| store.website_id == website_id)
}

/// Customer group ids of a stock install: NOT LOGGED IN, General, Wholesale, Retailer.
pub const GROUP_IDS: [u64; 4] = [0, 1, 2, 3];

/// A stored customer address. `region_id` is set for listed regions, and `region` contains
/// the region name (listed) or free text.
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    pub id: u64,
    pub customer_id: u64,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub region_id: Option<u64>,
    pub country_id: String,
    pub street: Vec<String>,
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
}

/// A stored customer; timestamps are UTC `YYYY-MM-DD HH:MM:SS` strings, which sort
/// like the times they stand for.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: u64,
    pub group_id: u64,
    pub default_billing: Option<u64>,
    pub default_shipping: Option<u64>,
    pub confirmation: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub created_in: String,
    pub dob: Option<String>,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub middlename: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub gender: Option<i64>,
    pub store_id: u64,
    pub taxvat: Option<String>,
    pub website_id: u64,
    pub addresses: Vec<Address>,
    pub disable_auto_group_change: i64,
    pub is_subscribed: bool,
    pub custom_attributes: Vec<(String, Value)>,
}

impl Customer {
    pub fn default_billing_address(&self) -> Option<&Address> {
        let id = self.default_billing?;
        self.addresses.iter().find(|address| address.id == id)
    }
}

/// One email Magento would have sent on account creation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxEmail {
    pub customer_id: u64,
    pub email: String,
    /// `welcome`, `welcome_no_password` or `confirmation`.
    pub template: &'static str,
}

/// Customers and the indexes that keep lookups fast at 100,000 customers.
#[derive(Debug, Default)]
pub struct Customers {
    /// Ordered by entity id so that id-range filters scan only their range.
    pub by_id: BTreeMap<u64, Customer>,
    /// Lower-cased email to the ids that use it, across all websites.
    pub by_email: HashMap<String, Vec<u64>>,
    /// Address id to customer id.
    pub address_owner: HashMap<u64, u64>,
    pub next_customer_id: u64,
    pub next_address_id: u64,
}

impl Customers {
    pub fn new() -> Self {
        Customers {
            next_customer_id: 1,
            next_address_id: 1,
            ..Customers::default()
        }
    }

    /// Finds another customer with `email` in the scope that `website_id` shares.
    pub fn email_taken(
        &self,
        email: &str,
        website_id: u64,
        scope: ShareScope,
        except_id: Option<u64>,
    ) -> bool {
        let Some(ids) = self.by_email.get(&email.to_lowercase()) else {
            return false;
        };

        ids.iter()
            .filter(|id| Some(**id) != except_id)
            .filter_map(|id| self.by_id.get(id))
            .any(|other| scope == ShareScope::Global || other.website_id == website_id)
    }

    /// Stores `customer`, replacing any customer with the same id and its index entries.
    pub fn put(&mut self, customer: Customer) {
        self.remove(customer.id);

        self.by_email
            .entry(customer.email.to_lowercase())
            .or_default()
            .push(customer.id);
        for address in &customer.addresses {
            self.address_owner.insert(address.id, customer.id);
        }
        self.next_customer_id = self.next_customer_id.max(customer.id + 1);
        self.by_id.insert(customer.id, customer);
    }

    pub fn remove(&mut self, id: u64) -> Option<Customer> {
        let customer = self.by_id.remove(&id)?;

        let key = customer.email.to_lowercase();
        if let Some(ids) = self.by_email.get_mut(&key) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                self.by_email.remove(&key);
            }
        }
        for address in &customer.addresses {
            self.address_owner.remove(&address.id);
        }
        Some(customer)
    }

    pub fn allocate_customer_id(&mut self) -> u64 {
        let id = self.next_customer_id;
        self.next_customer_id += 1;
        id
    }

    pub fn allocate_address_id(&mut self) -> u64 {
        let id = self.next_address_id;
        self.next_address_id += 1;
        id
    }
}

/// Credentials of the one active integration.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct IntegrationCredentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub access_token: String,
    pub access_token_secret: String,
}

impl std::fmt::Debug for IntegrationCredentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IntegrationCredentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("access_token_secret", &"<redacted>")
            .finish()
    }
}

/// Admin tokens, failed sign-ins and used OAuth nonces.
#[derive(Debug, Default)]
pub struct AuthState {
    /// Token to the time it was issued.
    pub admin_tokens: HashMap<String, Instant>,
    pub failed_attempts: u32,
    pub locked_until: Option<Instant>,
    pub used_nonces: HashSet<String>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    pub customers: RwLock<Customers>,
    pub settings: RwLock<Settings>,
    pub auth: Mutex<AuthState>,
    pub outbox: Mutex<Vec<OutboxEmail>>,
    pub admin_username: String,
    pub admin_password: String,
    pub integration: IntegrationCredentials,
    pub faults: Arc<Faults>,
    pub stats: Arc<Stats>,
}

impl AppState {
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn read_customers(&self) -> RwLockReadGuard<'_, Customers> {
        self.customers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn write_customers(&self) -> RwLockWriteGuard<'_, Customers> {
        self.customers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn auth(&self) -> MutexGuard<'_, AuthState> {
        self.auth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn send_email(&self, email: OutboxEmail) {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(email);
    }

    pub fn outbox(&self) -> Vec<OutboxEmail> {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Current UTC time in Magento's `YYYY-MM-DD HH:MM:SS` form.
pub fn now_timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}
