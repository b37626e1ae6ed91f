//! The fixes a lenient import makes to single values, each one reversible by
//! reading the report: trimming, literal `\n`, 12-hour times, and text that
//! was UTF-8 read once as a DOS code page (`ni├▒os`), possibly then folded
//! to Windows-1252 by Windows' "best fit" (`ni+¦os`, `GÇÖ`).

use oem_cp::code_table::{DECODING_TABLE_CP437, DECODING_TABLE_CP850};
use std::collections::BTreeSet;

/// Windows' best-fit fold of the non-Latin-1 characters of CP437/CP850 into
/// Windows-1252, from Microsoft's published `bestfit1252.txt` (WCTABLE).
const BEST_FIT_1252: &[(char, u8)] = &[
    ('\u{0393}', 0x47), // Γ → G
    ('\u{0398}', 0x54), // Θ → T
    ('\u{03a3}', 0x53), // Σ → S
    ('\u{03a6}', 0x46), // Φ → F
    ('\u{03a9}', 0x4f), // Ω → O
    ('\u{03b1}', 0x61), // α → a
    ('\u{03b4}', 0x64), // δ → d
    ('\u{03b5}', 0x65), // ε → e
    ('\u{03c0}', 0x70), // π → p
    ('\u{03c3}', 0x73), // σ → s
    ('\u{03c4}', 0x74), // τ → t
    ('\u{03c6}', 0x66), // φ → f
    ('\u{0192}', 0x83), // ƒ → ƒ
    ('\u{2017}', 0x3d), // ‗ → =
    ('\u{207f}', 0x6e), // ⁿ → n
    ('\u{20a7}', 0x50), // ₧ → P
    ('\u{2219}', 0xb7), // ∙ → ·
    ('\u{221a}', 0x76), // √ → v
    ('\u{221e}', 0x38), // ∞ → 8
    ('\u{2229}', 0x6e), // ∩ → n
    ('\u{2248}', 0x98), // ≈ → ˜
    ('\u{2261}', 0x3d), // ≡ → =
    ('\u{2264}', 0x3d), // ≤ → =
    ('\u{2265}', 0x3d), // ≥ → =
    ('\u{2310}', 0xac), // ⌐ → ¬
    ('\u{2320}', 0x28), // ⌠ → (
    ('\u{2321}', 0x29), // ⌡ → )
    ('\u{2500}', 0x2d),
    ('\u{2502}', 0xa6),
    ('\u{250c}', 0x2b),
    ('\u{2510}', 0x2b),
    ('\u{2514}', 0x2b),
    ('\u{2518}', 0x2b),
    ('\u{251c}', 0x2b),
    ('\u{2524}', 0xa6),
    ('\u{252c}', 0x2d),
    ('\u{2534}', 0x2d),
    ('\u{253c}', 0x2b),
    ('\u{2550}', 0x2d),
    ('\u{2551}', 0xa6),
    ('\u{2552}', 0x2b),
    ('\u{2553}', 0x2b),
    ('\u{2554}', 0x2b),
    ('\u{2555}', 0x2b),
    ('\u{2556}', 0x2b),
    ('\u{2557}', 0x2b),
    ('\u{2558}', 0x2b),
    ('\u{2559}', 0x2b),
    ('\u{255a}', 0x2b),
    ('\u{255b}', 0x2b),
    ('\u{255c}', 0x2b),
    ('\u{255d}', 0x2b),
    ('\u{255e}', 0xa6),
    ('\u{255f}', 0xa6),
    ('\u{2560}', 0xa6),
    ('\u{2561}', 0xa6),
    ('\u{2562}', 0xa6),
    ('\u{2563}', 0xa6),
    ('\u{2564}', 0x2d),
    ('\u{2565}', 0x2d),
    ('\u{2566}', 0x2d),
    ('\u{2567}', 0x2d),
    ('\u{2568}', 0x2d),
    ('\u{2569}', 0x2d),
    ('\u{256a}', 0x2b),
    ('\u{256b}', 0x2b),
    ('\u{256c}', 0x2b),
    ('\u{2580}', 0xaf),
    ('\u{2584}', 0x5f),
    ('\u{2588}', 0xa6),
    ('\u{258c}', 0xa6),
    ('\u{2590}', 0xa6),
    ('\u{2591}', 0xa6),
    ('\u{2592}', 0xa6),
    ('\u{2593}', 0xa6),
    ('\u{25a0}', 0xa6),
];

/// What the character became in Windows-1252 text: itself if it is there, its best fit, or nothing.
fn to_1252(c: char) -> Option<char> {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    if !unmappable {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        return text.chars().next();
    }
    let byte = BEST_FIT_1252.iter().find(|(from, _)| *from == c)?.1;
    let bytes = [byte];
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    text.chars().next()
}

