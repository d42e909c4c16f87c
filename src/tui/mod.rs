//! What the monitor and the picker share: cutting text to a display width, the look of each
//! state, and taking over (and always giving back) the terminal.

pub mod terminal;
pub mod text;
pub mod theme;
