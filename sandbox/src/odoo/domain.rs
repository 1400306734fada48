//! Search domains: parsing Odoo's prefix notation into a tree, resolving
//! field paths against the model, and matching records.

use std::collections::BTreeSet;

use serde_json::Value;

use super::errors::OdooError;
use super::fields::{FieldDef, FieldType};
use super::models::{self, Model};
use super::state::{Database, Record};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=?`: true when the value is unset, else `=`.
    EqIfSet,
    In,
    NotIn,
    Like,
    NotLike,
    Ilike,
    NotIlike,
    EqLike,
    EqIlike,
    ChildOf,
    ParentOf,
}

impl Operator {
    fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().as_str() {
            "=" | "==" => Self::Eq,
            "!=" | "<>" => Self::Ne,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            "=?" => Self::EqIfSet,
            "in" => Self::In,
            "not in" => Self::NotIn,
            "like" => Self::Like,
            "not like" => Self::NotLike,
            "ilike" => Self::Ilike,
            "not ilike" => Self::NotIlike,
            "=like" => Self::EqLike,
            "=ilike" => Self::EqIlike,
            "child_of" => Self::ChildOf,
            "parent_of" => Self::ParentOf,
            _ => return None,
        })
    }
}

/// A leaf whose path is resolved: `path[0]` is a field of the searched model,
/// each next one a field of the previous field's comodel.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub path: Vec<FieldDef>,
    pub op: Operator,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Domain {
    True,
    And(Vec<Domain>),
    Or(Vec<Domain>),
    Not(Box<Domain>),
    Leaf(Leaf),
}

/// One element of the prefix list before the tree is built.
enum Token {
    And,
    Or,
    Not,
    Leaf(Domain),
}

/// Parses a domain such as `["|", ["a","=",1], ["b","ilike","x"]]`. Terms
/// left over at the end are joined with an implicit AND.
pub fn compile(db: &Database, model: &dyn Model, raw: &Value) -> Result<Domain, OdooError> {
    let items = match raw {
        Value::Null | Value::Bool(false) => return Ok(Domain::True),
        Value::Array(items) => items,
        other => return Err(OdooError::ValueError(format!("Invalid domain: {other}"))),
    };

    let mut tokens = Vec::with_capacity(items.len());
    for item in items {
        let token = match item.as_str() {
            Some("&") => Token::And,
            Some("|") => Token::Or,
            Some("!") => Token::Not,
            _ => Token::Leaf(compile_leaf(db, model, item)?),
        };
        tokens.push(token);
    }

    let mut stack: Vec<Domain> = Vec::new();
    for token in tokens.into_iter().rev() {
        let node = match token {
            Token::Leaf(leaf) => leaf,
            Token::Not => Domain::Not(Box::new(pop(&mut stack, raw)?)),
            Token::And => Domain::And(vec![pop(&mut stack, raw)?, pop(&mut stack, raw)?]),
            Token::Or => Domain::Or(vec![pop(&mut stack, raw)?, pop(&mut stack, raw)?]),
        };
        stack.push(node);
    }

    stack.reverse();
    Ok(match stack.len() {
        0 => Domain::True,
        1 => stack.remove(0),
        _ => Domain::And(stack),
    })
}

fn pop(stack: &mut Vec<Domain>, raw: &Value) -> Result<Domain, OdooError> {
    stack.pop().ok_or_else(|| {
        OdooError::ValueError(format!(
            "Invalid domain: an operator lacks operands in {raw}"
        ))
    })
}

fn compile_leaf(db: &Database, model: &dyn Model, item: &Value) -> Result<Domain, OdooError> {
    let invalid = || OdooError::ValueError(format!("Invalid leaf {item}"));
    let parts = item
        .as_array()
        .filter(|parts| parts.len() == 3)
        .ok_or_else(invalid)?;

    // Odoo's TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1).
    if let Some(constant) = parts[0].as_i64() {
        return Ok(if constant == 1 {
            Domain::True
        } else {
            Domain::Not(Box::new(Domain::True))
        });
    }

    let path_text = parts[0].as_str().ok_or_else(invalid)?;
    let op = parts[1]
        .as_str()
        .and_then(Operator::parse)
        .ok_or_else(invalid)?;
    let path = resolve_path(db, model, path_text)?;

    let leaf = match op {
        Operator::ChildOf | Operator::ParentOf => hierarchy_leaf(db, model, path, op, &parts[2]),
        _ => Leaf {
            path,
            op,
            value: parts[2].clone(),
        },
    };
    Ok(Domain::Leaf(leaf))
}

fn resolve_path(db: &Database, model: &dyn Model, text: &str) -> Result<Vec<FieldDef>, OdooError> {
    let version = db.version();
    let mut current: &dyn Model = model;
    let mut path = Vec::new();

    for segment in text.split('.') {
        let field = current.field(version, segment).ok_or_else(|| {
            OdooError::ValueError(format!(
                "Invalid field {}.{} in leaf {text:?}",
                current.name(),
                segment
            ))
        })?;
        if let FieldType::Many2one(comodel) | FieldType::One2many(comodel, _) = field.kind {
            if let Some(next) = models::get(comodel, version) {
                current = next;
            }
        }
        path.push(field);
    }
    Ok(path)
}

/// Turns `child_of`/`parent_of` into `in` over the hierarchy, computed once:
/// `child_of X` keeps X and its descendants, `parent_of X` X and its
/// ancestors.
fn hierarchy_leaf(
    db: &Database,
    model: &dyn Model,
    path: Vec<FieldDef>,
    op: Operator,
    value: &Value,
) -> Leaf {
    let roots: Vec<i64> = match value {
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        other => other.as_i64().into_iter().collect(),
    };

    let mut found = BTreeSet::new();
    let mut pending = roots;
    while let Some(id) = pending.pop() {
        if !found.insert(id) {
            continue;
        }
        if op == Operator::ChildOf {
            pending.extend(db.children_of(id));
        } else if let Some(parent) = db
            .get(model.name(), id)
            .and_then(|r| r.get("parent_id"))
            .and_then(Value::as_i64)
        {
            pending.push(parent);
        }
    }

    Leaf {
        path,
        op: Operator::In,
        value: Value::Array(found.into_iter().map(Value::from).collect()),
    }
}

/// Whether the record `id` of `model` matches.
pub fn matches(
    db: &Database,
    model: &dyn Model,
    id: i64,
    record: &Record,
    domain: &Domain,
) -> bool {
    match domain {
        Domain::True => true,
        Domain::And(parts) => parts
            .iter()
            .all(|part| matches(db, model, id, record, part)),
        Domain::Or(parts) => parts
            .iter()
            .any(|part| matches(db, model, id, record, part)),
        Domain::Not(inner) => !matches(db, model, id, record, inner),
        Domain::Leaf(leaf) => matches_leaf(db, model, id, record, &leaf.path, leaf),
    }
}

fn matches_leaf(
    db: &Database,
    model: &dyn Model,
    id: i64,
    record: &Record,
    path: &[FieldDef],
    leaf: &Leaf,
) -> bool {
    let field = &path[0];
    let version = db.version();

    if path.len() > 1 {
        let targets = models::related_ids(db, model, id, record, field);
        let comodel = match field.kind {
            FieldType::Many2one(name) | FieldType::One2many(name, _) => models::get(name, version),
            _ => None,
        };
        let Some(comodel) = comodel else { return false };
        return targets.iter().any(|target| {
            db.get(comodel.name(), *target)
                .is_some_and(|target_record| {
                    matches_leaf(db, comodel, *target, target_record, &path[1..], leaf)
                })
        });
    }

    let mut actual = models::stored_value(db, model, id, record, field);

    // A name given for a many2one is compared with the target's display name.
    if let FieldType::Many2one(comodel) = field.kind {
        if names_expected(&leaf.value) {
            actual = match (actual.as_i64(), models::get(comodel, version)) {
                (Some(target), Some(comodel)) => {
                    Value::String(models::display_name(db, comodel, target))
                }
                _ => Value::Null,
            };
        }
    }

    if let Value::Array(items) = &actual {
        return compare_many(items, leaf.op, &leaf.value);
    }
    compare(&actual, leaf.op, &leaf.value)
}

fn names_expected(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => items.iter().any(Value::is_string),
        _ => false,
    }
}

/// x2many leaves: `in`/`=` match when any related id matches, `= false` when
/// there is none.
fn compare_many(items: &[Value], op: Operator, expected: &Value) -> bool {
    let any = |op| items.iter().any(|item| compare(item, op, expected));
    match op {
        Operator::Eq | Operator::In if is_falsy(expected) => items.is_empty(),
        Operator::Ne | Operator::NotIn if is_falsy(expected) => !items.is_empty(),
        Operator::Ne => !any(Operator::Eq),
        Operator::NotIn => !any(Operator::In),
        other => any(other),
    }
}

fn is_falsy(value: &Value) -> bool {
    matches!(value, Value::Null | Value::Bool(false))
}

fn is_unset(value: &Value) -> bool {
    is_falsy(value)
}

/// Compares a stored value with a leaf value. Negative operators match unset
/// values, as Odoo adds `OR field IS NULL` to them.
pub fn compare(actual: &Value, op: Operator, expected: &Value) -> bool {
    match op {
        Operator::Eq => equal_or_both_unset(actual, expected),
        Operator::Ne => !equal_or_both_unset(actual, expected),
        Operator::EqIfSet => is_falsy(expected) || equal_or_both_unset(actual, expected),
        Operator::In => contains(expected, actual),
        Operator::NotIn => !contains(expected, actual),
        Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge => ordered(actual, op, expected),
        Operator::Like | Operator::Ilike | Operator::EqLike | Operator::EqIlike => {
            like(actual, op, expected)
        }
        Operator::NotLike => !like(actual, Operator::Like, expected),
        Operator::NotIlike => !like(actual, Operator::Ilike, expected),
        Operator::ChildOf | Operator::ParentOf => false,
    }
}

fn equal_or_both_unset(actual: &Value, expected: &Value) -> bool {
    if is_falsy(expected) {
        return is_unset(actual);
    }
    same_value(actual, expected)
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn contains(list: &Value, actual: &Value) -> bool {
    let items: &[Value] = match list {
        Value::Array(items) => items,
        single => std::slice::from_ref(single),
    };
    items.iter().any(|item| {
        if is_falsy(item) {
            is_unset(actual)
        } else {
            same_value(actual, item)
        }
    })
}

fn ordered(actual: &Value, op: Operator, expected: &Value) -> bool {
    let ordering = match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Operator::Lt => ordering.is_lt(),
        Operator::Le => ordering.is_le(),
        Operator::Gt => ordering.is_gt(),
        _ => ordering.is_ge(),
    }
}

fn like(actual: &Value, op: Operator, expected: &Value) -> bool {
    let text = match actual {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => return false,
    };
    let raw = match expected {
        Value::String(pattern) => pattern.clone(),
        Value::Number(number) => number.to_string(),
        _ => return false,
    };

    let pattern = match op {
        Operator::Like | Operator::Ilike => format!("%{raw}%"),
        _ => raw,
    };
    let insensitive = matches!(op, Operator::Ilike | Operator::EqIlike);
    if insensitive {
        like_match(&pattern.to_lowercase(), &text.to_lowercase())
    } else {
        like_match(&pattern, &text)
    }
}

/// SQL LIKE: `%` matches any run of characters, `_` one character, and a
/// backslash makes the next character literal.
pub fn like_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();

    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;

    while t < text.len() {
        let step = match pattern.get(p) {
            Some('%') => {
                backtrack = Some((p, t));
                p += 1;
                continue;
            }
            Some('\\') if p + 1 < pattern.len() => (pattern[p + 1] == text[t]).then_some(2),
            Some('_') => Some(1),
            Some(c) => (*c == text[t]).then_some(1),
            None => None,
        };

        match (step, backtrack) {
            (Some(width), _) => {
                p += width;
                t += 1;
            }
            (None, Some((star, start))) => {
                p = star + 1;
                t = start + 1;
                backtrack = Some((star, start + 1));
            }
            (None, None) => return false,
        }
    }

    pattern[p..].iter().all(|c| *c == '%')
}

#[cfg(test)]
mod tests {
    use super::like_match;

    #[test]
    fn like_wildcards() {
        assert!(like_match("john_doe@x.com", "johnXdoe@x.com"));
        assert!(like_match("%doe%", "john.doe@x.com"));
        assert!(!like_match("john\\_doe@x.com", "johnXdoe@x.com"));
        assert!(like_match("john\\_doe@x.com", "john_doe@x.com"));
        assert!(!like_match("abc", "abcd"));
        assert!(like_match("a%c%", "abcd"));
    }
}
