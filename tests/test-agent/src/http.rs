//! HTTP/1.1 message framing on blocking std I/O, shared by the gateway server
//! and the small client used for the config fetch and `probe`.
//!
//! Only what a hyper/reqwest peer and curl actually send is supported:
//! `Content-Length` and `chunked` bodies, keep-alive, `Expect: 100-continue`.

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Request line plus headers. Node refuses heads above 16 KiB with 431; the
/// double is more lenient so that it is never the reason a test fails.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_CHUNK_LINE_BYTES: usize = 4096;

#[derive(Debug)]
pub enum HttpError {
    /// The peer closed the connection in the middle of a message.
    Closed,
    Malformed(String),
    HeadTooLarge,
    BodyTooLarge,
    Timeout,
    Io(io::Error),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Closed => f.write_str("connection closed"),
            HttpError::Malformed(msg) => write!(f, "malformed HTTP message: {msg}"),
            HttpError::HeadTooLarge => f.write_str("header section too large"),
            HttpError::BodyTooLarge => f.write_str("body too large"),
            HttpError::Timeout => f.write_str("timed out"),
            HttpError::Io(err) => write!(f, "{err}"),
        }
    }
}

impl From<io::Error> for HttpError {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            // A socket read timeout surfaces as WouldBlock on Linux.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HttpError::Timeout,
            io::ErrorKind::UnexpectedEof => HttpError::Closed,
            _ => HttpError::Io(err),
        }
    }
}

fn malformed(msg: impl Into<String>) -> HttpError {
    HttpError::Malformed(msg.into())
}

#[derive(Debug, Clone, Default)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// First value of a header, names compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    pub fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The header names present, lower-cased, sorted, each once.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.0.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether a comma-separated header such as `Connection` lists `token`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.all(name)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Empty,
    Length(u64),
    Chunked,
    /// Responses without a length are delimited by the server closing.
    UntilClose,
}

#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    pub headers: Headers,
    pub framing: Framing,
}

impl Request {
    /// The pathname: routes match exactly and ignore the query, as OpenClaw's do.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or_default()
    }

    pub fn wants_keep_alive(&self) -> bool {
        if self.headers.has_token("connection", "close") {
            false
        } else if self.minor_version == 0 {
            self.headers.has_token("connection", "keep-alive")
        } else {
            true
        }
    }

    pub fn expects_continue(&self) -> bool {
        self.minor_version >= 1
            && self
                .headers
                .get("expect")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
    }
}

#[derive(Debug)]
pub struct ResponseHead {
    pub status: u16,
    // The client only needs status and framing; the tests look at headers.
    #[cfg_attr(not(test), allow(dead_code))]
    pub headers: Headers,
    pub framing: Framing,
}

/// Reads one LF- or CRLF-terminated line (without the terminator), charging
/// its length to `budget`. `Ok(None)` means EOF before the first byte.
fn read_line<R: BufRead>(
    r: &mut R,
    budget: &mut usize,
    too_long: fn() -> HttpError,
) -> Result<Option<Vec<u8>>, HttpError> {
    let mut line = Vec::new();
    let n = r.by_ref().take(*budget as u64 + 1).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget {
        return Err(too_long());
    }
    if line.last() != Some(&b'\n') {
        return Err(HttpError::Closed);
    }
    *budget -= n;
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

fn head_too_large() -> HttpError {
    HttpError::HeadTooLarge
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Reads header lines up to and including the empty line that ends them.
fn read_header_block<R: BufRead>(r: &mut R, budget: &mut usize) -> Result<Headers, HttpError> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(r, budget, head_too_large)?.ok_or(HttpError::Closed)?;
        if line.is_empty() {
            return Ok(Headers(headers));
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(malformed("obsolete header line folding"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| malformed("header line without a colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(malformed("invalid header name"));
        }
        headers.push((
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).trim().to_owned(),
        ));
    }
}

fn content_length(headers: &Headers) -> Result<Option<u64>, HttpError> {
    let mut found = None;
    for value in headers.all("content-length").flat_map(|v| v.split(',')) {
        let value = value.trim();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed("invalid content-length"));
        }
        let n: u64 = value.parse().map_err(|_| malformed("invalid content-length"))?;
        if found.is_some_and(|f| f != n) {
            return Err(malformed("conflicting content-length values"));
        }
        found = Some(n);
    }
    Ok(found)
}

fn is_chunked(headers: &Headers) -> Result<Option<bool>, HttpError> {
    if headers.get("transfer-encoding").is_none() {
        return Ok(None);
    }
    let last = headers
        .all("transfer-encoding")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .last();
    Ok(Some(last.is_some_and(|t| t.eq_ignore_ascii_case("chunked"))))
}

