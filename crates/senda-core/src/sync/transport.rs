//! What the device believes of the network: only `https://` servers (plain
//! `http://` to this computer only), no redirects, answers read up to a cap
//! before anything decodes them, and the server's signature on every answer
//! the device acts on (a wipe order, a push acknowledgement, a pull page).

use super::client::SyncError;
use crate::casework::outbox::setting;
use crate::casework::{CaseError, Casework};
use senda_protocol::{HEADER_DEVICE, HEADER_NONCE, answer_message, verify};

/// The largest answer the device reads; decoding refuses more anyway.
pub const MAX_ANSWER_BYTES: usize = senda_protocol::MAX_ANSWER_BYTES;

/// `https://…`, or `http://` to a loopback address (a server on this computer).
pub fn check_server_url(url: &str) -> Result<(), SyncError> {
    let insecure = || SyncError::InsecureServerUrl {
        url: url.chars().take(200).collect(),
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| insecure())?;
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback { Ok(()) } else { Err(insecure()) }
        }
        _ => Err(insecure()),
    }
}

/// Reads an answer's body, stopping as soon as it passes `cap` bytes.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, ReadFailure> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(ReadFailure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadFailure::Network)? {
        if body.len() + chunk.len() > cap {
            return Err(ReadFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub enum ReadFailure {
    TooLarge,
    Network(reqwest::Error),
}

/// A signed request as sent, to check the server's answer against.
pub struct Sent {
    pub path: String,
    pub device_id: Option<String>,
    pub nonce: Option<String>,
    pub body: Vec<u8>,
}

impl Sent {
    pub fn of(request: &super::SignedRequest) -> Self {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        Self {
            path: request.path.clone(),
            device_id: header(HEADER_DEVICE),
            nonce: header(HEADER_NONCE),
            body: request.body.clone(),
        }
    }

    /// Whether `signature` is the pinned server key's over this request and answer.
    pub fn answer_signed(
        &self,
        pinned: Option<&str>,
        status: u16,
        answer: &[u8],
        signature: Option<&str>,
    ) -> bool {
        let (Some(key), Some(device), Some(nonce), Some(signature)) =
            (pinned, &self.device_id, &self.nonce, signature)
        else {
            return false;
        };
        let message = answer_message(device, &self.path, nonce, &self.body, status, answer);
        verify(key, &message, signature)
    }
}

impl Casework<'_> {
    /// The server's answer-signing key pinned at enrolment (none for a device
    /// enrolled with an older server: it must enrol again).
    pub fn server_signing_key(&self) -> Result<Option<String>, CaseError> {
        Ok(setting(self.conn, "server_signing_key")?.filter(|k| !k.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_computer() {
        for ok in [
            "https://senda.example.org",
            "https://10.0.0.5:8443/senda",
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
        ] {
            assert_eq!(check_server_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://senda.example.org",
            "http://192.168.1.10:8787",
            "http://127.0.0.1.nip.io",
            "ftp://senda.example.org",
            "senda.example.org",
            "",
        ] {
            assert!(
                matches!(
                    check_server_url(bad),
                    Err(SyncError::InsecureServerUrl { .. })
                ),
                "{bad}"
            );
        }
    }
}
