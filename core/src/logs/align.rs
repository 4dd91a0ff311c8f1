//! Brings tables parsed from pieces of one logfmt or JSON-lines input to one schema before they
//! are joined: each piece has the columns of the keys it saw, typed by its own values. The union
//! of the columns is kept in first-seen order; a column missing from a piece is null there; a
//! column typed differently by two pieces takes the type that holds both (int and float make
//! float, any other mix makes strings), as it would have in a sequential parse.

use super::engine::{column_name, unique_name};
use super::format::ColumnType;
use super::options::DEFAULT_PLAIN_COLUMNS;
use super::table::{Column, ColumnData, LogTable, Validity};
use crate::Result;
use crate::pool::StringPool;
use std::sync::Arc;

/// What a column is across pieces: a logfmt or JSON key, or a fixed column's name.
#[derive(Clone, PartialEq, Eq)]
enum Identity {
    Key(std::sync::Arc<[u8]>),
    Name(String),
}

fn identity(column: &Column) -> Identity {
    match column.key() {
        Some(key) => Identity::Key(key.clone()),
        None => Identity::Name(column.name().to_owned()),
    }
}

/// The same columns, in the same order and of the same types, in every table. `plain` is the
/// `plain_columns` option: a column of mixed JSON types becomes a plain string column when it
/// names it (or when it is one of the defaults), a dictionary otherwise, as in one engine.
pub(crate) fn align(tables: Vec<(u64, LogTable)>, plain: Option<&[String]>) -> Result<Vec<(u64, LogTable)>> {
    let Some((_, first)) = tables.first() else {
        return Ok(tables);
    };
    let first: Vec<(Identity, ColumnType)> =
        first.columns().iter().map(|c| (identity(c), c.column_type())).collect();
    let uniform = tables.iter().all(|(_, t)| {
        t.columns().len() == first.len()
            && t.columns()
                .iter()
                .zip(&first)
                .all(|(c, (id, ty))| identity(c) == *id && c.column_type() == *ty)
    });
    if uniform {
        return Ok(tables);
    }
    // The union in first-seen order, `error` and `error_offset` last as in every table.
    let tail = [Identity::Name("error".into()), Identity::Name("error_offset".into())];
    let mut union: Vec<Identity> = Vec::new();
    for (_, table) in &tables {
        for column in table.columns() {
            let id = identity(column);
            if !tail.contains(&id) && !union.contains(&id) {
                union.push(id);
            }
        }
    }
    union.extend(tail);
    // Key columns are named as one engine would have named them, in the same order.
    let mut names: Vec<String> = vec!["line".into(), "error".into(), "error_offset".into()];
    let mut column_names = Vec::with_capacity(union.len());
    for id in &union {
        column_names.push(match id {
            Identity::Name(name) => name.clone(),
            Identity::Key(key) => {
                let name = unique_name(&column_name(key), |n| names.iter().any(|c| c == n));
                names.push(name.clone());
                name
            }
        });
    }
    let is_plain = |name: &str| match plain {
        Some(names) => names.iter().any(|n| n == name),
        None => DEFAULT_PLAIN_COLUMNS.contains(&name),
    };
    let targets: Vec<ColumnType> =
        union.iter().zip(&column_names).map(|(id, name)| target_type(&tables, id, is_plain(name))).collect();
    let mut aligned = Vec::with_capacity(tables.len());
    for (lines, table) in tables {
        let rows = table.num_rows();
        let stats = *table.stats();
        let errors = table.errors().to_vec();
        let mut columns: Vec<Option<Column>> = table.into_columns().into_iter().map(Some).collect();
        let mut out = Vec::with_capacity(union.len());
        for ((id, name), &ty) in union.iter().zip(&column_names).zip(&targets) {
            let found = columns
                .iter_mut()
                .find(|c| c.as_ref().is_some_and(|c| identity(c) == *id))
                .and_then(Option::take);
            let mut column = match found {
                Some(column) => convert(column, ty)?,
                None => null_column(name, ty, rows),
            };
            column.rename(name.clone());
            if let Identity::Key(key) = id {
                column = column.with_key(key.clone());
            }
            out.push(column);
        }
        aligned.push((lines, LogTable::new(out, errors, stats)));
    }
    Ok(aligned)
}

