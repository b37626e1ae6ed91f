//! Screener fields that HSDS has no column for, carried as HSDS `attribute`
//! rows (link_entity = `service`) whose `taxonomy_term_id` is one of these
//! terms. They survive any HSDS round trip because they are plain HSDS.

/// The taxonomy that holds Senda's eligibility terms.
pub const TAXONOMY: &str = "senda-eligibility";
/// The taxonomy of service categories (e.g. `senda-cat:proteccion-ninez`).
pub const CATEGORY_TAXONOMY: &str = "senda-categories";
pub const CATEGORY_PREFIX: &str = "senda-cat:";

pub const ACCEPTS_UNDOCUMENTED: &str = "senda:accepts-undocumented";
pub const ACCEPTS_ADOLESCENT_MOTHERS: &str = "senda:accepts-adolescent-mothers";
pub const SEPARATES_CHILDREN_FROM_ADULTS: &str = "senda:separates-children-from-adults";
pub const SERVES_UNACCOMPANIED_CHILDREN: &str = "senda:serves-unaccompanied-children";
pub const FREE_OF_CHARGE: &str = "senda:free-of-charge";
/// Comma-separated: `female`, `male`, `non-binary`, `lgbtiq`.
pub const GENDERS_SERVED: &str = "senda:genders-served";
pub const LAST_VERIFIED: &str = "senda:last-verified";
pub const SOURCE: &str = "senda:source";
/// `true` for a real public service or line (with who checked it and when);
/// it is shown as real only when `CHECKED_BY` is also given and it is not demo.
pub const REAL: &str = "senda:real";
pub const CHECKED_BY: &str = "senda:checked-by";
/// `YYYY-MM-DD`.
pub const CHECKED_ON: &str = "senda:checked-on";
/// Emergency dispatch (911, 123, 110…), apart from child-protection lines.
pub const EMERGENCY_LINE_CATEGORY: &str = "linea-emergencia";
/// Child-protection lines (141, 100…): advice and reports, not dispatch.
pub const PROTECTION_LINE_CATEGORY: &str = "linea-proteccion";
/// A service's name and description in another locale: `senda:name-en`, `senda:description-pt`…
pub const NAME_PREFIX: &str = "senda:name-";
pub const DESCRIPTION_PREFIX: &str = "senda:description-";
/// `true` for demo entries, shown as "dato de demostración — verificar antes de usar".
pub const DEMO: &str = "senda:demo";

/// Categories never proposed unless a person asks for them.
pub const AUTHORITY_CATEGORIES: &[&str] = &["policia", "migracion"];

/// `true`/`false`/anything else (unknown).
pub fn flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "si" | "sí" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}
