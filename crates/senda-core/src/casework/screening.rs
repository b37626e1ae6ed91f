//! Screenings: a checklist's answers for one visit, and their evaluation.
//!
//! A screening is pinned to the checklist version it started with, so that
//! its answers always mean what they meant when given. Once complete it is
//! never edited; a later visit starts a new screening.

use super::outbox::{Entity, NewOutboxRow};
use super::{CaseError, Casework, from_json, ids, to_json};
use crate::checklist::{Answer, Answers, Checklist, Evaluation, QuestionKind, evaluate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Screening {
    pub id: String,
    pub case_id: String,
    pub version: i64,
    pub checklist_id: String,
    pub checklist_version: u32,
    pub answers: Answers,
    /// Set when complete: the level, its reasons and the recommended actions.
    pub evaluation: Option<Evaluation>,
    pub started_at: String,
    pub completed_at: Option<String>,
}

impl Casework<'_> {
    pub fn start_screening(
        &self,
        case_id: &str,
        checklist: &Checklist,
    ) -> Result<Screening, CaseError> {
        let id = crate::vault::record_id();
        self.write(|tx| {
            self.load_case(tx, case_id)?;
            tx.execute(
                "INSERT INTO screenings (id, case_id, version, checklist_id, checklist_version, answers, started_at, staff_id)
                 VALUES (?1, ?2, 1, ?3, ?4, '{}', ?5, ?6)",
                params![id, case_id, checklist.id, checklist.version, self.now_text(), self.staff.id],
            )?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Screening,
                    entity_id: &id,
                    case_id,
                    op: "create",
                    base_version: 0,
                    payload: json!({ "checklist_id": checklist.id, "checklist_version": checklist.version }),
                },
            )?;
            self.touch_case(tx, case_id)?;
            load(tx, &id)
        })
    }

    /// Saves answers (one section's, typically). Every answer is checked
    /// against its question before anything is written.
    pub fn answer(
        &self,
        screening_id: &str,
        checklist: &Checklist,
        answers: Answers,
    ) -> Result<Screening, CaseError> {
        self.write(|tx| {
            let mut screening = editable(tx, screening_id, checklist)?;
            for (question, answer) in &answers {
                check_answer(checklist, question, answer)?;
            }
            let changed: Answers = answers
                .into_iter()
                .filter(|(q, a)| screening.answers.get(q) != Some(a))
                .collect();
            if changed.is_empty() {
                return Ok(screening);
            }
            screening.answers.extend(changed.clone());
            tx.execute(
                "UPDATE screenings SET answers = ?1, version = version + 1 WHERE id = ?2",
                params![to_json(&screening.answers), screening_id],
            )?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Screening,
                    entity_id: screening_id,
                    case_id: &screening.case_id,
                    op: "update",
                    base_version: screening.version,
                    payload: json!({ "answers": changed }),
                },
            )?;
            self.touch_case(tx, &screening.case_id)?;
            load(tx, screening_id)
        })
    }

    /// Completes a screening: every question shown must have an answer
    /// ("unknown" and "prefer not to say" are answers). Evaluates it and
    /// makes its level the case's latest.
    pub fn complete_screening(
        &self,
        screening_id: &str,
        checklist: &Checklist,
    ) -> Result<Screening, CaseError> {
        self.write(|tx| {
            let screening = editable(tx, screening_id, checklist)?;
            let missing: Vec<String> = checklist
                .questions()
                .filter(|q| checklist.is_shown(q, &screening.answers))
                .filter(|q| !screening.answers.contains_key(&q.id))
                .map(|q| q.id.clone())
                .collect();
            if !missing.is_empty() {
                return Err(CaseError::AnswersMissing { questions: missing });
            }
            let evaluation = evaluate(checklist, &screening.answers);
            let level = json!(evaluation.level);
            tx.execute(
                "UPDATE screenings SET evaluation = ?1, completed_at = ?2, version = version + 1 WHERE id = ?3",
                params![to_json(&evaluation), self.now_text(), screening_id],
            )?;
            tx.execute(
                "UPDATE cases SET latest_level = ?1, updated_at = ?2 WHERE id = ?3",
                params![level.as_str(), self.now_text(), screening.case_id],
            )?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Screening,
                    entity_id: screening_id,
                    case_id: &screening.case_id,
                    op: "complete",
                    base_version: screening.version,
                    payload: json!({ "evaluation": evaluation }),
                },
            )?;
            self.audit(tx, "screening-completed", screening_id)?;
            load(tx, screening_id)
        })
    }

    pub fn screening(&self, id: &str) -> Result<Screening, CaseError> {
        load(self.conn, id)
    }

    /// A case's screenings, oldest first: its risk history.
    pub fn screenings(&self, case_id: &str) -> Result<Vec<Screening>, CaseError> {
        let ids = ids(
            self.conn,
            "SELECT id FROM screenings WHERE case_id = ?1 ORDER BY started_at, rowid",
            case_id,
        )?;
        ids.iter().map(|id| load(self.conn, id)).collect()
    }
}

