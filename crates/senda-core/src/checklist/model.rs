use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How urgent a child's situation is, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RiskLevel {
    Low,
    /// «Sin información suficiente»: the score says low, but most indicators
    /// were not assessed, so nothing can be called low. Sorts above `Low`.
    Insufficient,
    Medium,
    High,
    Immediate,
}

impl RiskLevel {
    /// How much risk the level asserts: `Insufficient` asserts no more than `Low`
    /// (it says "we do not know"), so both rank 0.
    pub fn rank(self) -> u8 {
        match self {
            Self::Low | Self::Insufficient => 0,
            Self::Medium => 1,
            Self::High => 2,
            Self::Immediate => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Checklist {
    pub id: String,
    /// Stored with every screening made with this checklist.
    pub version: u32,
    pub title: Text,
    #[serde(default)]
    pub intro: Text,
    pub sections: Vec<Section>,
    pub indicators: Vec<Indicator>,
    /// Score ranges, contiguous from 0; the last is open-ended.
    pub thresholds: Vec<Threshold>,
    /// What to do at each level.
    pub levels: Vec<LevelGuidance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Section {
    pub id: String,
    pub title: Text,
    /// Shown to staff before the section's questions (e.g. the limits of
    /// confidentiality before the sensitive questions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    /// Ask the whole section only when an earlier answer matches (e.g. age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Question {
    pub id: String,
    pub text: Text,
    /// For the screener: how to ask, in words that never blame the child.
    pub guidance: Text,
    pub kind: QuestionKind,
    /// Whether the answer is something the child said or something staff observed.
    #[serde(default)]
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Origin {
    #[default]
    Said,
    Observed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum QuestionKind {
    YesNo,
    SingleChoice { options: Vec<ChoiceOption> },
    MultipleChoice { options: Vec<ChoiceOption> },
    Number { min: f64, max: f64 },
    ShortText { max_len: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChoiceOption {
    pub id: String,
    pub text: Text,
}

/// Show a question only when another answer matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Condition {
    pub question: String,
    #[serde(rename = "is")]
    pub matches: Match,
}

/// What an answer must be for a condition or an indicator to hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Match {
    Yes,
    No,
    /// A single-choice answer is one of these, or a multiple-choice answer contains one.
    AnyOf(Vec<String>),
    /// A number at least this.
    AtLeast(f64),
    /// A number at most this.
    AtMost(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Indicator {
    pub id: String,
    pub question: String,
    pub when: Match,
    pub weight: u32,
    /// On its own forces the level to `Immediate`.
    #[serde(default)]
    pub red_flag: bool,
    /// On its own, the level is at least this (an unaccompanied child is never
    /// below `medium`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<RiskLevel>,
    pub label: Text,
    #[serde(default)]
    pub actions: Vec<Text>,
    /// Service categories (directory taxonomy codes) that answer this need.
    #[serde(default)]
    pub service_categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Threshold {
    pub level: RiskLevel,
    pub from: u32,
    /// Inclusive upper bound; `None` only for the last range.
    pub to: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LevelGuidance {
    pub level: RiskLevel,
    pub actions: Vec<Text>,
    #[serde(default)]
    pub service_categories: Vec<String>,
}

/// An answer. "Unknown" and "prefer not to say" exist for every question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Answer {
    Yes,
    No,
    Unknown,
    PreferNotToSay,
    Choice(String),
    Choices(Vec<String>),
    Number(f64),
    Text(String),
}

impl Answer {
    /// Unknown and prefer-not-to-say say nothing about risk, either way.
    pub fn is_undisclosed(&self) -> bool {
        matches!(self, Self::Unknown | Self::PreferNotToSay)
    }
}

/// Answers by question id.
pub type Answers = BTreeMap<String, Answer>;

impl Match {
    /// `Some(true/false)` when the answer decides it; `None` when it cannot
    /// (undisclosed, or an answer of another kind).
    pub fn test(&self, answer: &Answer) -> Option<bool> {
        match (self, answer) {
            (_, a) if a.is_undisclosed() => None,
            (Self::Yes, Answer::Yes) | (Self::No, Answer::No) => Some(true),
            (Self::Yes, Answer::No) | (Self::No, Answer::Yes) => Some(false),
            (Self::AnyOf(ids), Answer::Choice(c)) => Some(ids.contains(c)),
            (Self::AnyOf(ids), Answer::Choices(cs)) => Some(cs.iter().any(|c| ids.contains(c))),
            (Self::AtLeast(n), Answer::Number(x)) => Some(x >= n),
            (Self::AtMost(n), Answer::Number(x)) => Some(x <= n),
            _ => None,
        }
    }
}

/// What a list of checklists shows: enough to choose one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChecklistSummary {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub questions: usize,
}

impl From<&Checklist> for ChecklistSummary {
    fn from(c: &Checklist) -> Self {
        Self {
            id: c.id.clone(),
            version: c.version,
            title: c.title.clone(),
            questions: c.questions().count(),
        }
    }
}

impl Checklist {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| &s.questions)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }

    /// Whether a question should be asked, given the answers so far: its
    /// section's condition and its own both hold.
    pub fn is_shown(&self, question: &Question, answers: &Answers) -> bool {
        let holds = |c: &Option<Condition>| match c {
            None => true,
            Some(c) => answers.get(&c.question).and_then(|a| c.matches.test(a)) == Some(true),
        };
        let section = self
            .sections
            .iter()
            .find(|s| s.questions.iter().any(|q| q.id == question.id));
        section.is_none_or(|s| holds(&s.show_if)) && holds(&question.show_if)
    }

    pub fn level_for_score(&self, score: u32) -> RiskLevel {
        self.thresholds
            .iter()
            .find(|t| score >= t.from && t.to.is_none_or(|to| score <= to))
            .map(|t| t.level)
            .unwrap_or(RiskLevel::Immediate)
    }
}

impl Checklist {
    /// Every text in the checklist, each named, for translation checks.
    pub fn texts(&self) -> Vec<(String, &Text)> {
        let mut all = vec![(format!("checklist '{}' title", self.id), &self.title)];
        if !self.intro.0.is_empty() {
            all.push((format!("checklist '{}' intro", self.id), &self.intro));
        }
        for s in &self.sections {
            all.push((format!("section '{}' title", s.id), &s.title));
            if let Some(note) = &s.note {
                all.push((format!("section '{}' note", s.id), note));
            }
            for q in &s.questions {
                all.push((format!("question '{}' text", q.id), &q.text));
                all.push((format!("question '{}' guidance", q.id), &q.guidance));
                if let QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options } = &q.kind
                {
                    for o in options {
                        all.push((format!("option '{}' of '{}'", o.id, q.id), &o.text));
                    }
                }
            }
        }
        for i in &self.indicators {
            all.push((format!("indicator '{}' label", i.id), &i.label));
            for (n, a) in i.actions.iter().enumerate() {
                all.push((format!("indicator '{}' action {}", i.id, n + 1), a));
            }
        }
        for g in &self.levels {
            for (n, a) in g.actions.iter().enumerate() {
                all.push((format!("level {:?} action {}", g.level, n + 1), a));
            }
        }
        all
    }
}
