//! A deliberately small HTTP/1.1 server side: one request per connection (`Connection: close`),
//! `Content-Length` bodies only, hard limits on every size. The caller wraps
//! [`read_request`] in a timeout.

use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Limits of the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// Request line plus headers, bytes (431 beyond).
    pub max_header_bytes: usize,
    /// Header lines (431 beyond).
    pub max_headers: usize,
    /// Body, bytes (413 beyond, refused before it is read).
    pub max_body_bytes: usize,
    /// The whole request must arrive within this (408 otherwise); also bounds writing the answer.
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits {
            max_header_bytes: 8 * 1024,
            max_headers: 64,
            max_body_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(10),
            max_connections: 16,
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    pub query: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name` from the `Cookie` header(s).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The media type of the body, lower case, without parameters.
    pub fn content_type(&self) -> String {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}

/// A request that cannot be served; answered with `status` and `message`, then closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: u16,
    pub message: String,
}

impl HttpError {
    pub fn new(status: u16, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            message: message.into(),
        }
    }
}

/// Reads one request, enforcing `limits` (but not the timeout: the caller's job).
pub async fn read_request<R: AsyncRead + Unpin>(
    stream: &mut R,
    limits: &HttpLimits,
) -> Result<Request, HttpError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let header_end = loop {
        if let Some(pos) = find_header_end(&buf) {
            break pos;
        }
        if buf.len() > limits.max_header_bytes {
            return Err(HttpError::new(
                431,
                format!("request headers exceed {} bytes", limits.max_header_bytes),
            ));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| HttpError::new(400, format!("reading the request: {e}")))?;
        if n == 0 {
            return Err(HttpError::new(
                400,
                "connection closed before the headers ended",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if header_end > limits.max_header_bytes {
        return Err(HttpError::new(
            431,
            format!("request headers exceed {} bytes", limits.max_header_bytes),
        ));
    }
    let head = std::str::from_utf8(&buf[..header_end])
        .map_err(|_| HttpError::new(400, "request headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let (method, target) = parse_request_line(lines.next().unwrap_or(""))?;
    let mut headers = Vec::new();
    for line in lines {
        if headers.len() >= limits.max_headers {
            return Err(HttpError::new(
                431,
                format!("more than {} header lines", limits.max_headers),
            ));
        }
        headers.push(parse_header_line(line)?);
    }
    if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        return Err(HttpError::new(
            501,
            "Transfer-Encoding is not supported; send a Content-Length body",
        ));
    }
    let length = content_length(&headers)?;
    if length > limits.max_body_bytes {
        return Err(HttpError::new(
            413,
            format!(
                "body of {length} bytes exceeds the limit of {} bytes",
                limits.max_body_bytes
            ),
        ));
    }
    let mut body: Vec<u8> = buf[header_end + 4..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| HttpError::new(400, format!("reading the body: {e}")))?;
        if n == 0 {
            return Err(HttpError::new(
                400,
                format!(
                    "connection closed after {} of {length} body bytes",
                    body.len()
                ),
            ));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    Ok(Request {
        method: method.to_string(),
        path,
        query,
        headers,
        body,
    })
}

fn find_header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

fn parse_request_line(line: &str) -> Result<(&str, &str), HttpError> {
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(HttpError::new(
            400,
            format!("malformed request line {line:?}"),
        ));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(HttpError::new(400, format!("malformed method {method:?}")));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(HttpError::new(
            505,
            format!("HTTP version {version:?} not supported"),
        ));
    }
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(HttpError::new(400, "malformed request target"));
    }
    Ok((method, target))
}

fn parse_header_line(line: &str) -> Result<(String, String), HttpError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| HttpError::new(400, format!("malformed header line {line:?}")))?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(HttpError::new(
            400,
            format!("malformed header name {name:?}"),
        ));
    }
    Ok((name.to_ascii_lowercase(), value.trim().to_string()))
}

fn content_length(headers: &[(String, String)]) -> Result<usize, HttpError> {
    let mut length = None;
    for (_, value) in headers.iter().filter(|(n, _)| n == "content-length") {
        let parsed: usize = value
            .parse()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| HttpError::new(400, format!("bad Content-Length {value:?}")))?;
        if length.is_some_and(|l| l != parsed) {
            return Err(HttpError::new(400, "conflicting Content-Length headers"));
        }
        length = Some(parsed);
    }
    Ok(length.unwrap_or(0))
}

/// An answer; always sent with `Connection: close` and the security headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(status: u16, value: &impl Serialize) -> Response {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Response::new(status)
            .header("Content-Type", "application/json")
            .body(body)
    }

    /// `{"error": message}`.
    pub fn json_error(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": message }))
    }

    pub fn html(status: u16, page: String) -> Response {
        Response::new(status)
            .header("Content-Type", "text/html; charset=utf-8")
            .body(page.into_bytes())
    }

    pub fn redirect(location: &str) -> Response {
        Response::new(303).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Response {
        self.body = body;
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            // Values are ours, but never let one split the header block.
            let value: String = value.chars().filter(|c| !c.is_control()).collect();
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        head.push_str(concat!(
            "Connection: close\r\n",
            "Cache-Control: no-store\r\n",
            "X-Content-Type-Options: nosniff\r\n",
            "X-Frame-Options: DENY\r\n",
            // Not `no-referrer`: with it browsers send `Origin: null` on the unit's own forms,
            // which the cross-site check must refuse. `same-origin` still sends nothing to
            // other sites.
            "Referrer-Policy: same-origin\r\n",
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; ",
            "form-action 'self'; frame-ancestors 'none'\r\n",
            "\r\n"
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(raw: &[u8], limits: &HttpLimits) -> Result<Request, HttpError> {
        let mut input = raw;
        read_request(&mut input, limits).await
    }

    #[tokio::test]
    async fn parses_a_form_post() {
        let raw = b"POST /login?x=1 HTTP/1.1\r\nHost: u\r\nCookie: a=1; halo_session=abc\r\n\
            Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\
            Content-Length: 8\r\n\r\npin=4711";
        let req = parse(raw, &HttpLimits::default()).await.unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/login");
        assert_eq!(req.query, "x=1");
        assert_eq!(req.cookie("halo_session"), Some("abc"));
        assert_eq!(req.content_type(), "application/x-www-form-urlencoded");
        assert_eq!(req.body, b"pin=4711");
    }

    #[tokio::test]
    async fn refuses_what_it_does_not_serve() {
        let limits = HttpLimits {
            max_header_bytes: 256,
            max_body_bytes: 10,
            ..HttpLimits::default()
        };
        let cases: [(&[u8], u16); 8] = [
            (b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                501,
            ),
            (b"GET / HTTP/2.0\r\n\r\n", 505),
            (b"GET /\r\n\r\n", 400),
            (b"get / HTTP/1.1\r\n\r\n", 400),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 400),
        ];
        for (raw, status) in cases {
            let got = parse(raw, &limits).await.unwrap_err();
            assert_eq!(
                got.status,
                status,
                "{:?}: {}",
                String::from_utf8_lossy(raw),
                got.message
            );
        }
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(300));
        assert_eq!(
            parse(long.as_bytes(), &limits).await.unwrap_err().status,
            431
        );
    }

    #[test]
    fn response_carries_security_headers_and_no_injected_lines() {
        let bytes = Response::new(303)
            .header("Location", "/x\r\nSet-Cookie: evil=1")
            .to_bytes();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 303 See Other\r\n"));
        assert!(text.contains("Location: /xSet-Cookie: evil=1\r\n"));
        assert!(!text.contains("\r\nSet-Cookie"));
        assert!(text.contains("X-Frame-Options: DENY"));
        // A browser must send the unit's own origin on its forms (not `null`).
        assert!(text.contains("Referrer-Policy: same-origin\r\n"));
        assert!(text.contains("Connection: close"));
    }

    #[tokio::test]
    async fn mutated_requests_never_panic_and_stay_within_limits() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(61851);
        let limits = HttpLimits {
            max_header_bytes: 512,
            max_body_bytes: 64,
            ..HttpLimits::default()
        };
        let seed = b"POST /api/rfid/%2e%2e?x=1 HTTP/1.1\r\nHost: u\r\nCookie: halo_session=a\r\n\
            Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"uid\":\"04A22B\"}";
        for _ in 0..5000 {
            let mut raw = seed.to_vec();
            for _ in 0..rng.gen_range(1..8) {
                let i = rng.gen_range(0..raw.len());
                match rng.gen_range(0..3) {
                    0 => raw[i] = rng.gen(),
                    1 => {
                        raw.remove(i);
                    }
                    _ => raw.insert(i, rng.gen()),
                }
            }
            if let Ok(req) = parse(&raw, &limits).await {
                assert!(req.body.len() <= limits.max_body_bytes);
                assert!(req.headers.len() <= limits.max_headers);
                let _ = super::super::url::path_segments(&req.path);
            }
        }
    }
}
