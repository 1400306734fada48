//! Batched `res.partner` operations for the sync: each one makes a fixed
//! number of remote calls, whatever the number of partners.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::call::Call;
use super::client::Client;
use super::email::{escape_like, normalize_email};
use super::error::Error;
use super::model::{Partner, PartnerValues, PartnerWithChildren};

const MODEL: &str = "res.partner";

/// Context flags of a create or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Sends `tracking_disable`, `mail_create_nolog` and `mail_notrack`, so a
    /// bulk sync does not write a chatter message per partner.
    pub quiet: bool,
    /// Sends `no_vat_validation`, so base_vat stores an invalid VAT number
    /// instead of failing the whole call.
    pub skip_vat_validation: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            quiet: true,
            skip_vat_validation: false,
        }
    }
}

impl WriteOptions {
    pub(super) fn context(self) -> Map<String, Value> {
        let mut context = Map::new();

        if self.quiet {
            for flag in ["tracking_disable", "mail_create_nolog", "mail_notrack"] {
                context.insert(flag.to_owned(), Value::Bool(true));
            }
        }
        if self.skip_vat_validation {
            context.insert("no_vat_validation".to_owned(), Value::Bool(true));
        }

        context
    }
}

impl Client {
    /// Finds the partners whose email matches one of `emails`, in one call
    /// (plus one `fields_get` on the first use of the client).
    ///
    /// Matching is exact on the normalized address, so `_` and `%` are never
    /// wildcards. The map has one entry per normalized input address, empty
    /// when nothing matched; partners are ordered by id. Archived partners are
    /// included only when `include_archived` is true.
    pub async fn find_by_emails(
        &self,
        emails: &[String],
        include_archived: bool,
    ) -> Result<HashMap<String, Vec<Partner>>, Error> {
        let wanted: HashSet<String> = emails
            .iter()
            .filter_map(|email| normalize_email(email))
            .collect();
        let mut found: HashMap<String, Vec<Partner>> = wanted
            .iter()
            .map(|email| (email.clone(), Vec::new()))
            .collect();
        if wanted.is_empty() {
            return Ok(found);
        }

        let fields = self.partner_fields().await?;
        let mut sorted: Vec<&String> = wanted.iter().collect();
        sorted.sort();
        // NOTE: without the mail addon the `=ilike` path compares the raw
        // `email`, so a stored value with spaces or a `Name <...>` wrapper is missed.
        let domain = if fields.email_normalized {
            json!([["email_normalized", "in", sorted]])
        } else {
            ilike_any_domain(&sorted)
        };

        let mut context = Map::new();
        if include_archived {
            context.insert("active_test".to_owned(), Value::Bool(false));
        }
        let call = Call::new(MODEL, "search_read")
            .arg("domain", domain)
            .kwarg("fields", fields.read_list())
            .kwarg("order", "id asc")
            .context(context);

        let partners: Vec<Partner> = decode(self.execute(&call).await?, "res.partner.search_read")?;

        for partner in partners {
            // `=ilike` has no access to the normalized form, so the match is
            // confirmed locally with the same rule as on the server.
            let key = match (&partner.email_normalized, fields.email_normalized) {
                (Some(normalized), true) => Some(normalized.clone()),
                _ => partner.email.as_deref().and_then(normalize_email),
            };
            if let Some(list) = key.and_then(|key| found.get_mut(&key)) {
                list.push(partner);
            }
        }

        Ok(found)
    }

