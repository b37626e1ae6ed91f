//! The evaluator's rules, by example and by property.

use proptest::prelude::*;
use senda_core::checklist::*;
use senda_core::text::Text;

fn yes_no(id: &str) -> Question {
    Question {
        id: id.into(),
        text: Text::es(format!("¿{id}?")),
        guidance: Text::es("Pregunta con calma."),
        kind: QuestionKind::YesNo,
        origin: Origin::Said,
        show_if: None,
    }
}

fn indicator(id: &str, question: &str, weight: u32, red_flag: bool) -> Indicator {
    Indicator {
        id: id.into(),
        question: question.into(),
        when: Match::Yes,
        weight,
        red_flag,
        min_level: None,
        label: Text::es(id),
        actions: vec![Text::es(format!("acción {id}"))],
        service_categories: vec![format!("cat-{id}")],
    }
}

/// Six yes/no questions; q5 is a red flag; q4 shows only if q3 is yes.
fn sample() -> Checklist {
    let mut questions: Vec<Question> = (0..6).map(|i| yes_no(&format!("q{i}"))).collect();
    questions[4].show_if = Some(Condition {
        question: "q3".into(),
        matches: Match::Yes,
    });
    Checklist {
        id: "demo".into(),
        version: 3,
        title: Text::es("Demo"),
        intro: Text::default(),
        sections: vec![Section {
            id: "s".into(),
            title: Text::es("S"),
            note: None,
            show_if: None,
            questions,
        }],
        indicators: (0..6)
            .map(|i| {
                indicator(
                    &format!("i{i}"),
                    &format!("q{i}"),
                    [1, 2, 3, 4, 5, 0][i],
                    i == 5,
                )
            })
            .collect(),
        thresholds: vec![
            Threshold {
                level: RiskLevel::Low,
                from: 0,
                to: Some(2),
            },
            Threshold {
                level: RiskLevel::Medium,
                from: 3,
                to: Some(6),
            },
            Threshold {
                level: RiskLevel::High,
                from: 7,
                to: None,
            },
        ],
        levels: vec![LevelGuidance {
            level: RiskLevel::Immediate,
            actions: vec![Text::es("Llama ya")],
            service_categories: vec!["emergency".into()],
        }],
    }
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    pairs
        .iter()
        .map(|(q, a)| (q.to_string(), a.clone()))
        .collect()
}

#[test]
fn the_sample_is_valid() {
    sample().validate().unwrap();
}

#[test]
fn score_and_contributions_are_explained() {
    let e = evaluate(
        &sample(),
        &answers(&[("q1", Answer::Yes), ("q2", Answer::Yes), ("q0", Answer::No)]),
    );
    assert_eq!(e.score, 5);
    assert_eq!(e.level, RiskLevel::Medium);
    let ids: Vec<_> = e
        .contributions
        .iter()
        .map(|c| c.indicator.as_str())
        .collect();
    assert_eq!(ids, ["i1", "i2"]);
    assert_eq!(e.checklist_version, 3);
    assert_eq!(e.service_categories, ["cat-i1", "cat-i2"]);
}

#[test]
fn a_red_flag_alone_forces_immediate() {
    let e = evaluate(&sample(), &answers(&[("q5", Answer::Yes)]));
    assert_eq!(e.level, RiskLevel::Immediate);
    assert_eq!(e.actions[0], Text::es("Llama ya"));
    assert!(e.service_categories.contains(&"emergency".to_string()));
}

#[test]
fn unknown_and_prefer_not_to_say_are_not_no() {
    for undisclosed in [Answer::Unknown, Answer::PreferNotToSay] {
        let e = evaluate(
            &sample(),
            &answers(&[("q5", undisclosed.clone()), ("q1", undisclosed)]),
        );
        assert_eq!(e.red_flags_not_assessed, ["i5"]);
        assert!(e.not_assessed.contains(&"i1".to_string()));
        assert!(e.contributions.is_empty());
    }
    // Nothing answered: everything is "not yet assessed", nothing is "safe".
    let e = evaluate(&sample(), &Answers::new());
    assert_eq!(e.not_assessed.len(), 6);
    assert_eq!(e.red_flags_not_assessed, ["i5"]);
}

