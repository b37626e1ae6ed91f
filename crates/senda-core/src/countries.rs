//! The countries Senda works in, listed once: the case form, the public
//! side's country chooser and the directory search all offer these (the UI
//! reads them from the generated contract, `ui/src/lib/api/generated`).

/// Where Senda's teams work, as ISO 3166-1 alpha-2 codes, in the order offered.
pub const WORKING: [&str; 4] = ["CO", "PE", "BO", "EC"];

/// The nationalities a case form offers first (anything else is typed as a code).
pub const NATIONALITIES: [&str; 10] = ["VE", "CO", "PE", "EC", "BO", "HT", "CU", "CL", "AR", "BR"];

/// Whether `code` is one of the countries Senda works in.
pub fn is_working(code: &str) -> bool {
    WORKING.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_pairs_without_repeats() {
        for list in [&WORKING[..], &NATIONALITIES[..]] {
            let mut seen = std::collections::BTreeSet::new();
            for code in list {
                assert!(
                    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()),
                    "{code}"
                );
                assert!(seen.insert(code), "{code} twice");
            }
        }
        assert!(is_working("CO") && !is_working("VE"));
    }
}
