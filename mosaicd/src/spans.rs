//! Request ids, which tie a request's log lines together: every HTTP request and every admin
//! socket call runs in a span carrying one. An HTTP client may bring its own in `X-Request-Id`
//! (kept when well formed, replaced otherwise); the id is sent back in `X-Request-Id` on every
//! answer.

/// The header a request id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The longest request id taken from a client.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// A fresh request id: 32 hex digits.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether a client's request id is kept: 1 to [`MAX_REQUEST_ID_LEN`] characters among ASCII
/// letters, digits, `-`, `_`, `.` and `:`, so it is safe in a header and in a log line.
pub fn is_well_formed(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The request's id: the client's when well formed, else a fresh one.
pub fn request_id(incoming: Option<&[u8]>) -> String {
    match incoming {
        Some(id) if is_well_formed(id) => String::from_utf8_lossy(id).into_owned(),
        _ => new_request_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_kept_only_when_well_formed() {
        assert_eq!(request_id(Some(b"abc-123_x.y:z")), "abc-123_x.y:z");
        let fresh = request_id(None);
        assert_eq!(fresh.len(), 32);
        assert_ne!(fresh, request_id(None));
        let long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for bad in [&b""[..], b"a b", b"a\x01b", b"a\"b", b"\xc3\xa9", long.as_bytes()] {
            let id = request_id(Some(bad));
            assert_ne!(id.as_bytes(), bad);
            assert!(is_well_formed(id.as_bytes()));
        }
        assert!(is_well_formed("a".repeat(MAX_REQUEST_ID_LEN).as_bytes()));
    }
}
