//! Scores every child-facing Spanish text of a content source folder, and
//! lists what `senda-content build` would refuse.
//!
//! ```text
//! cargo run -p senda-core --example readability [-- assets/content] [--all]
//! ```
//! Without `--all`, only texts that fail the reading rule are listed.

use senda_core::content::source;
use senda_core::readability::{self, MAX_SENTENCE_WORDS, MIN_INFLESZ};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/content"));
    println!(
        "Rule: INFLESZ (Szigriszt-Pazos) >= {MIN_INFLESZ} and no sentence over {MAX_SENTENCE_WORDS} words.\n"
    );
    println!(
        "{:<48} {:>7} {:>7} {:>6}  problems",
        "item", "INFLESZ", "F-H", "words"
    );
    let mut failing = 0;
    for (item, text, exempt) in source::child_facing_texts(&dir) {
        let Some(score) = readability::score(&text) else {
            continue;
        };
        let problems = readability::check(&text);
        if !problems.is_empty() && exempt.is_none() {
            failing += 1;
        }
        if all || (!problems.is_empty() && exempt.is_none()) {
            println!(
                "{:<48} {:>7.1} {:>7.1} {:>6}  {}",
                item,
                score.szigriszt_pazos,
                score.fernandez_huerta,
                score.longest_sentence_words,
                match &exempt {
                    Some(reason) => format!("exempt: {reason}"),
                    None => problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" | "),
                }
            );
        }
    }
    println!("\n{failing} text(s) fail the reading rule.");
    let mut problems: Vec<String> = source::rule_problems(&dir)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Err(errors) = source::load_dir(&dir) {
        problems.extend(errors.iter().map(ToString::to_string));
    }
    problems.sort();
    problems.dedup();
    if problems.is_empty() {
        println!("senda-content build: the sources pass every rule.");
    } else {
        println!(
            "\nsenda-content build refuses ({} problems):",
            problems.len()
        );
        for p in problems {
            println!("  {p}");
        }
    }
}
