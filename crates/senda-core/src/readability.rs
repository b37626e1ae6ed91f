//! Reading ease of Spanish text, so that a 14-year-old can read what Senda tells them.
//!
//! - [`syllables`]: Spanish syllables of one word, by the orthographic rules
//!   (diphthongs, triphthongs and hiatus; a silent `u` after `q`/`g`).
//! - [`score`]: words, sentences, syllables, the Fernández-Huerta and
//!   Szigriszt-Pazos (INFLESZ) indices and the longest sentence.
//! - [`check`]: Senda's rule for child-facing text: INFLESZ at least
//!   [`MIN_INFLESZ`] (on texts of [`MIN_WORDS_FOR_INDEX`] words or more) and
//!   no sentence longer than [`MAX_SENTENCE_WORDS`] words.
//!
//! Tokens without letters (numbers such as "141") are not counted as words;
//! acronyms spelled out ("ICBF", "LGBTIQ+") count one syllable per letter.

use serde::Serialize;

/// INFLESZ 65 is the bottom of "bastante fácil" (Barrio-Cantalejo 2008).
pub const MIN_INFLESZ: f64 = 65.0;
pub const MAX_SENTENCE_WORDS: usize = 20;
/// Below this many words the indices say nothing (one long word sinks a
/// two-word label), so shorter texts are held to the sentence rule only.
pub const MIN_WORDS_FOR_INDEX: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub words: usize,
    pub sentences: usize,
    pub syllables: usize,
    /// 206.84 − 0.60·P − 1.02·F (P syllables and F sentences per 100 words).
    pub fernandez_huerta: f64,
    /// INFLESZ: 206.835 − 62.3·syllables/words − words/sentences.
    pub szigriszt_pazos: f64,
    pub longest_sentence_words: usize,
    pub longest_sentence: String,
}

/// Why a text fails the reading rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Problem {
    /// INFLESZ below [`MIN_INFLESZ`].
    Hard { inflesz: f64 },
    /// A sentence longer than [`MAX_SENTENCE_WORDS`] words.
    LongSentence { words: usize, sentence: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hard { inflesz } => write!(
                f,
                "reading ease INFLESZ {inflesz:.1} is below {MIN_INFLESZ} (use shorter words and sentences)"
            ),
            Self::LongSentence { words, sentence } => write!(
                f,
                "a sentence has {words} words (at most {MAX_SENTENCE_WORDS}): «{sentence}»"
            ),
        }
    }
}

fn is_strong(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'o' | 'á' | 'é' | 'ó')
}

fn is_vowel(c: char) -> bool {
    is_strong(c) || matches!(c, 'i' | 'u' | 'í' | 'ú' | 'ü')
}

fn is_stressed_weak(c: char) -> bool {
    matches!(c, 'í' | 'ú')
}

/// Spanish syllables in one word (letters only; anything else is ignored).
pub fn syllables(word: &str) -> usize {
    let lower: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphabetic())
        .collect();
    if lower.is_empty() {
        return 0;
    }
    // Letters as they sound: a silent u (que, qui, gue, gui) is dropped and a
    // final or pre-consonant y is the vowel i (hoy, muy, y).
    let mut letters = Vec::with_capacity(lower.len());
    for (i, &c) in lower.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| lower[p]);
        let next = lower.get(i + 1).copied();
        if c == 'u'
            && matches!(prev, Some('q') | Some('g'))
            && matches!(next, Some('e' | 'i' | 'é' | 'í'))
        {
            continue;
        }
        if c == 'y' && !next.is_some_and(is_vowel) && (prev.is_some() || next.is_none()) {
            letters.push('i');
            continue;
        }
        letters.push(c);
    }
    let mut count = 0;
    let mut prev_vowel: Option<char> = None;
    for &c in &letters {
        if is_vowel(c) {
            match prev_vowel {
                // A new nucleus after a consonant, or a hiatus inside a vowel group:
                // two strong vowels, or a stressed i/u beside any vowel.
                None => count += 1,
                Some(p)
                    if (is_strong(p) && is_strong(c))
                        || is_stressed_weak(p)
                        || is_stressed_weak(c) =>
                {
                    count += 1
                }
                Some(_) => {}
            }
            prev_vowel = Some(c);
        } else {
            prev_vowel = None;
        }
    }
    if count == 0 || spelled_out(word) {
        // Read letter by letter; each letter's name is at least one syllable.
        letters.len()
    } else {
        count
    }
}

/// An acronym in capitals that cannot be read as a word (ICBF, LGBTIQ+):
/// three consonants in a row.
fn spelled_out(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2
        && letters.iter().all(|c| c.is_uppercase())
        && letters.windows(3).any(|w| {
            w.iter()
                .all(|c| !is_vowel(c.to_lowercase().next().unwrap_or(*c)))
        })
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "art", "arts", "núm", "num", "no", "p", "ej", "pág", "págs", "dr", "dra", "sr", "sra", "etc",
    "inc", "lit", "cap",
];

/// Splits text into sentences: at `.`, `!`, `?`, `…`, `;` and at line breaks
/// (list items), never at the period of a known abbreviation or a decimal.
pub fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let ends = match c {
            '!' | '?' | '…' | ';' | '\n' => true,
            '.' => {
                let decimal = next.is_some_and(|n| n.is_ascii_digit());
                let last_word: String = current
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphabetic())
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let abbreviation = ABBREVIATIONS.contains(&last_word.to_lowercase().as_str());
                !decimal && !abbreviation
            }
            _ => false,
        };
        if c != '\n' {
            current.push(c);
        }
        if ends {
            if words(&current) > 0 {
                out.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    if words(&current) > 0 {
        out.push(current.trim().to_owned());
    }
    out
}

fn word_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '/' | '—' | '–'))
        .filter(|w| w.chars().any(char::is_alphabetic))
}

