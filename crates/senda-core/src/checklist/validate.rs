use super::model::*;
use crate::text::Text;
use std::collections::{BTreeMap, BTreeSet};

/// Why a checklist cannot ship. Each names the item at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    #[error("{item}: Spanish (es) text is missing")]
    MissingSpanish { item: String },
    #[error("{item}: duplicate id")]
    DuplicateId { item: String },
    #[error("{item}: refers to unknown question '{question}'")]
    UnknownQuestion { item: String, question: String },
    #[error("{item}: refers to unknown option '{option}' of question '{question}'")]
    UnknownOption {
        item: String,
        question: String,
        option: String,
    },
    #[error("{item}: the match does not fit the kind of question '{question}'")]
    MatchKind { item: String, question: String },
    #[error("question '{question}': its show-if conditions form a cycle")]
    ConditionCycle { question: String },
    #[error("thresholds: {problem}")]
    Thresholds { problem: String },
    #[error("{item}: a choice question needs at least one option")]
    NoOptions { item: String },
    #[error("indicator '{item}': the weights would overflow the score")]
    WeightOverflow { item: String },
    #[error("{item}: «insufficient» is decided by the evaluator, not by a threshold or a floor")]
    InsufficientNotAllowed { item: String },
    #[error("section '{section}': its show-if must refer to a question of an earlier section")]
    SectionCondition { section: String },
}

impl Checklist {
    /// Every problem, so an author can fix them all in one pass.
    pub fn validate(&self) -> Result<(), Vec<ChecklistError>> {
        let mut errors = Vec::new();
        let mut spanish = |item: String, text: &Text| {
            if !text.has_spanish() {
                errors.push(ChecklistError::MissingSpanish { item });
            }
        };
        spanish(format!("checklist '{}' title", self.id), &self.title);
        for s in &self.sections {
            spanish(format!("section '{}' title", s.id), &s.title);
            if let Some(note) = &s.note {
                spanish(format!("section '{}' note", s.id), note);
            }
            for q in &s.questions {
                spanish(format!("question '{}' text", q.id), &q.text);
                spanish(format!("question '{}' guidance", q.id), &q.guidance);
                if let QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options } = &q.kind
                {
                    for o in options {
                        spanish(format!("option '{}' of '{}'", o.id, q.id), &o.text);
                    }
                }
            }
        }
        for i in &self.indicators {
            spanish(format!("indicator '{}' label", i.id), &i.label);
            for (n, a) in i.actions.iter().enumerate() {
                spanish(format!("indicator '{}' action {}", i.id, n + 1), a);
            }
        }
        for g in &self.levels {
            for (n, a) in g.actions.iter().enumerate() {
                spanish(format!("level {:?} action {}", g.level, n + 1), a);
            }
        }

        let mut seen = BTreeSet::new();
        let ids = self
            .sections
            .iter()
            .map(|s| format!("section '{}'", s.id))
            .chain(self.questions().map(|q| format!("question '{}'", q.id)))
            .chain(
                self.indicators
                    .iter()
                    .map(|i| format!("indicator '{}'", i.id)),
            );
        for id in ids {
            if !seen.insert(id.clone()) {
                errors.push(ChecklistError::DuplicateId { item: id });
            }
        }

        for q in self.questions() {
            if let QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } =
                &q.kind
                && options.is_empty()
            {
                errors.push(ChecklistError::NoOptions {
                    item: format!("question '{}'", q.id),
                });
            }
            if let Some(c) = &q.show_if {
                self.check_match(
                    &format!("question '{}' show-if", q.id),
                    &c.question,
                    &c.matches,
                    &mut errors,
                );
            }
        }
        for i in &self.indicators {
            self.check_match(
                &format!("indicator '{}'", i.id),
                &i.question,
                &i.when,
                &mut errors,
            );
        }
        for (n, s) in self.sections.iter().enumerate() {
            if let Some(c) = &s.show_if {
                let earlier = self.sections[..n]
                    .iter()
                    .flat_map(|s| &s.questions)
                    .any(|q| q.id == c.question);
                if !earlier {
                    errors.push(ChecklistError::SectionCondition {
                        section: s.id.clone(),
                    });
                } else {
                    self.check_match(
                        &format!("section '{}' show-if", s.id),
                        &c.question,
                        &c.matches,
                        &mut errors,
                    );
                }
            }
        }
        // Every weight together must fit the score, so no sum can ever wrap.
        let mut total: u32 = 0;
        for i in &self.indicators {
            match total.checked_add(i.weight) {
                Some(t) => total = t,
                None => {
                    errors.push(ChecklistError::WeightOverflow { item: i.id.clone() });
                    break;
                }
            }
            if i.min_level == Some(RiskLevel::Insufficient) {
                errors.push(ChecklistError::InsufficientNotAllowed {
                    item: format!("indicator '{}'", i.id),
                });
            }
        }
        if self
            .thresholds
            .iter()
            .any(|t| t.level == RiskLevel::Insufficient)
        {
            errors.push(ChecklistError::InsufficientNotAllowed {
                item: "thresholds".into(),
            });
        }
        errors.extend(self.condition_cycles());
        if let Err(problem) = self.check_thresholds() {
            errors.push(ChecklistError::Thresholds { problem });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_match(&self, item: &str, question: &str, m: &Match, errors: &mut Vec<ChecklistError>) {
        let Some(q) = self.question(question) else {
            errors.push(ChecklistError::UnknownQuestion {
                item: item.into(),
                question: question.into(),
            });
            return;
        };
        let fits = match (&q.kind, m) {
            (QuestionKind::YesNo, Match::Yes | Match::No) => true,
            (QuestionKind::Number { .. }, Match::AtLeast(_) | Match::AtMost(_)) => true,
            (
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options },
                Match::AnyOf(ids),
            ) => {
                for id in ids
                    .iter()
                    .filter(|id| !options.iter().any(|o| &o.id == *id))
                {
                    errors.push(ChecklistError::UnknownOption {
                        item: item.into(),
                        question: question.into(),
                        option: id.clone(),
                    });
                }
                true
            }
            _ => false,
        };
        if !fits {
            errors.push(ChecklistError::MatchKind {
                item: item.into(),
                question: question.into(),
            });
        }
    }

    fn condition_cycles(&self) -> Vec<ChecklistError> {
        let parent: BTreeMap<&str, &str> = self
            .questions()
            .filter_map(|q| {
                q.show_if
                    .as_ref()
                    .map(|c| (q.id.as_str(), c.question.as_str()))
            })
            .collect();
        let mut errors = Vec::new();
        for start in parent.keys() {
            let mut at = *start;
            for _ in 0..=parent.len() {
                match parent.get(at) {
                    Some(next) if next == start => {
                        errors.push(ChecklistError::ConditionCycle {
                            question: (*start).into(),
                        });
                        break;
                    }
                    Some(next) => at = next,
                    None => break,
                }
            }
        }
        errors
    }

    fn check_thresholds(&self) -> Result<(), String> {
        let t = &self.thresholds;
        let first = t.first().ok_or("none given")?;
        if first.from != 0 {
            return Err(format!("the first range starts at {}, not 0", first.from));
        }
        for pair in t.windows(2) {
            let to = pair[0].to.ok_or("only the last range may be open-ended")?;
            if pair[1].from != to + 1 {
                return Err(format!(
                    "gap or overlap between {} and {}",
                    to, pair[1].from
                ));
            }
            if pair[1].level <= pair[0].level {
                return Err("levels must rise with the score".into());
            }
        }
        if t.last().is_some_and(|l| l.to.is_some()) {
            return Err("the last range must be open-ended".into());
        }
        Ok(())
    }
}
