//! Risk-screening checklists: data from a content pack, never code.
//!
//! A [`Checklist`] is validated when a pack is built ([`Checklist::validate`])
//! and evaluated on the device ([`evaluate`]) purely and deterministically.
//! Two rules shape the evaluator:
//! - "unknown" and "prefer not to say" are answers, never "no": an indicator
//!   they touch is *not yet assessed*, and a red flag not yet assessed is
//!   reported as such, never as safe;
//! - a disclosed risk is never dropped: answers count even if a later answer
//!   hides their question, so adding a risk answer never lowers the level.

mod evaluate;
mod model;
mod validate;
pub mod xlsform;

pub use evaluate::{Contribution, Evaluation, evaluate};
pub use model::*;
pub use validate::ChecklistError;
