//! Every UI string exists in es, en and pt; every core error can be said in each.

use senda_core::VaultError;
use senda_core::casework::CaseError;
use senda_core::content::InstallError;
use senda_core::i18n::{Catalogs, DEFAULT_LOCALE, REQUIRED_LOCALES};
use std::path::PathBuf;

fn catalogs() -> Catalogs {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../locales");
    Catalogs::load_dir(&dir).expect("locales parse without errors")
}

#[test]
fn every_required_locale_has_every_message() {
    let c = catalogs();
    for locale in REQUIRED_LOCALES {
        assert!(
            c.messages.contains_key(*locale),
            "locales/{locale} is missing"
        );
        let missing = c.missing_in(locale);
        assert!(missing.is_empty(), "locales/{locale} lacks {missing:?}");
    }
    assert!(
        c.messages[DEFAULT_LOCALE].len() > 20,
        "the Spanish catalogue is nearly empty"
    );
}

#[test]
fn every_core_error_has_a_sentence_in_every_locale() {
    let c = catalogs();
    for locale in REQUIRED_LOCALES {
        for code in VaultError::all_codes()
            .into_iter()
            .chain(InstallError::all_codes())
            .chain(CaseError::all_codes())
            .chain(senda_core::sync::SyncError::all_codes())
            .chain(senda_core::sync::KeyTrustError::all_codes())
            .chain(
                senda_core::directory::import::ImportError::ALL_CODES
                    .iter()
                    .copied(),
            )
            .chain(
                senda_core::checklist::xlsform::XlsformError::ALL_CODES
                    .iter()
                    .copied(),
            )
        {
            let id = format!("error-{code}");
            assert!(c.has(locale, &id), "locales/{locale} lacks {id}");
        }
    }
}

#[test]
fn every_country_offered_has_a_name_in_every_locale() {
    let c = catalogs();
    for locale in REQUIRED_LOCALES {
        for code in senda_core::countries::WORKING
            .iter()
            .chain(&senda_core::countries::NATIONALITIES)
        {
            let id = format!("country-{}", code.to_lowercase());
            assert!(c.has(locale, &id), "locales/{locale} lacks {id}");
        }
    }
}