#[test]
fn an_answer_hidden_by_a_later_answer_still_counts() {
    let checklist = sample();
    let mut a = answers(&[("q3", Answer::Yes), ("q4", Answer::Yes)]);
    assert_eq!(evaluate(&checklist, &a).score, 9);
    a.insert("q3".into(), Answer::No);
    assert!(!checklist.is_shown(checklist.question("q4").unwrap(), &a));
    assert_eq!(
        evaluate(&checklist, &a).score,
        5,
        "q4's disclosed risk is kept"
    );
}

fn any_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        Just(Answer::Yes),
        Just(Answer::No),
        Just(Answer::Unknown),
        Just(Answer::PreferNotToSay)
    ]
}

fn any_answers() -> impl Strategy<Value = Answers> {
    prop::collection::btree_map(
        (0..6usize).prop_map(|i| format!("q{i}")),
        any_answer(),
        0..6,
    )
}

proptest! {
    #[test]
    fn adding_a_risk_answer_never_lowers_the_level(a in any_answers(), q in 0..6usize) {
        let checklist = sample();
        let before = evaluate(&checklist, &a);
        let mut more = a.clone();
        more.insert(format!("q{q}"), Answer::Yes);
        let after = evaluate(&checklist, &more);
        prop_assert!(after.level.rank() >= before.level.rank());
        prop_assert!(after.score >= before.score);
    }

    #[test]
    fn undisclosed_answers_never_count_as_no(a in any_answers()) {
        let e = evaluate(&sample(), &a);
        for i in &sample().indicators {
            let answered = a.get(&i.question);
            let undisclosed = answered.is_none_or(Answer::is_undisclosed);
            prop_assert_eq!(undisclosed, e.not_assessed.contains(&i.id));
            if undisclosed && i.red_flag {
                prop_assert!(e.red_flags_not_assessed.contains(&i.id));
            }
        }
    }

    #[test]
    fn evaluation_is_deterministic(a in any_answers()) {
        prop_assert_eq!(evaluate(&sample(), &a), evaluate(&sample(), &a));
    }
}

#[test]
fn malformed_checklists_are_refused_naming_the_item() {
    let mut c = sample();
    c.sections[0].questions[2].text = Text::default();
    c.indicators[0].question = "nope".into();
    c.sections[0].questions[0].show_if = Some(Condition {
        question: "q1".into(),
        matches: Match::Yes,
    });
    c.sections[0].questions[1].show_if = Some(Condition {
        question: "q0".into(),
        matches: Match::Yes,
    });
    c.thresholds[1].from = 4;
    let errors = c.validate().unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.contains(&"question 'q2' text: Spanish (es) text is missing".to_string()),
        "{text:?}"
    );
    assert!(
        text.contains(&"indicator 'i0': refers to unknown question 'nope'".to_string()),
        "{text:?}"
    );
    assert!(errors.contains(&ChecklistError::ConditionCycle {
        question: "q0".into()
    }));
    assert!(
        text.iter()
            .any(|t| t.starts_with("thresholds: gap or overlap")),
        "{text:?}"
    );
}

#[test]
fn all_unknown_never_reads_low() {
    for undisclosed in [Answer::Unknown, Answer::PreferNotToSay] {
        let all: Answers = (0..6)
            .map(|i| (format!("q{i}"), undisclosed.clone()))
            .collect();
        assert_eq!(evaluate(&sample(), &all).level, RiskLevel::Insufficient);
    }
    assert_eq!(
        evaluate(&sample(), &Answers::new()).level,
        RiskLevel::Insufficient
    );
    // Enough said, nothing found: low.
    let said = answers(&[
        ("q0", Answer::No),
        ("q1", Answer::No),
        ("q2", Answer::No),
        ("q3", Answer::No),
        ("q5", Answer::Unknown),
    ]);
    assert_eq!(evaluate(&sample(), &said).level, RiskLevel::Low);
}

#[test]
fn a_floor_indicator_is_never_below_its_level() {
    let mut c = sample();
    c.indicators[0].min_level = Some(RiskLevel::Medium);
    c.validate().unwrap();
    // i0 weighs 1 (low on its own) but is a floor: medium, whatever else is unknown.
    let e = evaluate(&c, &answers(&[("q0", Answer::Yes)]));
    assert_eq!(e.level, RiskLevel::Medium);
    let e = evaluate(
        &c,
        &answers(&[
            ("q0", Answer::Yes),
            ("q1", Answer::No),
            ("q2", Answer::No),
            ("q3", Answer::No),
        ]),
    );
    assert_eq!(e.level, RiskLevel::Medium);
    // A red flag still wins.
    let e = evaluate(&c, &answers(&[("q0", Answer::Yes), ("q5", Answer::Yes)]));
    assert_eq!(e.level, RiskLevel::Immediate);
}

