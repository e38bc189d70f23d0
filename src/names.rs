//! Campaign names as operators type them: `vår 2026` is the campaign
//! `Vår 2026`, and `Hostsalg 2026` is most likely a typo of `Høstsalg 2026`.
//!
//! Two names are the *same* when their folded forms are equal: Unicode NFC
//! (so that a decomposed `å` from a Mac is the `å` of a Windows keyboard),
//! lower case, runs of white space as one space. No two campaigns may have the
//! same name in this sense; the database layer refuses to create one.
//!
//! Two names are *close* (worth a "did you mean …?") when they hold the same
//! numbers and their skeletons (the folded form without accents: `ø` → `o`,
//! `æ` → `ae`, `å` → `a`) are equal or one or two edits apart (one for short
//! names). Names that differ in a number (`Vår 2026`, `Vår 2027`, `Q1`, `Q2`)
//! are different campaigns on purpose, never typos of each other.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How many suggestions a "did you mean" offers at most.
const MAX_SUGGESTIONS: usize = 3;

/// The form names are compared in.
pub fn fold(name: &str) -> String {
    crate::mentions::normalize(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `a` and `b` name the same campaign.
pub fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// True when `typed` is a prefix of `name`, compared folded (for completion).
pub fn starts(name: &str, typed: &str) -> bool {
    fold(name).starts_with(&fold(typed))
}

/// The names among `names` that `typed` is close to but not the same as,
/// closest first.
pub fn suggestions<'a>(typed: &str, names: &'a [String]) -> Vec<&'a str> {
    let (typed_skeleton, typed_digits) = (skeleton(typed), digits(typed));
    let mut close: Vec<(usize, &str)> = names
        .iter()
        .filter(|name| !same(name, typed) && digits(name) == typed_digits)
        .filter_map(|name| {
            let other = skeleton(name);
            let distance = strsim::osa_distance(&typed_skeleton, &other);
            let longest = typed_skeleton.chars().count().max(other.chars().count());
            (distance <= allowed_edits(longest)).then_some((distance, name.as_str()))
        })
        .collect();
    close.sort();
    close
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, n)| n)
        .collect()
}

/// `did you mean "A"?`, or `did you mean "A" or "B"?`.
pub fn did_you_mean(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.split_last() {
        Some((last, [])) => format!("did you mean {last}?"),
        Some((last, rest)) => format!("did you mean {} or {last}?", rest.join(", ")),
        None => String::new(),
    }
}

/// Typos forgiven in a name of `chars` characters: none in the shortest
/// names, where one letter makes another word.
fn allowed_edits(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Pushes `c` as plain Latin letters: the letters that keep no accent to take
/// off once decomposed (ø, æ, ß...) written as the letters they are read as.
pub fn push_plain(out: &mut String, c: char) {
    match c {
        'ø' => out.push('o'),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        'ß' => out.push_str("ss"),
        'đ' | 'ð' => out.push('d'),
        'ł' => out.push('l'),
        'þ' => out.push_str("th"),
        'ı' => out.push('i'),
        c => out.push(c),
    }
}

/// The folded name without accents, for finding typos.
fn skeleton(name: &str) -> String {
    let mut out = String::new();
    for c in fold(name).nfd().filter(|&c| !is_combining_mark(c)) {
        push_plain(&mut out, c);
    }
    out
}

/// The numbers in a name, which a typo does not change.
fn digits(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_digit() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn case_composition_and_spacing_do_not_make_another_name() {
        assert!(same("Vår 2026", "vår 2026"));
        assert!(same("VÅR  2026 ", "vår 2026"));
        assert!(same("Ærlig Øst", "ærlig øst"));
        let decomposed: String = "Vår".nfd().collect();
        assert!(same(&decomposed, "VÅR"));
        assert!(!same("Vår 2026", "Var 2026"));
        assert!(starts("Høstsalg 2026", "høst"));
        assert!(!starts("Høstsalg 2026", "host"));
    }

    #[test]
    fn accents_and_typos_are_close_but_numbers_are_not() {
        let existing = names(&["Høstsalg 2026", "Vår 2026", "Vår 2027", "Q1", "Jul"]);
        assert_eq!(suggestions("Hostsalg 2026", &existing), ["Høstsalg 2026"]);
        assert_eq!(suggestions("Høstslag 2026", &existing), ["Høstsalg 2026"]);
        assert_eq!(suggestions("Vaar 2026", &existing), ["Vår 2026"]);
        assert_eq!(suggestions("Var 2028", &existing), Vec::<&str>::new());
        assert_eq!(suggestions("Q2", &existing), Vec::<&str>::new());
        assert_eq!(suggestions("Juli", &existing), ["Jul"]);
        assert_eq!(suggestions("Sommer 2026", &existing), Vec::<&str>::new());
        // The same name is found, not suggested.
        assert_eq!(suggestions("vår 2026", &existing), Vec::<&str>::new());
    }

    #[test]
    fn suggestions_read_as_a_question() {
        assert_eq!(did_you_mean(&["A"]), "did you mean \"A\"?");
        assert_eq!(
            did_you_mean(&["A", "B", "C"]),
            "did you mean \"A\", \"B\" or \"C\"?"
        );
    }
}