/// Reads a request head. `Ok(None)` is a clean close between requests.
pub fn read_request_head<R: BufRead>(r: &mut R) -> Result<Option<Request>, HttpError> {
    let mut budget = MAX_HEAD_BYTES;
    // RFC 9112 asks servers to ignore empty lines before the request line.
    let line = loop {
        match read_line(r, &mut budget, head_too_large)? {
            None => return Ok(None),
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let line = String::from_utf8(line).map_err(|_| malformed("request line is not UTF-8"))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("invalid request line"));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) || target.is_empty() {
        return Err(malformed("invalid request line"));
    }
    let minor_version = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        _ => return Err(malformed("unsupported HTTP version")),
    };
    let headers = read_header_block(r, &mut budget)?;
    let framing = match is_chunked(&headers)? {
        Some(true) => Framing::Chunked,
        // A request body must be delimited; anything else is unparseable.
        Some(false) => return Err(malformed("unsupported transfer-encoding")),
        None => match content_length(&headers)? {
            Some(n) => Framing::Length(n),
            None => Framing::Empty,
        },
    };
    Ok(Some(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        minor_version,
        headers,
        framing,
    }))
}

/// Reads a response head, skipping interim 1xx responses.
pub fn read_response_head<R: BufRead>(r: &mut R) -> Result<ResponseHead, HttpError> {
    loop {
        let mut budget = MAX_HEAD_BYTES;
        let line = read_line(r, &mut budget, head_too_large)?.ok_or(HttpError::Closed)?;
        let line = String::from_utf8_lossy(&line);
        let mut parts = line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        if !version.starts_with("HTTP/1.") {
            return Err(malformed(format!("not an HTTP/1.x status line: {line:?}")));
        }
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|s| (100..1000).contains(s))
            .ok_or_else(|| malformed("invalid status code"))?;
        let headers = read_header_block(r, &mut budget)?;
        if (100..200).contains(&status) {
            continue;
        }
        let framing = if status == 204 || status == 304 {
            Framing::Empty
        } else if is_chunked(&headers)? == Some(true) {
            Framing::Chunked
        } else if let Some(n) = content_length(&headers)? {
            Framing::Length(n)
        } else {
            Framing::UntilClose
        };
        return Ok(ResponseHead {
            status,
            headers,
            framing,
        });
    }
}

/// Reads a whole body, refusing more than `limit` bytes. A declared length
/// above the limit is refused before anything is read.
pub fn read_body<R: BufRead>(r: &mut R, framing: Framing, limit: usize) -> Result<Vec<u8>, HttpError> {
    match framing {
        Framing::Empty => Ok(Vec::new()),
        Framing::Length(n) => {
            if n > limit as u64 {
                return Err(HttpError::BodyTooLarge);
            }
            let mut body = Vec::with_capacity(n as usize);
            r.take(n).read_to_end(&mut body)?;
            if body.len() as u64 != n {
                return Err(HttpError::Closed);
            }
            Ok(body)
        }
        Framing::Chunked => read_chunked(r, limit),
        Framing::UntilClose => {
            let mut body = Vec::new();
            r.take(limit as u64 + 1).read_to_end(&mut body)?;
            if body.len() > limit {
                return Err(HttpError::BodyTooLarge);
            }
            Ok(body)
        }
    }
}

fn read_chunked<R: BufRead>(r: &mut R, limit: usize) -> Result<Vec<u8>, HttpError> {
    fn line_too_long() -> HttpError {
        malformed("chunk size line too long")
    }
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_CHUNK_LINE_BYTES;
        let line = read_line(r, &mut budget, line_too_long)?.ok_or(HttpError::Closed)?;
        let line = String::from_utf8_lossy(&line);
        // Chunk extensions (";name=value") carry nothing we need.
        let size_text = line.split(';').next().unwrap_or_default().trim();
        if size_text.is_empty() || !size_text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed(format!("invalid chunk size {size_text:?}")));
        }
        let size = u64::from_str_radix(size_text, 16).map_err(|_| malformed("chunk size overflows"))?;
        if size == 0 {
            break;
        }
        if body.len() as u64 + size > limit as u64 {
            return Err(HttpError::BodyTooLarge);
        }
        let start = body.len();
        r.take(size).read_to_end(&mut body)?;
        if (body.len() - start) as u64 != size {
            return Err(HttpError::Closed);
        }
        let mut budget = MAX_CHUNK_LINE_BYTES;
        match read_line(r, &mut budget, line_too_long)? {
            Some(rest) if rest.is_empty() => {}
            Some(_) => return Err(malformed("chunk data longer than its declared size")),
            None => return Err(HttpError::Closed),
        }
    }
    // Trailers are allowed after the last chunk; nothing here uses them.
    let mut budget = MAX_HEAD_BYTES;
    read_header_block(r, &mut budget)?;
    Ok(body)
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Serialises a status line and headers, including the terminating blank line.
pub fn format_head(status: u16, headers: &[(&str, &str)]) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Writes a `Transfer-Encoding: chunked` body, flushing after every chunk so
/// SSE events reach the client as they are produced.
pub struct ChunkedWriter<W: Write> {
    inner: W,
}

impl<W: Write> ChunkedWriter<W> {
    pub fn new(inner: W) -> Self {
        ChunkedWriter { inner }
    }