    /// Reads partners by id with their active child partners, in one `search_read` of
    /// the partners and their descendants (`child_of`). The partners come in the order
    /// of `ids`, without the ids that do not exist, as Odoo's `read` returns them.
    pub async fn read_with_children(&self, ids: &[i64]) -> Result<Vec<PartnerWithChildren>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }

        // Archived partners are read, as `read` would read them. A child is attached
        // only when its parent lists it in `child_ids`, which contains only active ones.
        let fields = self.partner_fields().await?;
        let mut context = Map::new();
        context.insert("active_test".to_owned(), Value::Bool(false));
        let call = Call::new(MODEL, "search_read")
            .arg("domain", json!([["id", "child_of", ids]]))
            .kwarg("fields", fields.read_list())
            .context(context);

        let records: Vec<Partner> = decode(self.execute(&call).await?, "res.partner.search_read")?;
        let by_id: HashMap<i64, Partner> = records
            .into_iter()
            .map(|record| (record.id, record))
            .collect();

        let parents = ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
        Ok(with_children(parents, &by_id))
    }

    /// Like [`Client::find_by_emails`], with each partner's active children
    /// attached: two calls in all.
    pub async fn find_by_emails_with_children(
        &self,
        emails: &[String],
        include_archived: bool,
    ) -> Result<HashMap<String, Vec<PartnerWithChildren>>, Error> {
        let found = self.find_by_emails(emails, include_archived).await?;

        let parents: Vec<Partner> = found.values().flatten().cloned().collect();
        let mut with_children: HashMap<i64, PartnerWithChildren> = self
            .attach_children(parents)
            .await?
            .into_iter()
            .map(|entry| (entry.partner.id, entry))
            .collect();

        let result = found
            .into_iter()
            .map(|(email, partners)| {
                let entries = partners
                    .iter()
                    .filter_map(|partner| with_children.remove(&partner.id))
                    .collect();
                (email, entries)
            })
            .collect();

        Ok(result)
    }

    /// Reads the active children of `parents` in one call and attaches each
    /// to its parent in the order of the parent's `child_ids`.
    async fn attach_children(
        &self,
        parents: Vec<Partner>,
    ) -> Result<Vec<PartnerWithChildren>, Error> {
        let child_ids: Vec<i64> = parents
            .iter()
            .flat_map(|parent| parent.child_ids.iter().copied())
            .collect();
        let mut children: HashMap<i64, Partner> = HashMap::new();

        if !child_ids.is_empty() {
            let fields = self.partner_fields().await?;
            let call = Call::new(MODEL, "read")
                .ids(&child_ids)
                .arg("fields", fields.read_list());

            let read: Vec<Partner> = decode(self.execute(&call).await?, "res.partner.read")?;
            children = read.into_iter().map(|child| (child.id, child)).collect();
        }

        Ok(with_children(parents, &children))
    }

    /// Creates all partners, and their children given as `child_ids`
    /// commands, in one call. Returns the new ids in input order. Odoo runs
    /// the call in one transaction, so on error nothing is created.
    pub async fn create_many(
        &self,
        values: Vec<PartnerValues>,
        options: WriteOptions,
    ) -> Result<Vec<i64>, Error> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let expected = values.len();

        // The call may wait for a connection permit, so only the values' JSON text
        // waits with it.
        let call = Call::new(MODEL, "create")
            .encoded_arg("vals_list", &values)
            .map_err(|error| Error::InvalidResponse {
                target: "res.partner.create".to_owned(),
                detail: format!("cannot encode the partner values: {error}"),
            })?
            .context(options.context());
        drop(values);

        // JSON-RPC returns a bare id when Odoo 17 is given a single dict;
        // a list is always sent here, but both shapes are accepted.
        let ids: Vec<i64> = match self.execute(&call).await? {
            Value::Number(id) => id.as_i64().into_iter().collect(),
            other => decode(other, "res.partner.create")?,
        };

        if ids.len() != expected {
            return Err(Error::InvalidResponse {
                target: "res.partner.create".to_owned(),
                detail: format!("sent {expected} partners but got {} ids back", ids.len()),
            });
        }

        Ok(ids)
    }

    /// Writes the same `values` on every partner in `ids`, in one call.
    /// A deleted id fails the call with [`Error::MissingError`].
    pub async fn write(
        &self,
        ids: &[i64],
        values: &PartnerValues,
        options: WriteOptions,
    ) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }

        let call = Call::new(MODEL, "write")
            .ids(ids)
            .encoded_arg("vals", values)
            .map_err(|error| Error::InvalidResponse {
                target: "res.partner.write".to_owned(),
                detail: format!("cannot encode the partner values: {error}"),
            })?
            .context(options.context());

        match self.execute(&call).await? {
            Value::Bool(true) => Ok(()),
            other => Err(Error::InvalidResponse {
                target: "res.partner.write".to_owned(),
                detail: format!("expected true, got {other}"),
            }),
        }
    }

    /// Archives the partners (sets `active` to false) in one call.
    pub async fn archive(&self, ids: &[i64], options: WriteOptions) -> Result<(), Error> {
        let values = PartnerValues {
            active: Some(false),
            ..PartnerValues::default()
        };

        self.write(ids, &values, options).await
    }
}

/// Builds `['|', '|', [email =ilike a], [email =ilike b], [email =ilike c]]`.
fn ilike_any_domain(emails: &[&String]) -> Value {
    let mut domain: Vec<Value> = Vec::with_capacity(emails.len() * 2);

    for _ in 1..emails.len() {
        domain.push(json!("|"));
    }
    for email in emails {
        domain.push(json!(["email", "=ilike", escape_like(email)]));
    }

    Value::Array(domain)
}

/// Attaches to each parent the partners of its `child_ids` found in `records`, in the
/// order of `child_ids`.
fn with_children(
    parents: Vec<Partner>,
    records: &HashMap<i64, Partner>,
) -> Vec<PartnerWithChildren> {
    parents
        .into_iter()
        .map(|partner| {
            let children = partner
                .child_ids
                .iter()
                .filter_map(|id| records.get(id).cloned())
                .collect();
            PartnerWithChildren { partner, children }
        })
        .collect()
}

/// Decodes a call result into `T`, naming the call on failure.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    value: Value,
    target: &str,
) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|error| Error::InvalidResponse {
        target: target.to_owned(),
        detail: format!("unexpected result shape: {error}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilike_domain_joins_with_or() {
        let first = "a_b@x.test".to_owned();
        let second = "c@x.test".to_owned();

        let domain = ilike_any_domain(&[&first, &second]);

        assert_eq!(
            domain,
            json!([
                "|",
                ["email", "=ilike", "a\\_b@x.test"],
                ["email", "=ilike", "c@x.test"]
            ])
        );
    }

    #[test]
    fn write_options_default_context() {
        let context = WriteOptions::default().context();

        assert_eq!(context.get("tracking_disable"), Some(&Value::Bool(true)));
        assert_eq!(context.get("mail_create_nolog"), Some(&Value::Bool(true)));
        assert_eq!(context.get("mail_notrack"), Some(&Value::Bool(true)));
        assert_eq!(context.get("no_vat_validation"), None);
    }
}
