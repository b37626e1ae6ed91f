use super::model::*;
use crate::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub indicator: String,
    pub weight: u32,
    pub red_flag: bool,
}

/// The result of a screening, with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    let score = contributions.iter().map(|c| c.weight).sum();
    let level = if contributions.iter().any(|c| c.red_flag) {
        RiskLevel::Immediate
    } else {
        checklist.level_for_score(score)
    };

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
