//! Casework timings on a real SQLCipher vault: saving a screening section,
//! completing a screening (evaluation + case level + outbox + audit), and
//! opening the case list with 5,000 cases on the device.
//!
//! Run: `cargo bench -p senda-core --bench casework` (numbers in docs/benchmarks.md).

use chrono::Utc;
use senda_core::casework::{CaseDetails, Casework};
use senda_core::checklist::{Answer, Answers, Checklist, QuestionKind};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentStore, source};
use senda_core::{SystemClock, Vault};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CASES: usize = 5_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "| {name} | {} | {:.3} ms | {:.3} ms |",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

/// One section's answers: "no" or a choice's last option, with an "unknown" now and then.
fn section_answers(checklist: &Checklist, section: usize, salt: usize) -> Answers {
    let mut answers: Answers = checklist.sections[section]
        .questions
        .iter()
        .filter(|q| q.show_if.is_none())
        .enumerate()
        .map(|(i, q)| {
            let a = match &q.kind {
                _ if (i + salt).is_multiple_of(7) => Answer::Unknown,
                QuestionKind::SingleChoice { options } => {
                    Answer::Choice(options.last().unwrap().id.clone())
                }
                QuestionKind::Number { max, .. } => Answer::Number(*max),
                _ if (i + salt).is_multiple_of(5) => Answer::Yes,
                _ => Answer::No,
            };
            (q.id.clone(), a)
        })
        .collect();
    // Follow-up questions that the answers opened.
    for q in &checklist.sections[section].questions {
        if q.show_if.is_some() && checklist.is_shown(q, &answers) {
            answers.insert(q.id.clone(), Answer::No);
        }
    }
    answers
}

fn details(i: usize) -> CaseDetails {
    let country = ["CO", "PE", "EC", "BO"][i % 4];
    serde_json::from_value(serde_json::json!({
        "alias": format!("Caso {i}"),
        "country": country,
        "age": { "type": "estimated", "years": 10 + i % 8, "on": "2026-11-01" },
        "travelling": "unaccompanied",
    }))
    .unwrap()
}

fn screen(cw: &Casework<'_>, checklist: &Checklist, case_id: &str, salt: usize) {
    let s = cw.start_screening(case_id, checklist).unwrap();
    for section in 0..checklist.sections.len() {
        cw.answer(&s.id, checklist, section_answers(checklist, section, salt))
            .unwrap();
    }
    cw.complete_screening(&s.id, checklist).unwrap();
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "bench".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let content_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    let (_, payload) = source::load_dir(&content_dir).unwrap();
    let file = pack::sign("bench", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut content = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    content.install(&file, Utc::now()).unwrap();
    let checklist = content.checklist("nna-cruce").unwrap().unwrap();

    let mut vault = Vault::open_dir(dir.path().join("vault"), Arc::new(SystemClock))
        .unwrap()
        .with_light_kdf();
    vault.create("Bench", "135790").unwrap();
    let cw = vault.casework().unwrap();

    let t = Instant::now();
    let mut ids = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let case = cw.open_case(details(i)).unwrap();
        screen(&cw, &checklist, &case.id, i);
        ids.push(case.id);
    }
    let fill_time = t.elapsed();

    println!("| operation | runs | p50 | p99 |\n|---|---|---|---|");
    let mut section_saves = Vec::new();
    let mut completes = Vec::new();
    for (n, case_id) in ids.iter().take(500).enumerate() {
        let s = cw.start_screening(case_id, &checklist).unwrap();
        for section in 0..checklist.sections.len() {
            let answers = section_answers(&checklist, section, n + 3);
            let t = Instant::now();
            cw.answer(&s.id, &checklist, answers).unwrap();
            section_saves.push(t.elapsed());
        }
        let t = Instant::now();
        cw.complete_screening(&s.id, &checklist).unwrap();
        completes.push(t.elapsed());
    }
    report(
        "save one screening section (answers + outbox)",
        section_saves,
    );
    report(
        "complete a screening (evaluate + case level + outbox + audit)",
        completes,
    );
    let lists: Vec<Duration> = (0..30)
        .map(|_| {
            let t = Instant::now();
            let list = cw.cases().unwrap();
            assert_eq!(list.len(), CASES);
            t.elapsed()
        })
        .collect();
    report(&format!("open the case list ({CASES} cases)"), lists);
    let opens: Vec<Duration> = ids
        .iter()
        .step_by(10)
        .map(|id| {
            let t = Instant::now();
            std::hint::black_box(cw.case(id).unwrap());
            std::hint::black_box(cw.screenings(id).unwrap());
            t.elapsed()
        })
        .collect();
    report("open one case with its screenings", opens);

    let size: u64 = ["vault.db", "vault.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join("vault").join(f)).ok())
        .map(|m| m.len())
        .sum();
    let counts = cw.outbox_counts().unwrap();
    println!();
    println!("| measure | value |\n|---|---|");
    println!(
        "| fill {CASES} cases, each with a 3-section screening | {:.1} s |",
        fill_time.as_secs_f64()
    );
    println!("| outbox rows | {} |", counts.unsent);
    println!(
        "| vault size (SQLCipher, with WAL) | {:.1} MiB |",
        size as f64 / 1048576.0
    );
}
