//! The in-memory database: one table per model, the secondary indexes that
//! keep large partner sets fast, and an undo journal so that every call is
//! all-or-nothing like Odoo's one-transaction-per-call.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::auth::User;
use super::version::OdooVersion;

/// Stored values of one record, keyed by field name. A field that is absent
/// is unset (`false` on read). Many2one values are stored as the bare id.
pub type Record = BTreeMap<&'static str, Value>;

#[derive(Debug, Default, Clone)]
pub struct Table {
    pub records: BTreeMap<i64, Record>,
    pub next_id: i64,
}

/// The inverse of one mutation, replayed on rollback.
#[derive(Debug)]
enum Undo {
    Inserted(&'static str, i64),
    Replaced(&'static str, i64, Record),
    Removed(&'static str, i64, Record),
}

/// A point in the current call's undo journal, from [`Database::savepoint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Savepoint(usize);

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub name: String,
    pub version: OdooVersion,
    /// Whether the base_vat module is "installed" (VAT checked on write).
    pub base_vat: bool,
}

#[derive(Debug)]
pub struct Database {
    pub config: DatabaseConfig,
    pub users: Vec<User>,
    tables: HashMap<&'static str, Table>,
    /// `email_normalized` to partner ids, for `=` and `in` searches.
    email_index: HashMap<String, BTreeSet<i64>>,
    /// Partner id to the ids of partners whose `parent_id` is it.
    children: HashMap<i64, BTreeSet<i64>>,
    journal: Vec<Undo>,
}

pub const PARTNER: &str = "res.partner";

impl Database {
    pub fn new(config: DatabaseConfig) -> Self {
        Self {
            config,
            users: Vec::new(),
            tables: HashMap::new(),
            email_index: HashMap::new(),
            children: HashMap::new(),
            journal: Vec::new(),
        }
    }

    pub fn version(&self) -> OdooVersion {
        self.config.version
    }

    pub fn table(&self, model: &str) -> Option<&Table> {
        self.tables.get(model)
    }

    pub fn get(&self, model: &str, id: i64) -> Option<&Record> {
        self.tables.get(model)?.records.get(&id)
    }

    pub fn exists(&self, model: &str, id: i64) -> bool {
        self.get(model, id).is_some()
    }

    /// Ids of all records of `model`, in id order.
    pub fn ids(&self, model: &str) -> Vec<i64> {
        self.tables
            .get(model)
            .map(|table| table.records.keys().copied().collect())
            .unwrap_or_default()
    }

    pub fn partners_by_email(&self, email_normalized: &str) -> Option<&BTreeSet<i64>> {
        self.email_index.get(email_normalized)
    }

    /// Ids of the partners whose parent is `id`, archived ones included.
    pub fn children_of(&self, id: i64) -> Vec<i64> {
        self.children
            .get(&id)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Takes the next id of `model` and stores `record` under it.
    pub fn insert(&mut self, model: &'static str, record: Record) -> i64 {
        let table = self.tables.entry(model).or_default();
        table.next_id += 1;
        let id = table.next_id;

        self.put(model, id, record);
        self.journal.push(Undo::Inserted(model, id));
        id
    }

    /// Stores `record` under a fixed id, for seed data with known ids.
    pub fn insert_with_id(&mut self, model: &'static str, id: i64, record: Record) {
        let table = self.tables.entry(model).or_default();
        table.next_id = table.next_id.max(id);
        self.put(model, id, record);
    }

    /// Replaces the stored record; returns false when `id` does not exist.
    pub fn replace(&mut self, model: &'static str, id: i64, record: Record) -> bool {
        let Some(old) = self.put(model, id, record) else {
            self.take(model, id);
            return false;
        };
        self.journal.push(Undo::Replaced(model, id, old));
        true
    }

    pub fn remove(&mut self, model: &'static str, id: i64) -> bool {
        match self.take(model, id) {
            Some(old) => {
                self.journal.push(Undo::Removed(model, id, old));
                true
            }
            None => false,
        }
    }

    /// Forgets the undo journal: the call succeeded.
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    /// Marks the current point of the call, to undo back to it later with
    /// [`Database::rollback_to`] while keeping the earlier changes.
    pub fn savepoint(&self) -> Savepoint {
        Savepoint(self.journal.len())
    }

    /// Undoes every mutation made since `savepoint`, newest first.
    pub fn rollback_to(&mut self, savepoint: Savepoint) {
        while self.journal.len() > savepoint.0 {
            self.undo_last();
        }
    }

    /// Undoes every mutation since the last commit, newest first. Ids taken
    /// by rolled-back inserts stay used, as with a PostgreSQL sequence.
    pub fn rollback(&mut self) {
        self.rollback_to(Savepoint(0));
    }

    fn undo_last(&mut self) {
        if let Some(undo) = self.journal.pop() {
            match undo {
                Undo::Inserted(model, id) => {
                    self.take(model, id);
                }
                Undo::Replaced(model, id, old) | Undo::Removed(model, id, old) => {
                    self.put(model, id, old);
                }
            }
        }
    }

    fn put(&mut self, model: &'static str, id: i64, record: Record) -> Option<Record> {
        let new_keys = (model == PARTNER).then(|| PartnerKeys::of(&record));
        let old = self
            .tables
            .entry(model)
            .or_default()
            .records
            .insert(id, record);

        if let Some(new_keys) = new_keys {
            if let Some(old) = &old {
                self.unindex_partner(id, &PartnerKeys::of(old));
            }
            self.index_partner(id, new_keys);
        }
        old
    }

    fn take(&mut self, model: &'static str, id: i64) -> Option<Record> {
        let old = self.tables.get_mut(model)?.records.remove(&id)?;
        if model == PARTNER {
            self.unindex_partner(id, &PartnerKeys::of(&old));
        }
        Some(old)
    }

    fn index_partner(&mut self, id: i64, keys: PartnerKeys) {
        if let Some(email) = keys.email_normalized {
            self.email_index.entry(email).or_default().insert(id);
        }
        if let Some(parent) = keys.parent_id {
            self.children.entry(parent).or_default().insert(id);
        }
    }

    fn unindex_partner(&mut self, id: i64, keys: &PartnerKeys) {
        if let Some(email) = &keys.email_normalized {
            remove_from(&mut self.email_index, email, id);
        }
        if let Some(parent) = &keys.parent_id {
            remove_from(&mut self.children, parent, id);
        }
    }
}

/// The values of a partner that the secondary indexes are keyed on.
struct PartnerKeys {
    email_normalized: Option<String>,
    parent_id: Option<i64>,
}

impl PartnerKeys {
    fn of(record: &Record) -> Self {
        Self {
            email_normalized: record
                .get("email_normalized")
                .and_then(Value::as_str)
                .map(str::to_string),
            parent_id: record.get("parent_id").and_then(Value::as_i64),
        }
    }
}

fn remove_from<K: std::hash::Hash + Eq + Clone>(
    index: &mut HashMap<K, BTreeSet<i64>>,
    key: &K,
    id: i64,
) {
    if let Some(set) = index.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            index.remove(key);
        }
    }
}
