//! What the monitor and the picker share about acting on a row, so each rule is written once:
//! answering its request (`answer`: the keys and the typed-answer prompt; `hint`: the line that
//! says what is asked and which key answers how), finding rows (`filter`), and the keymap
//! mechanism both views bind their own actions with (`keymap`).

pub mod answer;
pub mod drive;
pub mod filter;
pub mod hint;
pub mod keymap;
