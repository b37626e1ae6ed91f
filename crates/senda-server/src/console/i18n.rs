//! The console's words in Spanish (first), English and Portuguese, from
//! `locales/*/console.ftl`, embedded in the binary so it runs with no files beside it.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Es,
    En,
    Pt,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Es, Lang::En, Lang::Pt];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
            Lang::Pt => "pt",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| code.trim().to_ascii_lowercase().starts_with(l.code()))
    }

    /// The first of the browser's languages we have (`Accept-Language`), else Spanish.
    pub fn negotiate(cookie: Option<&str>, accept: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        accept
            .into_iter()
            .flat_map(|a| a.split(','))
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::Es)
    }

    fn index(self) -> usize {
        self as usize
    }
}

pub const SOURCES: [&str; 3] = [
    include_str!("../../../../locales/es/console.ftl"),
    include_str!("../../../../locales/en/console.ftl"),
    include_str!("../../../../locales/pt/console.ftl"),
];

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .zip(SOURCES)
        .map(|(lang, source)| {
            let id: unic_langid::LanguageIdentifier =
                lang.code().parse().expect("a valid language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Plain text in HTML: no bidi isolation marks around arguments.
            bundle.set_use_isolating(false);
            let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
            let _ = bundle.add_resource(resource);
            bundle
        })
        .collect()
});

/// Words in one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, id: &str) -> String {
        self.args(id, &[])
    }

    pub fn args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = &BUNDLES[self.0.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }

    /// `console-error-<code>`: a refusal's sentence.
    pub fn error(&self, code: &str) -> String {
        self.t(&format!("console-error-{code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("the file parses");
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_message_and_parses() {
        let es = ids(SOURCES[0]);
        assert!(es.len() > 50);
        for (lang, source) in Lang::ALL.iter().zip(SOURCES) {
            let mut mine = ids(source);
            let mut want = es.clone();
            mine.sort();
            want.sort();
            assert_eq!(mine, want, "{lang:?} differs from Spanish");
            assert!(mine.iter().all(|id| id.starts_with("console-")));
        }
    }

    #[test]
    fn every_message_the_console_asks_for_exists() {
        let es = ids(SOURCES[0]);
        let code = [
            include_str!("pages.rs"),
            include_str!("auth.rs"),
            include_str!("mod.rs"),
            include_str!("stats_page.rs"),
        ];
        for source in code {
            for part in source.split('"').skip(1).step_by(2) {
                if part.starts_with("console-") && !part.ends_with('-') && !part.contains('{') {
                    assert!(es.contains(&part.to_owned()), "missing message {part}");
                }
            }
        }
        // Codes used with `error(…)` and notices.
        for code in super::super::ERROR_CODES {
            assert!(
                es.contains(&format!("console-error-{code}")),
                "missing error {code}"
            );
        }
        for code in super::super::DONE_CODES {
            assert!(
                es.contains(&format!("console-done-{code}")),
                "missing notice {code}"
            );
        }
        for code in [
            "login",
            "password-changed",
            "totp-enabled",
            "organisation-created",
            "account-created",
            "account-deactivated",
            "content-announced",
            "staff-added",
            "staff-deactivated",
            "code-made",
            "device-revoked",
            "service-routed",
            "stats-exported",
        ] {
            assert!(
                es.contains(&format!("console-action-{code}")),
                "missing action {code}"
            );
        }
        for status in [
            "draft",
            "queued",
            "sent",
            "received",
            "accepted",
            "declined",
            "first-contact",
            "service-provided",
            "closed",
            "withdrawn",
            "revoked",
        ] {
            assert!(
                es.contains(&format!("console-status-{status}")),
                "missing status {status}"
            );
        }
        for risk in super::super::stats::RISK_LEVELS {
            assert!(
                es.contains(&format!("console-risk-{risk}")),
                "missing risk {risk}"
            );
        }
    }

    #[test]
    fn the_browser_language_is_followed_and_spanish_comes_first() {
        assert_eq!(Lang::negotiate(None, None), Lang::Es);
        assert_eq!(
            Lang::negotiate(None, Some("pt-BR,pt;q=0.9,en;q=0.8")),
            Lang::Pt
        );
        assert_eq!(Lang::negotiate(None, Some("fr-FR, en-GB;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en"), Some("pt-BR")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), Some("de")), Lang::Es);
        assert_eq!(
            Tr(Lang::En).t("console-no-such-message"),
            "console-no-such-message"
        );
    }
}