/// The type a column must have to hold the values of every piece (pieces with nulls only do
/// not count).
fn target_type(tables: &[(u64, LogTable)], id: &Identity, plain: bool) -> ColumnType {
    let find = |t: &LogTable| t.columns().iter().find(|c| identity(c) == *id).map(Column::column_type);
    let mut types = tables.iter().filter_map(|(_, t)| {
        t.columns()
            .iter()
            .find(|c| identity(c) == *id)
            .filter(|c| c.null_count() < c.len())
            .map(Column::column_type)
    });
    let Some(mut target) = types.next() else {
        // Nulls only: the type of the first piece that has the column.
        return tables.iter().find_map(|(_, t)| find(t)).unwrap_or(ColumnType::Dictionary);
    };
    for ty in types {
        target = match (target, ty) {
            (a, b) if a == b => a,
            (ColumnType::Int64, ColumnType::Float64) | (ColumnType::Float64, ColumnType::Int64) => {
                ColumnType::Float64
            }
            (ColumnType::String, _) | (_, ColumnType::String) => ColumnType::String,
            _ if plain => ColumnType::String,
            _ => ColumnType::Dictionary,
        };
    }
    target
}

fn null_column(name: &str, ty: ColumnType, rows: usize) -> Column {
    let mut validity = Validity::default();
    for _ in 0..rows {
        validity.push(false);
    }
    let data = match ty {
        ColumnType::UInt64 => ColumnData::UInt64(vec![0; rows]),
        ColumnType::UInt16 => ColumnData::UInt16(vec![0; rows]),
        ColumnType::Int16 => ColumnData::Int16(vec![0; rows]),
        ColumnType::Int64 => ColumnData::Int64(vec![0; rows]),
        ColumnType::Float64 => ColumnData::Float64(vec![0.0; rows]),
        ColumnType::Timestamp => ColumnData::Timestamp(vec![0; rows]),
        ColumnType::String => ColumnData::String { offsets: vec![0; rows + 1], values: Vec::new() },
        ColumnType::Dictionary => ColumnData::Dictionary { codes: vec![0; rows], pool: Arc::default() },
        ColumnType::Bool => ColumnData::Bool(vec![false; rows]),
    };
    Column::new(name.to_owned(), data, validity)
}

/// `column` as type `ty`: unchanged, nulls only, ints as floats, or values as their JSON text.
fn convert(column: Column, ty: ColumnType) -> Result<Column> {
    if column.column_type() == ty {
        return Ok(column);
    }
    if column.null_count() == column.len() {
        return Ok(null_column(column.name(), ty, column.len()));
    }
    let validity = column.validity().clone();
    let data = match (column.data(), ty) {
        (ColumnData::Int64(v), ColumnType::Float64) => {
            ColumnData::Float64(v.iter().map(|&i| i as f64).collect())
        }
        (_, ColumnType::String) => {
            let mut offsets = Vec::with_capacity(column.len() + 1);
            let mut values = Vec::new();
            offsets.push(0);
            for row in 0..column.len() {
                if let Some(text) = json_text(&column, row) {
                    values.extend_from_slice(&text);
                }
                offsets.push(values.len() as i64);
            }
            ColumnData::String { offsets, values }
        }
        _ => {
            let mut pool = StringPool::new();
            let mut codes = Vec::with_capacity(column.len());
            for row in 0..column.len() {
                codes.push(match json_text(&column, row) {
                    Some(text) => pool.intern_bytes(&text)?,
                    None => 0,
                });
            }
            ColumnData::Dictionary { codes, pool: Arc::new(pool) }
        }
    };
    Ok(Column::new(column.name().to_owned(), data, validity))
}

/// Row `row` as the text a string column of JSON values holds; `None` for nulls.
fn json_text(column: &Column, row: usize) -> Option<Vec<u8>> {
    if !column.validity().is_valid(row) {
        return None;
    }
    match column.data() {
        ColumnData::Int64(v) => v.get(row).map(|i| i.to_string().into_bytes()),
        ColumnData::Float64(v) => v.get(row).map(|&x| super::engine::format_float(x).into_bytes()),
        ColumnData::Bool(v) => v.get(row).map(|b| b.to_string().into_bytes()),
        _ => column.bytes(row).map(<[u8]>::to_vec),
    }
}