    pub fn chunk(&mut self, data: &[u8]) -> io::Result<()> {
        // A zero-length chunk would terminate the body.
        if data.is_empty() {
            return Ok(());
        }
        let mut frame = format!("{:x}\r\n", data.len()).into_bytes();
        frame.extend_from_slice(data);
        frame.extend_from_slice(b"\r\n");
        self.inner.write_all(&frame)?;
        self.inner.flush()
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(b"0\r\n\r\n")?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, for the `Date` header.
pub fn http_date(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};
    use std::time::Duration;

    fn reader(bytes: &[u8]) -> BufReader<Cursor<Vec<u8>>> {
        BufReader::new(Cursor::new(bytes.to_vec()))
    }

    #[test]
    fn content_length_body() {
        let mut r = reader(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path(), "/v1/chat/completions");
        assert_eq!(req.framing, Framing::Length(5));
        assert!(req.wants_keep_alive());
        assert_eq!(read_body(&mut r, req.framing, 100).unwrap(), b"hello");
        assert!(read_request_head(&mut r).unwrap().is_none());
    }

    #[test]
    fn chunked_body_with_extensions_and_trailers() {
        let raw = b"POST /x?y=1 HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
                    5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        let mut r = reader(raw);
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!(req.path(), "/x");
        assert_eq!(req.framing, Framing::Chunked);
        assert_eq!(read_body(&mut r, req.framing, 100).unwrap(), b"hello world");
        assert!(read_request_head(&mut r).unwrap().is_none());
    }

    #[test]
    fn keep_alive_sequence_of_requests() {
        let raw = b"POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nab\
                    POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ncde\r\n0\r\n\r\n\
                    \r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n";
        let mut r = reader(raw);
        let a = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!(read_body(&mut r, a.framing, 10).unwrap(), b"ab");
        let b = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!(b.path(), "/b");
        assert_eq!(read_body(&mut r, b.framing, 10).unwrap(), b"cde");
        let c = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!((c.method.as_str(), c.path()), ("GET", "/c"));
        assert_eq!(c.framing, Framing::Empty);
        assert!(!c.wants_keep_alive());
        assert!(read_request_head(&mut r).unwrap().is_none());
    }

    #[test]
    fn http10_defaults_to_close() {
        let mut r = reader(b"GET / HTTP/1.0\r\n\r\n");
        assert!(!read_request_head(&mut r).unwrap().unwrap().wants_keep_alive());
        let mut r = reader(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        assert!(read_request_head(&mut r).unwrap().unwrap().wants_keep_alive());
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let mut r = reader(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert!(matches!(
            read_body(&mut r, req.framing, 10),
            Err(HttpError::BodyTooLarge)
        ));

        let mut r =
            reader(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert!(matches!(
            read_body(&mut r, req.framing, 10),
            Err(HttpError::BodyTooLarge)
        ));

        // Exactly at the limit is fine.
        let mut r = reader(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert_eq!(read_body(&mut r, req.framing, 10).unwrap().len(), 10);
    }

    #[test]
    fn truncated_and_malformed_messages() {
        let mut r = reader(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert!(matches!(read_body(&mut r, req.framing, 100), Err(HttpError::Closed)));

        let mut r = reader(b"GET / HTTP/1.1\r\nHost: x\r\n");
        assert!(matches!(read_request_head(&mut r), Err(HttpError::Closed)));

        for raw in [
            &b"GET /\r\n\r\n"[..],
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        ] {
            let mut r = reader(raw);
            assert!(
                matches!(read_request_head(&mut r), Err(HttpError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }

        let mut r = reader(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        let req = read_request_head(&mut r).unwrap().unwrap();
        assert!(matches!(
            read_body(&mut r, req.framing, 100),
            Err(HttpError::Malformed(_))
        ));
    }

    #[test]
    fn oversized_head_is_refused() {
        let mut raw = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES));
        raw.extend(b"\r\n\r\n");
        let mut r = reader(&raw);
        assert!(matches!(read_request_head(&mut r), Err(HttpError::HeadTooLarge)));
    }

    #[test]
    fn response_heads() {
        let mut r = reader(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        let head = read_response_head(&mut r).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(read_body(&mut r, head.framing, 10).unwrap(), b"ok");

        let mut r = reader(b"HTTP/1.0 404 Not Found\r\n\r\nmissing");
        let head = read_response_head(&mut r).unwrap();
        assert_eq!((head.status, head.framing), (404, Framing::UntilClose));
        assert_eq!(read_body(&mut r, head.framing, 10).unwrap(), b"missing");

        let mut r = reader(b"HTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!(read_response_head(&mut r).unwrap().framing, Framing::Empty);
    }

    #[test]
    fn chunked_writer_frames_and_terminates() {
        let mut w = ChunkedWriter::new(Vec::new());
        w.chunk(b"data: x\n\n").unwrap();
        w.chunk(b"").unwrap();
        w.chunk(&[b'a'; 26]).unwrap();
        let out = w.finish().unwrap();
        let expected = format!("9\r\ndata: x\n\n\r\n1a\r\n{}\r\n0\r\n\r\n", "a".repeat(26));
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn dates() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(http_date(t), "Thu, 29 Feb 2024 12:34:56 GMT");
    }
}
