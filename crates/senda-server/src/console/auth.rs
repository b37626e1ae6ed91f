//! Administrator accounts: Argon2id passwords, sessions in HttpOnly,
//! SameSite=Strict cookies (Secure behind https), a synchronizer CSRF token
//! per session, throttled failed logins, session expiry, and TOTP.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use ring::digest::{SHA256, digest};
use ring::rand::SecureRandom;
use senda_protocol::hex;
use std::sync::LazyLock;

/// A session ends after this long without a request (CommCare, Primero: 30 minutes).
pub const IDLE_MINUTES: i64 = 30;
/// …and this long after login, however busy.
pub const ABSOLUTE_HOURS: i64 = 12;
/// Failed logins (or second-factor codes) allowed per account in [`LOCK_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
pub const MIN_PASSWORD: usize = 12;
pub const COOKIE: &str = "senda_console";
pub const LANG_COOKIE: &str = "senda_lang";

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .expect("system randomness");
    b
}

pub fn random_token() -> String {
    hex(&random_bytes::<32>())
}

pub fn random_id() -> String {
    hex(&random_bytes::<16>())
}

pub fn token_hash(token: &str) -> String {
    hex(digest(&SHA256, token.as_bytes()).as_ref())
}

/// A one-time password an administrator reads out or copies: 16 characters of
/// Crockford's base 32 (80 bits), with no look-alike characters.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    random_bytes::<16>()
        .iter()
        .map(|x| ALPHABET[(x & 31) as usize] as char)
        .collect()
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2id hashes any password")
        .to_string()
}

/// Used for unknown logins, so that they take as long as known ones.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("no such account here"));

pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let stored = stored.unwrap_or(DUMMY_HASH.as_str());
    let ok = PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    ok && stored != DUMMY_HASH.as_str()
}

/// Why a new password is refused (a Fluent error code), or `None`.
pub fn password_problem(login: &str, password: &str, repeat: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if password != repeat {
        Some("password-mismatch")
    } else if !(MIN_PASSWORD..=200).contains(&n) {
        Some("password-short")
    } else if password.to_lowercase().contains(&login.to_lowercase()) {
        Some("password-login")
    } else {
        None
    }
}

/// A login name: 3 to 40 of a–z, 0–9, `.`, `_`, `-`.
pub fn valid_login(login: &str) -> bool {
    (3..=40).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Constant-time comparison of a submitted CSRF token with the session's.
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn set_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ABSOLUTE_HOURS * 3600,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

// --- TOTP (RFC 6238 via totp-rs): SHA-1, 6 digits, 30 seconds, ±1 step.

pub fn new_totp_secret() -> String {
    match totp_rs::Secret::Raw(random_bytes::<20>().to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(s) => s,
        totp_rs::Secret::Raw(_) => unreachable!("to_encoded encodes"),
    }
}

fn totp(secret: &str, login: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .ok()?;
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Senda".into()),
        login.to_owned(),
    )
    .ok()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn totp_url(secret: &str, login: &str) -> String {
    totp(secret, login).map(|t| t.get_url()).unwrap_or_default()
}

/// The time step `code` belongs to, if it is right now (±30 s) and newer than
/// `last_step` (a code is used once).
pub fn check_totp(secret: &str, login: &str, code: &str, last_step: i64, now: u64) -> Option<i64> {
    let t = totp(secret, login)?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    [now.saturating_sub(30), now, now + 30]
        .into_iter()
        .filter(|&at| same_token(&t.generate(at), &code))
        .map(|at| (at / 30) as i64)
        .find(|&step| step > last_step)
}

/// The current code (tests and the browser test compute it the same way).
pub fn totp_now(secret: &str, login: &str, now: u64) -> String {
    totp(secret, login)
        .map(|t| t.generate(now))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("correct horse batterx", Some(&h)));
        assert!(!verify_password("no such account here", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert_eq!(
            password_problem("ana", "short", "short"),
            Some("password-short")
        );
        assert_eq!(
            password_problem("ana", "long enough pw", "other"),
            Some("password-mismatch")
        );
        assert_eq!(
            password_problem("mariana", "Mariana-2026-x", "Mariana-2026-x"),
            Some("password-login")
        );
        assert_eq!(
            password_problem("ana", "a long passphrase", "a long passphrase"),
            None
        );
    }

    #[test]
    fn a_totp_code_works_once_and_only_near_its_time() {
        let secret = new_totp_secret();
        let now = 1_800_000_000;
        let code = totp_now(&secret, "admin", now);
        let step = check_totp(&secret, "admin", &code, 0, now).expect("the current code");
        assert_eq!(
            check_totp(&secret, "admin", &code, step, now),
            None,
            "replayed"
        );
        assert_eq!(
            check_totp(&secret, "admin", &code, 0, now + 300),
            None,
            "too late"
        );
        assert_eq!(check_totp(&secret, "admin", "12345", 0, now), None);
        assert!(totp_url(&secret, "admin").starts_with("otpauth://totp/Senda:admin?"));
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_behind_https() {
        let c = set_cookie("abc", false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        assert!(set_cookie("abc", true).ends_with("; Secure"));
        assert!(!same_token("", ""));
        assert!(same_token("abc", "abc") && !same_token("abc", "abd"));
        assert!(valid_login("ana.perez") && !valid_login("Ana") && !valid_login("a:b"));
    }
}