/// The bytes ≥ 0x80 a character may stand for, read in a DOS code page
/// (exactly), or read so and then folded to Windows-1252 (best fit). Built once.
fn byte_candidates(c: char) -> &'static [u8] {
    static TABLE: std::sync::LazyLock<std::collections::BTreeMap<char, Vec<u8>>> =
        std::sync::LazyLock::new(|| {
            let mut map: std::collections::BTreeMap<char, BTreeSet<u8>> = Default::default();
            for table in [&DECODING_TABLE_CP437, &DECODING_TABLE_CP850] {
                for (i, &shown) in table.iter().enumerate() {
                    let byte = 0x80 + i as u8;
                    map.entry(shown).or_default().insert(byte);
                    if let Some(folded) = to_1252(shown) {
                        map.entry(folded).or_default().insert(byte);
                    }
                }
            }
            map.into_iter()
                .map(|(c, b)| (c, b.into_iter().collect()))
                .collect()
        });
    TABLE.get(&c).map(Vec::as_slice).unwrap_or(&[])
}

/// One fix: the repaired text, and whether the repair relied on the word
/// appearing intact elsewhere in the data (several bytes could have made it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub text: String,
    pub by_vocabulary: bool,
}

/// Repairs the UTF-8-read-as-DOS damage in `value`, if any. Each damaged
/// sequence is decoded back through the code-page tables; when the tables
/// allow several characters (the best fit folded them together), the word
/// that `vocabulary` (lower-case words seen intact in the same import)
/// contains decides, and without such evidence the value is left alone.
pub fn repair_mojibake(value: &str, vocabulary: &BTreeSet<String>) -> Option<Repair> {
    if value.is_ascii() {
        return None;
    }
    let chars: Vec<char> = value.chars().collect();
    // Per position: the characters the damaged sequence starting there decodes to.
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    let mut changed = false;
    while i < chars.len() {
        match decode_at(&chars, i) {
            Some((len, options)) => {
                out.push(options.into_iter().collect());
                i += len;
                changed = true;
            }
            None => {
                out.push(vec![chars[i].to_string()]);
                i += 1;
            }
        }
    }
    if !changed {
        return None;
    }
    if out.iter().all(|o| o.len() == 1) {
        return Some(Repair {
            text: out.into_iter().map(|mut o| o.remove(0)).collect(),
            by_vocabulary: false,
        });
    }
    // Ambiguous pieces: decide word by word, from words seen intact.
    let mut text = String::new();
    let mut word: Vec<Vec<String>> = Vec::new();
    let flush = |word: &mut Vec<Vec<String>>, text: &mut String| -> bool {
        let mut options = vec![String::new()];
        for piece in word.iter() {
            options = options
                .iter()
                .flat_map(|p| piece.iter().map(move |c| format!("{p}{c}")))
                .take(4096)
                .collect();
        }
        let ok = if options.len() == 1 {
            text.push_str(&options[0]);
            true
        } else {
            let known: Vec<&String> = options
                .iter()
                .filter(|w| vocabulary.contains(&w.to_lowercase()))
                .collect();
            if let [only] = known.as_slice() {
                text.push_str(only);
                true
            } else {
                false
            }
        };
        word.clear();
        ok
    };
    for piece in out {
        let boundary = piece.len() == 1 && !piece[0].chars().all(char::is_alphanumeric);
        if boundary {
            if !flush(&mut word, &mut text) {
                return None;
            }
            text.push_str(&piece[0]);
        } else {
            word.push(piece);
        }
    }
    if !flush(&mut word, &mut text) {
        return None;
    }
    Some(Repair {
        text,
        by_vocabulary: true,
    })
}

/// A damaged UTF-8 sequence starting at `i`: its length in characters and
/// the characters it can decode to.
fn decode_at(chars: &[char], i: usize) -> Option<(usize, BTreeSet<String>)> {
    let lead = chars[i];
    // An ASCII lead stands for a best-fit fold only (Γ → G); what follows must
    // itself be damaged (never ASCII), so a real G before plain text is left alone.
    let leads: Vec<u8> = byte_candidates(lead)
        .iter()
        .copied()
        .filter(|b| (0xc2..=0xf4).contains(b))
        .collect();
    let mut found = BTreeSet::new();
    let mut length = 0;
    for lead_byte in leads {
        let n = match lead_byte {
            0xc2..=0xdf => 1,
            0xe0..=0xef => 2,
            _ => 3,
        };
        let Some(rest) = chars.get(i + 1..i + 1 + n) else {
            continue;
        };
        // The continuation characters are never ASCII (bytes 0x80–0xBF).
        if rest.iter().any(char::is_ascii) {
            continue;
        }
        let options: Vec<Vec<u8>> = rest
            .iter()
            .map(|c| {
                byte_candidates(*c)
                    .iter()
                    .copied()
                    .filter(|b| (0x80..=0xbf).contains(b))
                    .collect()
            })
            .collect();
        if options.iter().any(Vec::is_empty) {
            continue;
        }
        let mut sequences = vec![vec![lead_byte]];
        for opts in &options {
            sequences = sequences
                .iter()
                .flat_map(|s| {
                    opts.iter().map(move |b| {
                        let mut s = s.clone();
                        s.push(*b);
                        s
                    })
                })
                .collect();
        }
        for s in sequences {
            if let Ok(text) = std::str::from_utf8(&s) {
                let c = text.chars().next().expect("one character");
                if latin_text(c) {
                    found.insert(text.to_owned());
                    length = n + 1;
                }
            }
        }
    }
    (!found.is_empty()).then_some((length, found))
}

