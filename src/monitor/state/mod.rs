//! The monitor's state: [`App`] and the one place it changes ([`App::apply`]), the actions
//! keys become and the keymap that says which, the rows shown and their order, and the columns.

pub mod action;
mod answer;
mod app;
pub mod columns;
mod detail;
mod drive;
pub mod keymap;
pub mod list;
pub mod today;

pub use app::{App, DetailTab, Effect, Note, Panel, View};
