//! The content rules `senda-content build` enforces (through `source::load_dir`):
//! each broken rule is a typed error naming the item.

use chrono::Utc;
use senda_core::checklist::ChecklistError;
use senda_core::content::pack::{self, PackError, PublisherKey, TrustedKeys};
use senda_core::content::source::{self, RuleError, SourceError};
use senda_core::content::{ContentStore, InstallError};
use senda_core::directory::ServiceQuery;
use std::path::{Path, PathBuf};

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content")
}

const PACK: &str = "publisher = \"pub\"\nversion = 1\n";

/// A source folder with one file under `sub/`.
fn sources(sub: &str, file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), PACK).unwrap();
    std::fs::create_dir(dir.path().join(sub)).unwrap();
    std::fs::write(dir.path().join(sub).join(file), text).unwrap();
    dir
}

fn rules(dir: &Path) -> Vec<RuleError> {
    source::rule_problems(dir)
        .into_iter()
        .filter_map(|e| e.rule)
        .collect()
}

const T: &str = "{ es = \"Nunca es tu culpa.\", en = \"It is never your fault.\", pt = \"Nunca é culpa sua.\" }";
const BODY: &str = "{ es = \"Puedes pedir ayuda. Un equipo te escucha.\", en = \"You can ask for help.\", pt = \"Você pode pedir ajuda.\" }";

fn article(extra: &str) -> String {
    format!(
        "[[articles]]\nid = \"a\"\nstage = \"on-the-road\"\ntitle = {T}\nbody = {BODY}\nsource = \"s\"\nlast_verified = \"2026-11-23\"\n{extra}\n"
    )
}

#[test]
fn a_good_article_passes_every_rule() {
    let dir = sources(
        "articles",
        "a.toml",
        &article(
            "topic = \"rights\"\nlegal_basis = \"CDN art. 2\"\njurisdiction = \"regional\"\nreviewed_by = \"Abogada, Org\"\nreviewed_on = \"2026-11-23\"",
        ),
    );
    assert_eq!(rules(dir.path()), vec![]);
    let (_, payload) = source::load_dir(dir.path()).unwrap();
    let a = &payload.articles[0];
    assert_eq!(a.legal_basis.as_deref(), Some("CDN art. 2"));
    assert_eq!(a.jurisdiction.as_deref(), Some("regional"));
    assert_eq!(a.reviewed_by.as_deref(), Some("Abogada, Org"));
    assert_eq!(a.reviewed_on.unwrap().to_string(), "2026-11-23");
}

#[test]
fn a_rights_article_without_legal_basis_is_refused() {
    let dir = sources("articles", "a.toml", &article("topic = \"rights\""));
    assert_eq!(
        rules(dir.path()),
        vec![RuleError::MissingLegalBasis {
            item: "article 'a'".into()
        }]
    );
    // Guidance needs no legal basis.
    let dir = sources("articles", "a.toml", &article(""));
    assert_eq!(rules(dir.path()), vec![]);
}

#[test]
fn a_review_date_needs_a_reviewer() {
    let dir = sources(
        "articles",
        "a.toml",
        &article("reviewed_on = \"2026-11-23\""),
    );
    assert_eq!(
        rules(dir.path()),
        vec![RuleError::ReviewDateWithoutReviewer {
            item: "article 'a'".into()
        }]
    );
}

#[test]
fn an_item_missing_en_or_pt_is_refused_naming_item_field_and_locale() {
    let text = article("").replace(", pt = \"Você pode pedir ajuda.\"", "");
    let dir = sources("articles", "a.toml", &text);
    assert_eq!(
        rules(dir.path()),
        vec![RuleError::MissingTranslation {
            item: "article 'a'".into(),
            field: "body".into(),
            locale: "pt".into()
        }]
    );
    let text = article("").replace("en = \"It is never your fault.\", ", "");
    let dir = sources("articles", "a.toml", &text);
    let found = source::rule_problems(dir.path());
    assert_eq!(
        found[0].to_string(),
        format!(
            "{}: article 'a' title: the en text is missing",
            dir.path().join("articles/a.toml").display()
        )
    );
}

