//! The model: correlated sessions and their status, built from source facts by pure functions.

pub mod correlate;
pub mod infer;
pub mod row;
pub mod sanitize;
pub mod select;
pub mod state;
