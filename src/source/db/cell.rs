//! Reading a row's cells whatever SQLite holds in them.
//!
//! SQLite is dynamically typed: a column declared `integer` may hold a REAL, TEXT or a BLOB
//! (another program, a hand edit, a bug in a migration). One such cell must cost its row, not
//! the read: numbers are read leniently (a REAL truncated, a numeric TEXT parsed), text lossily,
//! and a cell that is neither makes the row's decoder fail with [`bad_value`]; the readers then
//! skip that row and count it ([`super::Db::keep`]).

use rusqlite::Row;
use rusqlite::types::{Type, ValueRef};

/// An integer (a time, a count), or None for NULL. A REAL is truncated towards zero (and
/// saturates at the i64 range), a TEXT that spells a number is parsed; anything else is a
/// bad value.
pub(crate) fn int(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        ValueRef::Real(x) if x.is_finite() => Ok(Some(x as i64)),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).map(str::trim).unwrap_or("");
            match (s.parse::<i64>(), s.parse::<f64>()) {
                (Ok(n), _) => Ok(Some(n)),
                (_, Ok(x)) if x.is_finite() => Ok(Some(x as i64)),
                _ => Err(bad_value(r, i, Type::Text)),
            }
        }
        ValueRef::Real(_) => Err(bad_value(r, i, Type::Real)),
        ValueRef::Blob(_) => Err(bad_value(r, i, Type::Blob)),
    }
}

/// A real number (a cost), or None for NULL; a TEXT that spells a finite number is parsed.
pub(crate) fn real(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n as f64)),
        ValueRef::Real(x) if x.is_finite() => Ok(Some(x)),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| bad_value(r, i, Type::Text)),
        ValueRef::Real(_) => Err(bad_value(r, i, Type::Real)),
        ValueRef::Blob(_) => Err(bad_value(r, i, Type::Blob)),
    }
}

/// A text column read even when it is not valid UTF-8 (SQLite does not check): one bad title
/// must not make the whole database unreadable. Invalid bytes become U+FFFD; a number reads as
/// its decimal form.
pub(crate) fn lossy(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
    })
}

/// A row's key (`id`): TEXT or a number, never NULL or a BLOB, since the row is looked up
/// again by it.
pub(crate) fn key(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    match r.get_ref(i)? {
        ValueRef::Text(b) => std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| bad_value(r, i, Type::Text)),
        ValueRef::Integer(n) => Ok(n.to_string()),
        ValueRef::Null => Err(bad_value(r, i, Type::Null)),
        ValueRef::Real(_) => Err(bad_value(r, i, Type::Real)),
        ValueRef::Blob(_) => Err(bad_value(r, i, Type::Blob)),
    }
}

/// A JSON document (`data`): TEXT (not checked for UTF-8 here: the JSON parser is), or None for
/// NULL; any other type is a bad value.
pub(crate) fn json<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(b) => Ok(std::str::from_utf8(b).ok()),
        ValueRef::Integer(_) => Err(bad_value(r, i, Type::Integer)),
        ValueRef::Real(_) => Err(bad_value(r, i, Type::Real)),
        ValueRef::Blob(_) => Err(bad_value(r, i, Type::Blob)),
    }
}

fn bad_value(r: &Row<'_>, i: usize, t: Type) -> rusqlite::Error {
    let name = r
        .as_ref()
        .column_name(i)
        .map_or_else(|_| i.to_string(), str::to_string);
    rusqlite::Error::InvalidColumnType(i, name, t)
}

/// Whether `e` says one cell could not be decoded (and only its row is lost), as opposed to a
/// failure of the database or the statement.
pub(crate) fn is_bad_value(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(..)
    )
}

/// `expr` where it is a number, else NULL: for aggregates (`max`) and ranges over a column that
/// may hold TEXT, which SQLite orders after every number.
pub(crate) fn numeric(expr: &str) -> String {
    format!("(CASE WHEN typeof({expr}) IN ('integer', 'real') THEN {expr} END)")
}