/// What directories in the region write: Latin letters and the punctuation
/// around them. A decoding to anything else (`engañó` read as α + ñ + ó would
/// give Devanagari) is not a repair.
fn latin_text(c: char) -> bool {
    matches!(c, '\u{a0}'..='\u{24f}' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{203a}' | '€' | '™')
}

/// `8:00am`, `8am`, `8:30 p.m.`, `12:15 AM` → `08:00`, `08:00`, `20:30`, `00:15`.
pub fn twelve_hour_time(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase().replace(['.', ' '], "");
    let (clock, pm) = if let Some(c) = v.strip_suffix("am") {
        (c, false)
    } else if let Some(c) = v.strip_suffix("pm") {
        (c, true)
    } else {
        return None;
    };
    let (h, m) = match clock.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (clock.parse::<u32>().ok()?, 0),
    };
    if !(1..=12).contains(&h) || m > 59 {
        return None;
    }
    let h24 = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, false) => h,
        (h, true) => h + 12,
    };
    Some(format!("{h24:02}:{m:02}"))
}

/// Text with a literal backslash-n (`\n` typed or exported as two characters) given real line breaks.
pub fn literal_newlines(value: &str) -> Option<String> {
    value
        .contains("\\n")
        .then(|| value.replace("\\r\\n", "\n").replace("\\n", "\n"))
}

/// Lower-case words of a text, for the vocabulary that settles ambiguous repairs.
pub fn words(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2 && !w.is_ascii())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_hour_times() {
        assert_eq!(twelve_hour_time("8:00am").as_deref(), Some("08:00"));
        assert_eq!(twelve_hour_time("8am").as_deref(), Some("08:00"));
        assert_eq!(twelve_hour_time("8:30 P.M.").as_deref(), Some("20:30"));
        assert_eq!(twelve_hour_time("12:15 AM").as_deref(), Some("00:15"));
        assert_eq!(twelve_hour_time("12pm").as_deref(), Some("12:00"));
        assert_eq!(twelve_hour_time("13:00pm"), None);
        assert_eq!(twelve_hour_time("08:00"), None);
    }

    #[test]
    fn dos_code_page_damage_is_undone_through_the_tables() {
        let none = BTreeSet::new();
        // Read once as CP437.
        let r = repair_mojibake("ni├▒os y adolescentes", &none).unwrap();
        assert_eq!(r.text, "niños y adolescentes");
        assert!(!r.by_vocabulary);
        assert_eq!(
            repair_mojibake("Centro ΓÇÖs", &none).unwrap().text,
            "Centro ’s"
        );
        // Then folded by Windows' best fit: Γ became G, and only one byte fits.
        assert_eq!(
            repair_mojibake("the child GÇÖs rights", &none)
                .unwrap()
                .text,
            "the child ’s rights"
        );
        // `+¦` could be ñ, ó, ú…: the word seen intact elsewhere decides.
        assert_eq!(repair_mojibake("ni+¦os", &none), None);
        let vocabulary = BTreeSet::from(["niños".to_owned()]);
        let r = repair_mojibake("Atención a ni+¦os", &vocabulary).unwrap();
        assert_eq!(r.text, "Atención a niños");
        assert!(r.by_vocabulary);
        // Intact Spanish and Portuguese are never touched.
        for clean in [
            "Niños, niñas y adolescentes",
            "Atenção à criança",
            "Señor Núñez ±",
        ] {
            assert_eq!(repair_mojibake(clean, &vocabulary), None, "{clean}");
        }
    }

    /// Every line of the shipped content and the clean fixtures (es, en, pt, with their
    /// accents, quotes and dashes) is left alone: the repair never "fixes" clean text.
    #[test]
    fn clean_text_in_every_language_is_never_touched() {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            here.join("../../assets/content"),
            here.join("tests/fixtures/hsds-3.0-example"),
            here.join("tests/fixtures/hsds-1.1"),
            here.join("tests/fixtures/hsds-2.0"),
        ];
        let mut lines = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    for line in text.lines() {
                        lines += 1;
                        assert_eq!(
                            repair_mojibake(line, &BTreeSet::new()),
                            None,
                            "{}: {line}",
                            path.display()
                        );
                    }
                }
            }
        }
        assert!(lines > 500, "{lines}");
    }

    #[test]
    fn literal_backslash_n_becomes_a_line_break() {
        assert_eq!(literal_newlines("a\\nb").as_deref(), Some("a\nb"));
        assert_eq!(literal_newlines("a\nb"), None);
    }
}
