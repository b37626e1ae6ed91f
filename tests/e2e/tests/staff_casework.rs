//! A shift at a crossing, in the real app: open a case, screen with a red
//! flag, see "immediate" with the emergency line first, record consent,
//! refer to a matching service, show the slip with its QR code, and find
//! the referral queued in the outbox.

use fantoccini::Locator;
use senda_e2e::*;

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run by ./x test"]
async fn screen_consent_refer_and_queue() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(4454, data.path());
    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    click(&c, "[data-test=door-staff]").await;
    fill(&c, "[data-test=name]", "Marta").await;
    fill(&c, "[data-test=pin]", "482916").await;
    fill(&c, "[data-test=pin-again]", "482916").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Marta").await;

    // A case with the least data: an alias, an estimated age, the place.
    click(&c, "[data-test=case-new]").await;
    heading_is(&c, "Abrir un caso").await;
    fill(&c, "[data-test=case-alias]", "Luz Marina").await;
    click(&c, "input[name=age][value=estimated]").await;
    fill(&c, "[data-test=case-age-years]", "15").await;
    select(&c, "[data-test=case-place]", "cruce-cucuta").await;
    select(&c, "[data-test=case-travelling]", "unaccompanied").await;
    screenshot(&c, "10-case-new").await;
    click(&c, "[data-test=case-save]").await;
    heading_is(&c, "Luz Marina").await;
    assert_eq!(text_of(&c, "[data-test=level]").await, "Sin tamizaje");
    screenshot(&c, "11-case").await;

    // The screening, one section per screen; a red flag in the last one.
    click(&c, "[data-test=screening-start]").await;
    heading_is(&c, "El viaje").await;
    answer_section(&c, &[]).await;
    screenshot(&c, "12-screening").await;
    click(&c, "[data-test=screening-next]").await;
    heading_is(&c, "Ofrecimientos y contactos").await;
    answer_section(&c, &[]).await;
    click(&c, "[data-test=screening-next]").await;
    heading_is(&c, "Seguridad ahora").await;
    answer_section(&c, &["peligro-ahora"]).await;
    screenshot(&c, "13-screening-red-flag").await;
    click(&c, "[data-test=screening-next]").await;

    // "Immediate": the emergency line for Colombia comes first, one tap away.
    heading_is(&c, "Peligro inmediato: actúa ahora").await;
    // Emergency dispatch (123) and the child-protection line (141) are listed apart.
    let emergency = text_of(&c, "[data-test=emergency-lines]").await;
    assert!(emergency.contains("123"), "{emergency}");
    let protection = text_of(&c, "[data-test=protection-lines]").await;
    assert!(protection.contains("141"), "{protection}");
    assert!(
        !protection.contains("Dato de prueba"),
        "real lines are not demo"
    );
    let level = c
        .find(Locator::Css("[data-test=result] [data-test=level]"))
        .await
        .unwrap()
        .attr("data-level")
        .await
        .unwrap();
    assert_eq!(level.as_deref(), Some("immediate"));
    screenshot(&c, "14-result-immediate").await;

    // Referral: proposals match the needs; police is never among them.
    click(&c, "[data-test=result-refer]").await;
    heading_is(&c, "Elegir un servicio").await;
    // The list arrives after the heading: wait for a proposal before reading it.
    text_of(&c, "[data-test=choose-svc-alojamiento-cucuta]").await;
    let proposals = text_of(&c, "[data-test=proposals]").await;
    assert!(
        proposals.contains("Alojamiento temporal para adolescentes (demo)"),
        "{proposals}"
    );
    assert!(!proposals.contains("Policía"), "{proposals}");
    screenshot(&c, "15-proposals").await;
    click(&c, "[data-test=choose-svc-alojamiento-cucuta]").await;
    heading_is(&c, "Resumen para contar una sola vez").await;
    // What the receiver may learn of the child is opt-in too: nothing starts ticked.
    for field in [
        "alias",
        "age",
        "gender",
        "nationality",
        "languages",
        "travelling",
        "helper",
    ] {
        assert!(
            !is_checked(&c, &format!("[data-test=share-{field}]")).await,
            "{field} starts ticked"
        );
    }
    click(&c, "[data-test=share-age]").await;
    click(&c, "[data-test=summary-reviewed]").await;
    screenshot(&c, "16-tell-once").await;
    click(&c, "[data-test=summary-next]").await;

    // Consent: without the child's agreement nothing is sent.
    heading_is(&c, "Consentimiento").await;
    for x in [
        "what-is-shared",
        "who-receives",
        "what-happens-next",
        "can-say-no",
        "can-withdraw",
    ] {
        click(&c, &format!("[data-test=explained-{x}]")).await;
    }
    click(&c, "[data-test=consent-send]").await;
    assert!(
        text_of(&c, "[data-test=error]")
            .await
            .starts_with("El consentimiento no está completo")
    );
    click(&c, "[data-test=child-agrees]").await;
    // Keeping the case on the server is opt-in: the box starts unticked, and stays so here.
    assert!(!is_checked(&c, "[data-test=share-with-org]").await);
    screenshot(&c, "17-consent").await;
    click(&c, "[data-test=consent-send]").await;

    // The slip: service, code, and a QR code of the code alone.
    heading_is(&c, "Hoja de derivación").await;
    let code = text_of(&c, "[data-test=slip-code]").await;
    assert!(code.starts_with("SND-") && code.len() == 15, "{code}");
    let qr = c
        .find(Locator::Css("[data-test=slip-qr] svg"))
        .await
        .expect("a QR code");
    assert!(qr.html(false).await.unwrap().contains("path"));
    screenshot(&c, "18-slip").await;

    click(&c, "[data-test=slip-back]").await;
    heading_is(&c, "Luz Marina").await;
    assert_eq!(
        text_of(&c, "[data-test=referral-status]").await,
        "En cola de envío"
    );
    // One command made it all: the refused attempt above left nothing, so
    // there is exactly one consent (for the referral) and one referral.
    text_of(&c, "[data-test=consent-line]").await;
    let consents = c
        .find_all(Locator::Css("[data-test=consent-line]"))
        .await
        .unwrap();
    assert_eq!(consents.len(), 1, "one consent, recorded once");
    assert_eq!(
        c.find_all(Locator::Css("[data-test=referral-status]"))
            .await
            .unwrap()
            .len(),
        1
    );
    screenshot(&c, "19-case-referred").await;

    // Back on the list: the referral waits in the outbox, nothing held for consent.
    click(&c, "[data-test=case-back]").await;
    let counts = text_of(&c, "[data-test=outbox-counts]").await;
    assert!(counts.contains("esperan consentimiento"), "{counts}");
    // Without consent to keep the case on the server, only the referral may leave.
    assert!(!counts.contains("de ellos, 0 "), "{counts}");
    click(&c, "[data-test=outbox-counts]").await;
    let rows = text_of(&c, "[data-test=outbox]").await;
    assert!(rows.contains("Derivación — En cola de envío"), "{rows}");
    screenshot(&c, "20-outbox").await;
    c.close().await.unwrap();

    // Every file the app left (the vault and any journal beside it): a
    // ten-byte alias is long enough that ciphertext never holds it by chance.
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(10).any(|w| w == b"Luz Marina"),
                "{} holds the alias in clear",
                path.display()
            );
        }
    }
}

/// Whether a checkbox is ticked, as the page sees it.
async fn is_checked(c: &fantoccini::Client, css: &str) -> bool {
    c.find(Locator::Css(css))
        .await
        .expect("the checkbox")
        .is_selected()
        .await
        .unwrap()
}