fn load(conn: &Connection, id: &str) -> Result<Screening, CaseError> {
    let row = conn
        .query_row(
            "SELECT case_id, version, checklist_id, checklist_version, answers, evaluation, started_at, completed_at
             FROM screenings WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| CaseError::not_found("screening"))?;
    let (
        case_id,
        version,
        checklist_id,
        checklist_version,
        answers,
        evaluation,
        started_at,
        completed_at,
    ) = row;
    Ok(Screening {
        id: id.to_owned(),
        case_id,
        version,
        checklist_id,
        checklist_version,
        answers: from_json(&answers)?,
        evaluation: evaluation.as_deref().map(from_json).transpose()?,
        started_at,
        completed_at,
    })
}

/// A screening that may still change with this checklist.
fn editable(conn: &Connection, id: &str, checklist: &Checklist) -> Result<Screening, CaseError> {
    let screening = load(conn, id)?;
    if screening.completed_at.is_some() {
        return Err(CaseError::ScreeningComplete);
    }
    if screening.checklist_id != checklist.id || screening.checklist_version != checklist.version {
        return Err(CaseError::ChecklistChanged {
            was: screening.checklist_version,
            now: checklist.version,
        });
    }
    Ok(screening)
}

/// Whether an answer fits its question. "Unknown" fits every question, and
/// "prefer not to say" every question the child answers (not observations).
fn check_answer(
    checklist: &Checklist,
    question_id: &str,
    answer: &Answer,
) -> Result<(), CaseError> {
    let invalid = || CaseError::InvalidAnswer {
        question: question_id.to_owned(),
    };
    let question = checklist.question(question_id).ok_or_else(invalid)?;
    // Staff observe or cannot observe; "prefer not to say" is the child's answer.
    if question.origin == crate::checklist::Origin::Observed && *answer == Answer::PreferNotToSay {
        return Err(invalid());
    }
    let has =
        |options: &[crate::checklist::ChoiceOption], id: &str| options.iter().any(|o| o.id == id);
    let fits = answer.is_undisclosed()
        || match (&question.kind, answer) {
            (QuestionKind::YesNo, Answer::Yes | Answer::No) => true,
            (QuestionKind::SingleChoice { options }, Answer::Choice(c)) => has(options, c),
            (QuestionKind::MultipleChoice { options }, Answer::Choices(cs)) => {
                !cs.is_empty() && cs.iter().all(|c| has(options, c))
            }
            (QuestionKind::Number { min, max }, Answer::Number(n)) => {
                n.is_finite() && n >= min && n <= max
            }
            (QuestionKind::ShortText { max_len }, Answer::Text(t)) => {
                !t.trim().is_empty() && t.chars().count() <= *max_len as usize
            }
            _ => false,
        };
    if fits { Ok(()) } else { Err(invalid()) }
}
