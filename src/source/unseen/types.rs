//! The unseen marks, as the model reads them.

use std::collections::BTreeMap;

/// Session id → when it finished, Unix ms.
pub type Marks = BTreeMap<String, i64>;