const CHECKLIST: &str = r#"
id = "c"
version = 1
title = { es = "Tamizaje", en = "Screening", pt = "Triagem" }
levels = []
[[thresholds]]
level = "low"
from = 0
to = 3
[[thresholds]]
level = "high"
from = 4
[[sections]]
id = "s"
title = { es = "El viaje", en = "The journey", pt = "A viagem" }
[[sections.questions]]
id = "q"
text = { es = "¿Tienes dónde dormir?", en = "Do you have a place to sleep?", pt = "Você tem onde dormir?" }
guidance = { es = "Pregunta con calma.", en = "Ask calmly.", pt = "Pergunte com calma." }
kind = { type = "yes-no" }
[[indicators]]
id = "i"
question = "q"
when = "no"
weight = 3
label = { es = "Sin lugar", en = "No place", pt = "Sem lugar" }
"#;

#[test]
fn every_checklist_text_needs_every_locale() {
    let dir = sources("checklists", "c.toml", CHECKLIST);
    assert_eq!(rules(dir.path()), vec![]);
    let dir = sources(
        "checklists",
        "c.toml",
        &CHECKLIST.replace(", pt = \"Pergunte com calma.\"", ""),
    );
    assert_eq!(
        rules(dir.path()),
        vec![RuleError::MissingTranslation {
            item: "question 'q' guidance".into(),
            field: String::new(),
            locale: "pt".into()
        }]
    );
}

#[test]
fn hard_or_long_child_facing_text_is_refused_unless_exempt_with_a_reason() {
    let long = "Si hablas con una autoridad o con un servicio tienes derecho a que te expliquen todo lo que pasa en un idioma que entiendas bien.";
    let hard = "Las organizaciones internacionales especializadas proporcionan asistencia humanitaria multidimensional. Corresponde solicitar información complementaria.";
    for (text, want_long) in [(long, true), (hard, false)] {
        let body = format!("{{ es = \"{text}\", en = \"x\", pt = \"x\" }}");
        let src = article("").replace(BODY, &body);
        let dir = sources("articles", "a.toml", &src);
        let found = rules(dir.path());
        assert!(
            found.iter().any(|r| matches!(r,
                RuleError::HardToRead { item, problem: senda_core::readability::Problem::LongSentence { words, .. } }
                    if item == "article 'a'" && *words > 20)) == want_long,
            "{found:?}"
        );
        assert!(
            found.iter().any(|r| matches!(
                r,
                RuleError::HardToRead {
                    problem: senda_core::readability::Problem::Hard { .. },
                    ..
                }
            )) != want_long,
            "{found:?}"
        );
        let exempt = format!(
            "{src}readability_exempt = \"Cita textual de la ley; la explica el artículo siguiente.\"\n"
        );
        let dir = sources("articles", "a.toml", &exempt);
        assert_eq!(rules(dir.path()), vec![]);
        let blank = format!("{src}readability_exempt = \"  \"\n");
        let dir = sources("articles", "a.toml", &blank);
        assert_eq!(
            rules(dir.path()),
            vec![RuleError::EmptyExemption {
                item: "article 'a'".into()
            }]
        );
    }
}

#[test]
fn a_crossing_needs_danger_zone_guidance() {
    let place = |extra: &str| {
        format!(
            "[[places]]\nid = \"p\"\nkind = \"route-place\"\ncountry = \"CO\"\nlatitude = 7.8\nlongitude = -72.4\n\
             name = {{ es = \"Cúcuta\", en = \"Cúcuta\", pt = \"Cúcuta\" }}\n\
             description = {{ es = \"Paso entre dos países.\", en = \"A crossing.\", pt = \"Uma passagem.\" }}\n\
             source = \"s\"\nlast_verified = \"2026-11-23\"\n{extra}\n"
        )
    };
    let dir = sources("places", "p.toml", &place(""));
    assert_eq!(
        rules(dir.path()),
        vec![RuleError::MissingDangers {
            item: "place 'p'".into()
        }]
    );
    let dir = sources(
        "places",
        "p.toml",
        &place(
            "dangers = { es = \"No subas a un carro de alguien que no conoces.\", en = \"x\", pt = \"x\" }",
        ),
    );
    assert_eq!(rules(dir.path()), vec![]);
    let (_, payload) = source::load_dir(dir.path()).unwrap();
    assert!(payload.places[0].dangers.has_spanish());
}

