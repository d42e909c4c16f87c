//! The one keymap mechanism both views use: for each place a key can act in, the bindings of
//! that view's actions there (from the configuration file's key tables). What is on screen picks
//! the place; in a place where one types, a plain character types instead of acting.

use std::fmt::Debug;

use crate::config::keys::{Bindings, KeySpec};

/// Where a key acts, in one view.
pub trait Place: Copy + Eq + Debug {
    /// Plain characters type here (a filter, a typed answer).
    fn typing(self) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap<P, A> {
    places: Vec<(P, Bindings<A>)>,
}

impl<P: Place, A: Clone + PartialEq> Keymap<P, A> {
    pub fn of(places: Vec<(P, Bindings<A>)>) -> Self {
        Keymap { places }
    }

    fn at(&self, place: P) -> Option<&Bindings<A>> {
        self.places
            .iter()
            .find(|(p, _)| *p == place)
            .map(|(_, b)| b)
    }

    /// The action bound to `key` in `place`.
    pub fn action(&self, place: P, key: KeySpec) -> Option<A> {
        self.at(place)?.action(key, place.typing()).cloned()
    }

    /// The first key bound to `action` in `place`, as the file writes it (for hints on screen).
    pub fn key_for(&self, place: P, action: &A) -> Option<String> {
        self.at(place)?
            .keys_for(action)
            .next()
            .map(|k| k.to_string())
    }

    /// Every binding of every place, in the file's order (what a help lists).
    pub fn all(&self) -> impl Iterator<Item = &(KeySpec, A)> {
        self.places.iter().flat_map(|(_, b)| b.iter())
    }
}