fn words(text: &str) -> usize {
    word_tokens(text).count()
}

/// Scores a Spanish text. `None` when it has no words.
pub fn score(text: &str) -> Option<Score> {
    let sentences = sentences(text);
    let words: usize = sentences.iter().map(|s| words(s)).sum();
    if words == 0 {
        return None;
    }
    let syllables: usize = sentences
        .iter()
        .flat_map(|s| word_tokens(s))
        .map(syllables)
        .sum();
    let (longest_sentence_words, longest_sentence) = sentences
        .iter()
        .map(|s| (self::words(s), s.clone()))
        .max_by_key(|(n, _)| *n)
        .unwrap_or_default();
    let (w, s, y) = (words as f64, sentences.len() as f64, syllables as f64);
    Some(Score {
        words,
        sentences: sentences.len(),
        syllables,
        fernandez_huerta: 206.84 - 0.60 * (100.0 * y / w) - 1.02 * (100.0 * s / w),
        szigriszt_pazos: 206.835 - 62.3 * (y / w) - w / s,
        longest_sentence_words,
        longest_sentence,
    })
}

/// Senda's rule for text a child reads: every problem, or none.
pub fn check(text: &str) -> Vec<Problem> {
    let Some(s) = score(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    if s.words >= MIN_WORDS_FOR_INDEX && s.szigriszt_pazos < MIN_INFLESZ {
        problems.push(Problem::Hard {
            inflesz: (s.szigriszt_pazos * 10.0).round() / 10.0,
        });
    }
    for sentence in sentences(text) {
        let n = words(&sentence);
        if n > MAX_SENTENCE_WORDS {
            problems.push(Problem::LongSentence { words: n, sentence });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-counted (RAE orthographic syllabification).
    #[test]
    fn spanish_syllables_match_hand_counts() {
        let cases: &[(&str, usize)] = &[
            // plain
            ("casa", 2),
            ("niña", 2),
            ("adolescente", 5),
            ("protección", 3),
            ("derechos", 3),
            // diphthongs: strong + weak, weak + weak
            ("puerta", 2),
            ("ciudad", 2),
            ("cuidado", 3),
            ("Venezuela", 4),
            ("Colombia", 3),
            ("Ecuador", 3),
            ("adiós", 2),
            ("huir", 1),
            ("aire", 2),
            // triphthong
            ("Uruguay", 3),
            ("buey", 1),
            ("estudiáis", 3),
            // hiatus: two strong vowels, or a stressed i/u
            ("poeta", 3),
            ("leer", 2),
            ("aeropuerto", 5),
            ("día", 2),
            ("policía", 4),
            ("país", 2),
            ("oído", 3),
            ("reír", 2),
            ("baúl", 2),
            // h between vowels, silent u, y
            ("ahí", 2),
            ("prohíbe", 3),
            ("ahora", 3),
            ("que", 1),
            ("guía", 2),
            ("guerra", 2),
            ("pingüino", 3),
            ("vergüenza", 3),
            ("hoy", 1),
            ("muy", 1),
            ("y", 1),
            ("ayuda", 3),
            ("yo", 1),
            // accents and capitals
            ("Perú", 2),
            ("ÚNICO", 3),
            ("explotación", 4),
            ("migratoria", 4),
            // acronyms
            ("LGBTIQ+", 6),
            ("ICBF", 4),
            ("UPE", 2),
            ("141", 0),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(w, n)| syllables(w) != *n)
            .map(|(w, n)| format!("{w}: expected {n}, got {}", syllables(w)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn sentences_split_at_ends_and_lines_not_abbreviations() {
        let s = sentences(
            "Tienes derechos. ¿Quién te ayuda? (Ley 906 de 2004, art. 11) es la ley.\nLlama al 1.5 km\n- otra",
        );
        assert_eq!(
            s,
            vec![
                "Tienes derechos.",
                "¿Quién te ayuda?",
                "(Ley 906 de 2004, art. 11) es la ley.",
                "Llama al 1.5 km",
                "- otra"
            ]
        );
    }

    #[test]
    fn indices_follow_their_formulas() {
        // 10 words, 2 sentences, 18 syllables (hand-counted).
        let s = score("Nunca es tu culpa. Puedes pedir ayuda a un equipo.").unwrap();
        assert_eq!((s.words, s.sentences), (10, 2));
        assert_eq!(s.syllables, 18);
        let fh = 206.84 - 0.60 * 180.0 - 1.02 * 20.0;
        let sp = 206.835 - 62.3 * 1.8 - 5.0;
        assert!((s.fernandez_huerta - fh).abs() < 1e-9);
        assert!((s.szigriszt_pazos - sp).abs() < 1e-9);
        assert_eq!(s.longest_sentence_words, 6);
    }

    #[test]
    fn the_rule_passes_plain_text_and_names_what_fails() {
        assert!(check("Nunca es tu culpa. Puedes pedir ayuda.").is_empty());
        let long = "En Ecuador el Ministerio de Inclusión Económica y Social tiene servicios especializados para víctimas de trata y explotación y la Fiscalía recibe denuncias también en línea.";
        let problems = check(long);
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::LongSentence { words, .. } if *words > 20)),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Hard { .. })),
            "{problems:?}"
        );
        assert!(check("").is_empty());
        // A short label is held to the sentence rule only.
        assert!(check("Organización internacional").is_empty());
    }
}