#[test]
fn public_ui_messages_are_held_to_the_reading_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), PACK).unwrap();
    std::fs::create_dir_all(dir.path().join("locales/es")).unwrap();
    std::fs::write(
        dir.path().join("locales/es/app.ftl"),
        "ok = Puedes pedir ayuda cuando { $when }.\n\
         long = Esta es una frase muy larga que tiene muchas palabras y que una niña o un niño de catorce años no debería tener que leer entera.\n",
    )
    .unwrap();
    let ui = |exempt: &str| {
        format!("locale_dir = \"locales/es\"\nkeys = [\"ok\", \"long\", \"gone\"]\n{exempt}")
    };
    std::fs::write(dir.path().join("public-ui.toml"), ui("")).unwrap();
    let found = rules(dir.path());
    assert!(
        found.iter().any(
            |r| matches!(r, RuleError::HardToRead { item, .. } if item == "UI message 'long'")
        ),
        "{found:?}"
    );
    assert!(found.contains(&RuleError::MissingTranslation {
        item: "UI message 'gone'".into(),
        field: String::new(),
        locale: "es".into()
    }));
    assert!(
        !found
            .iter()
            .any(|r| r.to_string().contains("UI message 'ok'"))
    );
    std::fs::write(
        dir.path().join("public-ui.toml"),
        ui("[exempt]\nlong = \"Texto legal citado tal cual.\"\n"),
    )
    .unwrap();
    assert!(
        !rules(dir.path())
            .iter()
            .any(|r| r.to_string().contains("UI message 'long'"))
    );
}

#[test]
fn an_invalid_checklist_is_refused_by_the_build_naming_the_item() {
    let bad = CHECKLIST.replace("weight = 3", "weight = 4294967295")
        + "[[indicators]]\nid = \"j\"\nquestion = \"q\"\nwhen = \"yes\"\nweight = 1\nlabel = { es = \"x\", en = \"x\", pt = \"x\" }\n";
    let dir = sources("checklists", "c.toml", &bad);
    let errors: Vec<SourceError> = source::load_dir(dir.path()).unwrap_err();
    assert!(
        errors.iter().any(|e| matches!(
            &e.rule,
            Some(RuleError::Checklist(ChecklistError::WeightOverflow { .. }))
        )),
        "{errors:?}"
    );
}

#[test]
fn a_signed_pack_with_an_overflowing_checklist_is_refused_at_install() {
    let dir = sources("checklists", "c.toml", CHECKLIST);
    let (_, mut payload) = source::load_dir(dir.path()).unwrap();
    let mut second = payload.checklists[0].indicators[0].clone();
    second.id = "j".into();
    payload.checklists[0].indicators[0].weight = u32::MAX;
    payload.checklists[0].indicators.push(second);
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    let e = store.install(&file, Utc::now()).unwrap_err();
    assert!(
        matches!(&e, InstallError::Pack(PackError::Malformed { detail }) if detail.contains("overflow")),
        "{e:?}"
    );
    assert!(store.installed().unwrap().is_empty(), "nothing installed");
}

