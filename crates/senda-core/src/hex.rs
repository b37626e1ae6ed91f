//! Lower-case hex, for ids, digests and keys in text files: the protocol's
//! one rule (canonical lowercase only, L9), so device and server agree.

pub use senda_protocol::{hex as encode, unhex as decode};

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        assert_eq!(super::encode(&[0, 171, 255]), "00abff");
        assert_eq!(super::decode("00abff"), Some(vec![0, 171, 255]));
        assert_eq!(super::decode("0g"), None);
        assert_eq!(super::decode("abc"), None);
        assert_eq!(super::decode("AB"), None);
        assert_eq!(super::decode("+a"), None);
    }
}
