//! Where in the file a parse error is: its line and the dotted key it is about, so an error
//! names `picker.keys.up` rather than a byte offset.

/// The line of an error's span, and the dotted key it is about (`picker.keys.up`). The span is
/// an unknown key itself, a table header, or a value after its `key =` (a list may span lines).
pub(super) fn locate(text: &str, span: std::ops::Range<usize>) -> (usize, Option<String>) {
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let prefix = before.rsplit('\n').next().unwrap_or("");
    let above = &before[..before.len() - prefix.len()];
    let lines_above = || above.lines().rev();
    let header = |l: &str| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(|t| t.trim_matches(['[', ']']).trim().to_string())
    };
    // The value's key: the last `key =` before it on its line, else on the lines above; inside
    // an inline table, with the table's key before it (`colours = { title = ` → colours.title).
    let key_of = |l: &str| {
        let (k, _) = l.rsplit_once('=')?;
        fn name(s: &str) -> &str {
            s.rsplit(',').next().unwrap_or(s).trim().trim_matches('"')
        }
        let mut tables: Vec<&str> = k.split('{').collect();
        let last = name(tables.pop()?);
        let mut path: Vec<&str> = tables
            .iter()
            .filter_map(|t| t.rsplit_once('=').map(|(k, _)| name(k)))
            .collect();
        path.push(last);
        let k = path.join(".");
        (!last.is_empty() && !k.starts_with('#')).then_some(k)
    };
    let key = if prefix.trim_start().starts_with('[') {
        return (
            line,
            text[start - prefix.len()..].lines().next().and_then(header),
        );
    } else if prefix.trim().is_empty() {
        text.get(span)
            .and_then(|t| t.lines().next())
            .map(|t| t.trim().to_string())
    } else {
        key_of(prefix).or_else(|| {
            lines_above()
                .take_while(|l| header(l).is_none())
                .find_map(key_of)
        })
    };
    let table = lines_above().find_map(header);
    let key = match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, k) => k,
        (Some(t), None) => Some(t),
    };
    (line, key)
}