#[test]
fn real_lines_carry_who_checked_them_and_demo_never_reads_real() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("directory")).unwrap();
    std::fs::write(src.join("pack.toml"), PACK).unwrap();
    for f in std::fs::read_dir(content_dir().join("directory")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, src.join("directory").join(f.file_name().unwrap())).unwrap();
    }
    let attrs = src.join("directory/attributes.csv");
    let mut csv = std::fs::read_to_string(&attrs).unwrap();
    // Drop any provenance the shipped rows carry for these two services, then set our own.
    csv = csv
        .lines()
        .filter(|l| {
            !((l.contains(",svc-icbf-141,") || l.contains(",svc-mimp-100,"))
                && (l.contains("senda:real")
                    || l.contains("senda:checked-")
                    || l.contains("senda:demo")))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    csv.push_str(
        "t-1,svc-icbf-141,senda:real,provenance,service,true,\n\
         t-2,svc-icbf-141,senda:checked-by,provenance,service,Equipo de contenido Senda,\n\
         t-3,svc-icbf-141,senda:checked-on,provenance,service,2026-11-23,\n\
         t-4,svc-mimp-100,senda:real,provenance,service,true,\n\
         t-5,svc-mimp-100,senda:demo,provenance,service,true,\n\
         t-6,svc-mimp-100,senda:checked-by,provenance,service,Alguien,\n",
    );
    std::fs::write(&attrs, csv).unwrap();
    // Every term the attributes use exists (the shipped sources may be mid-edit).
    let terms = src.join("directory/taxonomy_terms.csv");
    let mut t = std::fs::read_to_string(&terms).unwrap();
    let used: std::collections::BTreeSet<String> = std::fs::read_to_string(&attrs)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2).map(str::to_owned))
        .collect();
    for term in used.iter().map(String::as_str) {
        if !t.contains(&format!("\n{term},")) {
            t.push_str(&format!(
                "{term},{term},{term},Procedencia.,,senda-eligibility,spa,senda-eligibility,\n"
            ));
        }
    }
    std::fs::write(&terms, t).unwrap();
    let (_, payload) = source::load_dir(&src).unwrap_or_else(|e| panic!("{e:?}"));
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut store = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    store.install(&file, Utc::now()).unwrap();
    let hit = |id: &str| store.service(id).unwrap().unwrap();
    let icbf = hit("svc-icbf-141");
    assert!(icbf.real && !icbf.demo);
    assert_eq!(
        icbf.checked_by.as_deref(),
        Some("Equipo de contenido Senda")
    );
    assert_eq!(icbf.checked_on.as_deref(), Some("2026-11-23"));
    // Marked both: demo wins, it is never shown as real.
    let mimp = hit("svc-mimp-100");
    assert!(!mimp.real && mimp.demo);
    let _ = ServiceQuery::default;
}

/// The shipped sources pass every rule; a failure lists each text with its problem.
#[test]
fn the_shipped_sources_pass_every_rule() {
    let problems: Vec<String> = source::rule_problems(&content_dir())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.is_empty(),
        "run `cargo run -p senda-core --example readability` for scores:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_pack_from_the_demo_publisher_is_marked_demo_and_others_are_not() {
    let dir = sources("articles", "a.toml", &article(""));
    let (_, payload) = source::load_dir(dir.path()).unwrap();
    for (publisher, demo) in [(pack::DEMO_PUBLISHER, true), ("ong-real", false)] {
        let key = pack::generate_key();
        let trusted = TrustedKeys(vec![PublisherKey {
            publisher: publisher.into(),
            public_key: pack::public_key_hex(&key).unwrap(),
        }]);
        let file = pack::sign(publisher, 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
        let db = tempfile::tempdir().unwrap();
        let mut store = ContentStore::open(&db.path().join("content.db"), trusted).unwrap();
        assert_eq!(store.install(&file, Utc::now()).unwrap().demo, demo);
        assert_eq!(store.installed().unwrap()[0].demo, demo, "{publisher}");
    }
}

#[test]
fn directory_names_and_descriptions_come_in_every_locale_given() {
    let dir = tempfile::tempdir().unwrap();
    let (_, payload) = source::load_dir(&content_dir()).unwrap();
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut store = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    store.install(&file, Utc::now()).unwrap();
    let hit = store.service("svc-icbf-141").unwrap().unwrap();
    assert_eq!(
        hit.name_text.get("es").0,
        hit.name,
        "Spanish is the HSDS name"
    );
    for locale in ["en", "pt"] {
        let (text, fell_back) = hit.name_text.get(locale);
        assert!(!fell_back && !text.is_empty(), "{locale}");
        assert!(!hit.description_text.get(locale).1, "{locale}");
    }
}
