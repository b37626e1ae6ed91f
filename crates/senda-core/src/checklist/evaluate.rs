use super::model::*;
use crate::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contribution {
    pub indicator: String,
    pub weight: u32,
    pub red_flag: bool,
}

/// The result of a screening, with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evaluation {
    pub checklist_id: String,
    pub checklist_version: u32,
    pub level: RiskLevel,
    pub score: u32,
    /// Indicators present, in checklist order.
    pub contributions: Vec<Contribution>,
    /// Indicators whose question is unanswered, unknown or not disclosed.
    pub not_assessed: Vec<String>,
    /// Red flags among them: never shown as safe.
    pub red_flags_not_assessed: Vec<String>,
    /// The level's actions, then those of each indicator present.
    pub actions: Vec<Text>,
    pub service_categories: Vec<String>,
}

/// Evaluates answers against a checklist. Pure: same input, same output.
pub fn evaluate(checklist: &Checklist, answers: &Answers) -> Evaluation {
    let mut contributions = Vec::new();
    let mut not_assessed = Vec::new();
    let mut red_flags_not_assessed = Vec::new();

    for indicator in &checklist.indicators {
        match answers
            .get(&indicator.question)
            .and_then(|a| indicator.when.test(a))
        {
            Some(true) => contributions.push(Contribution {
                indicator: indicator.id.clone(),
                weight: indicator.weight,
                red_flag: indicator.red_flag,
            }),
            Some(false) => {}
            None => {
                not_assessed.push(indicator.id.clone());
                if indicator.red_flag {
                    red_flags_not_assessed.push(indicator.id.clone());
                }
            }
        }
    }

    // Checked: a sum that would overflow reads as the highest score, never wraps
    // to a low one (validation refuses such weights before they ship).
    let score = contributions
        .iter()
        .try_fold(0u32, |sum, c| sum.checked_add(c.weight))
        .unwrap_or(u32::MAX);
    let floor = contributions
        .iter()
        .filter_map(|c| checklist.indicators.iter().find(|i| i.id == c.indicator))
        .filter_map(|i| i.min_level)
        .max();
    let mut level = if contributions.iter().any(|c| c.red_flag) {
        RiskLevel::Immediate
    } else {
        checklist
            .level_for_score(score)
            .max(floor.unwrap_or(RiskLevel::Low))
    };
    if level == RiskLevel::Low && mostly_not_assessed(checklist, answers, &not_assessed) {
        level = RiskLevel::Insufficient;
    }

    let mut actions = Vec::new();
    let mut service_categories: Vec<String> = Vec::new();
    let mut add_categories = |cats: &[String]| {
        for c in cats {
            if !service_categories.contains(c) {
                service_categories.push(c.clone());
            }
        }
    };
    if let Some(g) = checklist.levels.iter().find(|g| g.level == level) {
        actions.extend(g.actions.iter().cloned());
        add_categories(&g.service_categories);
    }
    for c in &contributions {
        if let Some(i) = checklist.indicators.iter().find(|i| i.id == c.indicator) {
            actions.extend(
                i.actions
                    .iter()
                    .filter(|a| !actions.contains(a))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            add_categories(&i.service_categories);
        }
    }

    Evaluation {
        checklist_id: checklist.id.clone(),
        checklist_version: checklist.version,
        level,
        score,
        contributions,
        not_assessed,
        red_flags_not_assessed,
        actions,
        service_categories,
    }
}

/// Whether at least half of the indicators that apply (their question is asked,
/// or was answered) are not assessed: then "low" would be a guess.
fn mostly_not_assessed(checklist: &Checklist, answers: &Answers, not_assessed: &[String]) -> bool {
    let (mut applicable, mut unknown) = (0usize, 0usize);
    for indicator in &checklist.indicators {
        let asked = checklist
            .question(&indicator.question)
            .is_some_and(|q| checklist.is_shown(q, answers));
        let assessed = !not_assessed.contains(&indicator.id);
        if asked || assessed {
            applicable += 1;
            if !assessed {
                unknown += 1;
            }
        }
    }
    unknown > 0 && unknown * 2 >= applicable
}