#[test]
fn weights_that_could_overflow_are_refused_and_never_wrap() {
    let mut c = sample();
    c.indicators[1].weight = u32::MAX;
    let errors = c.validate().unwrap_err();
    assert!(
        errors.contains(&ChecklistError::WeightOverflow { item: "i1".into() }),
        "{errors:?}"
    );
    // Even unvalidated, the evaluator saturates: the highest score, never a small one.
    let e = evaluate(&c, &answers(&[("q0", Answer::Yes), ("q1", Answer::Yes)]));
    assert_eq!(e.score, u32::MAX);
    assert_eq!(e.level, RiskLevel::High);
}

#[test]
fn insufficient_is_the_evaluators_word_not_a_threshold() {
    let mut c = sample();
    c.thresholds[0].level = RiskLevel::Insufficient;
    c.indicators[2].min_level = Some(RiskLevel::Insufficient);
    let errors = c.validate().unwrap_err();
    assert!(errors.contains(&ChecklistError::InsufficientNotAllowed {
        item: "thresholds".into()
    }));
    assert!(errors.contains(&ChecklistError::InsufficientNotAllowed {
        item: "indicator 'i2'".into()
    }));
}

/// Two sections; the second is asked only at 12 or older.
fn age_gated() -> Checklist {
    let mut c = sample();
    let age = Question {
        id: "edad".into(),
        text: Text::es("¿Cuántos años tienes?"),
        guidance: Text::es("Si no sabe, estima."),
        kind: QuestionKind::Number {
            min: 0.0,
            max: 17.0,
        },
        origin: Origin::Said,
        show_if: None,
    };
    let rest = std::mem::take(&mut c.sections[0].questions);
    c.sections[0].questions = vec![age];
    c.sections.push(Section {
        id: "sensible".into(),
        title: Text::es("Sensible"),
        note: Some(Text::es("Explica los límites de la confidencialidad.")),
        show_if: Some(Condition {
            question: "edad".into(),
            matches: Match::AtLeast(12.0),
        }),
        questions: rest,
    });
    c
}

#[test]
fn a_section_condition_hides_its_questions() {
    let c = age_gated();
    c.validate().unwrap();
    let q0 = c.question("q0").unwrap();
    assert!(!c.is_shown(q0, &answers(&[("edad", Answer::Number(9.0))])));
    assert!(c.is_shown(q0, &answers(&[("edad", Answer::Number(14.0))])));
    assert!(!c.is_shown(q0, &answers(&[("edad", Answer::Unknown)])));

    let mut bad = age_gated();
    bad.sections.swap(0, 1);
    assert!(
        bad.validate()
            .unwrap_err()
            .contains(&ChecklistError::SectionCondition {
                section: "sensible".into()
            })
    );
}

fn all_undisclosed() -> impl Strategy<Value = Answers> {
    prop::collection::btree_map(
        (0..6usize).prop_map(|i| format!("q{i}")),
        prop_oneof![Just(Answer::Unknown), Just(Answer::PreferNotToSay)],
        0..6,
    )
}

proptest! {
    #[test]
    fn nothing_disclosed_is_never_low(a in all_undisclosed()) {
        let level = evaluate(&sample(), &a).level;
        prop_assert!(level != RiskLevel::Low);
        prop_assert!(level == RiskLevel::Insufficient);
    }

    #[test]
    fn low_only_when_most_of_what_applies_was_assessed(a in any_answers()) {
        let c = sample();
        let e = evaluate(&c, &a);
        if e.level == RiskLevel::Low {
            let applicable: Vec<&Indicator> = c
                .indicators
                .iter()
                .filter(|i| c.is_shown(c.question(&i.question).unwrap(), &a) || !e.not_assessed.contains(&i.id))
                .collect();
            let unknown = applicable.iter().filter(|i| e.not_assessed.contains(&i.id)).count();
            prop_assert!(unknown * 2 < applicable.len(), "{unknown} of {}", applicable.len());
        }
    }

    #[test]
    fn a_floor_holds_whatever_else_is_answered(a in any_answers()) {
        let mut c = sample();
        c.indicators[0].min_level = Some(RiskLevel::Medium);
        let mut a = a;
        a.insert("q0".into(), Answer::Yes);
        prop_assert!(evaluate(&c, &a).level >= RiskLevel::Medium);
    }
}
