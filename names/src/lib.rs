//! How names are stored and compared, in one place below every layer that needs it: the API contract
//! parses names with [`forbidden`], [`is_space`] and [`normalize`]; the server and the migrations compare
//! them by [`fold`]. Folding in Rust, not with SQL `lower()`, is what makes SQLite and PostgreSQL agree:
//! SQLite's `lower()` folds only ASCII, PostgreSQL's follows its locale, and neither folds `ß` to `ss`.

use caseless::default_case_fold_str;
use unicode_normalization::UnicodeNormalization;

/// The Unicode space characters that may separate the words of a name (a run of them is stored as one
/// U+0020). Every other white space character is a control character or a line or paragraph separator,
/// which [`forbidden`] refuses.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{0020}' | '\u{00A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Characters a name may not carry, because they are invisible or would change how the text around
/// them reads: control characters, format characters that hide in a name (zero width, direction marks
/// and overrides, invisible operators, the byte order mark, annotation marks) and the line and
/// paragraph separators. `None` for every other character.
pub fn forbidden(c: char) -> Option<String> {
    let name = match c {
        '\u{0000}' => "null (a control character)",
        '\u{0009}' => "tab (a control character)",
        '\u{000A}' => "line feed (a control character)",
        '\u{000D}' => "carriage return (a control character)",
        _ if c.is_control() => "control character",
        '\u{00AD}' => "soft hyphen",
        '\u{061C}' => "arabic letter mark",
        '\u{180E}' => "mongolian vowel separator",
        '\u{200B}' => "zero width space",
        '\u{200C}' => "zero width non-joiner",
        '\u{200D}' => "zero width joiner",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2060}' => "word joiner",
        '\u{2061}' => "function application",
        '\u{2062}' => "invisible times",
        '\u{2063}' => "invisible separator",
        '\u{2064}' => "invisible plus",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{206A}'..='\u{206F}' => "deprecated format character",
        '\u{FEFF}' => "zero width no-break space (byte order mark)",
        '\u{FFF9}' => "interlinear annotation anchor",
        '\u{FFFA}' => "interlinear annotation separator",
        '\u{FFFB}' => "interlinear annotation terminator",
        _ => return None,
    };
    Some(format!("U+{:04X} {name}", u32::from(c)))
}

/// The form a name is stored in: Unicode NFC, each run of [`is_space`] characters one U+0020, none at
/// either end. NFC first, so a name typed with combining accents (NFD) and one typed precomposed are one
/// name; it can make a name longer (U+0958 becomes two code points), never shorter than its words.
pub fn normalize(text: &str) -> String {
    let mut normal = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfc() {
        if is_space(c) {
            pending_space = !normal.is_empty();
            continue;
        }
        if pending_space {
            normal.push(' ');
            pending_space = false;
        }
        normal.push(c);
    }
    normal
}

/// The key names are compared by, for uniqueness and search: full Unicode case folding of the NFC form,
/// without the dot above that folding leaves on `İ` (so `İSTANBUL` is found by `istanbul`), in NFC again.
/// `Straße` and `STRASSE` have one key, and so do `Übersee` and `übersee` on either database.
pub fn fold(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    let folded = default_case_fold_str(&nfc);
    let mut undotted = String::with_capacity(folded.len());
    let mut previous = None;
    for c in folded.chars() {
        // U+0130 folds to `i` + U+0307; Turkish readers see `İ` as the capital of `i`, others as an `I`.
        if !(c == '\u{0307}' && matches!(previous, Some('i' | 'j'))) {
            undotted.push(c);
        }
        previous = Some(c);
    }
    undotted.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_treats_letter_case_alike_in_every_script() {
        assert_eq!(fold("İSTANBUL"), fold("istanbul"));
        assert_eq!(fold("İSTANBUL"), "istanbul");
        assert_eq!(fold("Übersee"), fold("übersee"));
        assert_eq!(fold("Straße"), fold("STRASSE"));
        assert_eq!(fold("ΣΟΦΟΣ"), fold("σοφος"));
        assert_eq!(fold("NYC"), "nyc");
    }

    #[test]
    fn fold_sees_composed_and_decomposed_accents_as_one() {
        let composed = "Caf\u{00E9}";
        let decomposed = "Cafe\u{0301}";
        assert_eq!(fold(composed), fold(decomposed));
        assert_eq!(fold(decomposed), "caf\u{00E9}");
        // A dot above on another letter is a letter of its own and stays.
        assert_eq!(fold("Ż"), "ż");
    }

    #[test]
    fn normalize_stores_nfc_with_single_spaces() {
        assert_eq!(normalize("Cafe\u{0301}"), "Caf\u{00E9}");
        assert_eq!(normalize("LA\u{00A0}\u{00A0}Office"), "LA Office");
        assert_eq!(normalize("LA\u{2003} \u{3000}Office"), "LA Office");
        assert_eq!(normalize("  LA Office "), "LA Office");
        assert_eq!(normalize("\u{0958}"), "\u{0915}\u{093C}");
    }

    #[test]
    fn forbidden_names_the_character() {
        assert_eq!(
            forbidden('\u{200B}').as_deref(),
            Some("U+200B zero width space")
        );
        for c in [
            '\u{0}', '\u{1F}', '\u{7F}', '\u{9F}', '\u{AD}', '\u{61C}', '\u{180E}', '\u{200F}',
            '\u{2028}', '\u{2029}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}',
            '\u{206F}', '\u{FEFF}', '\u{FFF9}', '\u{FFFB}',
        ] {
            assert!(forbidden(c).is_some(), "{:04X}", u32::from(c));
        }
        for c in [
            'a', ' ', '\u{A0}', '\u{2065}', '\u{3000}', '\u{E9}', '\u{301}', '😀',
        ] {
            assert_eq!(forbidden(c), None, "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn every_white_space_is_a_space_or_forbidden() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if c.is_whitespace() {
                assert!(
                    is_space(c) != forbidden(c).is_some(),
                    "{:04X}",
                    u32::from(c)
                );
            }
        }
    }
}
