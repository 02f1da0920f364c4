//! File transfers of OCPP Firmware Management: a minimal HTTP/1.1 client on tokio (GET a
//! firmware image, PUT a diagnostics file). Plain `http://` only; one request per connection
//! (`Connection: close`); every step has a timeout.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Whole transfer, connection included.
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest firmware image accepted.
pub const MAX_DOWNLOAD: usize = 64 * 1024 * 1024;
/// Largest response head.
const MAX_HEAD: usize = 16 * 1024;

/// The parts of an `http://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub host: String,
    pub port: u16,
    /// Starts with `/`.
    pub path: String,
}

impl HttpUrl {
    pub fn parse(url: &str) -> Result<HttpUrl, String> {
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "URL `{url}`: scheme `{scheme}` is not supported (http only)"
                ))
            }
            None => return Err(format!("URL `{url}` has no scheme")),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        // Credentials in the URL are not supported; drop the fragment.
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let path = path.split('#').next().unwrap_or("/");
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("URL `{url}`: unclosed IPv6 bracket"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| format!("URL `{url}`: bad port"))?,
                None => 80,
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_string(),
                    p.parse().map_err(|_| format!("URL `{url}`: bad port"))?,
                ),
                None => (authority.to_string(), 80),
            }
        };
        if host.is_empty() {
            return Err(format!("URL `{url}` has no host"));
        }
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(format!(
                "URL `{url}`: the path has spaces or control characters"
            ));
        }
        Ok(HttpUrl {
            host,
            port,
            path: path.to_string(),
        })
    }

    fn host_header(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Downloads `url`; the body on a 2xx answer.
pub async fn get(url: &str) -> Result<Vec<u8>, String> {
    let url = HttpUrl::parse(url)?;
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: reference-firmware\r\n\r\n",
        url.path,
        url.host_header()
    );
    with_timeout(exchange(&url, head.into_bytes(), Vec::new())).await
}

/// Uploads `body` to `url` with PUT.
pub async fn put(url: &str, body: Vec<u8>) -> Result<(), String> {
    let url = HttpUrl::parse(url)?;
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nUser-Agent: reference-firmware\r\n\r\n",
        url.path,
        url.host_header(),
        body.len()
    );
    with_timeout(exchange(&url, head.into_bytes(), body))
        .await
        .map(|_| ())
}

async fn with_timeout(
    f: impl std::future::Future<Output = Result<Vec<u8>, String>>,
) -> Result<Vec<u8>, String> {
    tokio::time::timeout(TRANSFER_TIMEOUT, f)
        .await
        .map_err(|_| format!("transfer timed out after {} s", TRANSFER_TIMEOUT.as_secs()))?
}

async fn exchange(url: &HttpUrl, head: Vec<u8>, body: Vec<u8>) -> Result<Vec<u8>, String> {
    let peer = format!("{}:{}", url.host, url.port);
    let mut tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| format!("cannot reach {peer}: {e}"))?;
    tcp.write_all(&head)
        .await
        .map_err(|e| format!("{peer}: write failed: {e}"))?;
    tcp.write_all(&body)
        .await
        .map_err(|e| format!("{peer}: write failed: {e}"))?;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&data, b"\r\n\r\n") {
            break i;
        }
        if data.len() > MAX_HEAD {
            return Err(format!(
                "{peer}: response head larger than {MAX_HEAD} bytes"
            ));
        }
        let n = tcp
            .read(&mut buf)
            .await
            .map_err(|e| format!("{peer}: read failed: {e}"))?;
        if n == 0 {
            return Err(format!(
                "{peer}: connection closed before the response head"
            ));
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let status_line = head.lines().next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{peer}: bad status line `{status_line}`"))?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return Err(format!("{peer}: chunked responses are not supported"));
    }
    let length: Option<usize> = header("content-length").and_then(|v| v.parse().ok());
    let mut body = data[head_end + 4..].to_vec();
    loop {
        if length.is_some_and(|l| body.len() >= l) {
            break;
        }
        if body.len() > MAX_DOWNLOAD {
            return Err(format!("{peer}: body larger than {MAX_DOWNLOAD} bytes"));
        }
        let n = tcp
            .read(&mut buf)
            .await
            .map_err(|e| format!("{peer}: read failed: {e}"))?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if let Some(l) = length {
        if body.len() < l {
            return Err(format!(
                "{peer}: body ended after {} of {l} bytes",
                body.len()
            ));
        }
        body.truncate(l);
    }
    if !(200..300).contains(&status) {
        return Err(format!("{peer}: `{status_line}` for {}", url.path));
    }
    Ok(body)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn urls_are_parsed() {
        assert_eq!(
            HttpUrl::parse("http://127.0.0.1:8080/files/fw.bin").unwrap(),
            HttpUrl {
                host: "127.0.0.1".into(),
                port: 8080,
                path: "/files/fw.bin".into()
            }
        );
        assert_eq!(HttpUrl::parse("HTTP://h").unwrap().path, "/");
        assert!(HttpUrl::parse("ftp://h/x").unwrap_err().contains("ftp"));
        assert!(HttpUrl::parse("http://h:x/").unwrap_err().contains("port"));
    }

    /// A one-shot server: answers `reply` and hands back what it received.
    async fn server(reply: &'static [u8]) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // Read until the head and any declared body arrived.
            loop {
                let n = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    if got.len() >= i + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            s.write_all(reply).await.unwrap();
            got
        });
        (format!("http://{addr}"), task)
    }

    #[tokio::test]
    async fn get_and_put_over_loopback() {
        let (base, task) = server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").await;
        assert_eq!(
            get(&format!("{base}/files/fw.bin")).await.unwrap(),
            b"hello"
        );
        let req = String::from_utf8(task.await.unwrap()).unwrap();
        assert!(req.starts_with("GET /files/fw.bin HTTP/1.1\r\n"), "{req}");

        let (base, task) = server(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n").await;
        put(&format!("{base}/diag/d.txt"), b"abc".to_vec())
            .await
            .unwrap();
        let req = String::from_utf8(task.await.unwrap()).unwrap();
        assert!(req.starts_with("PUT /diag/d.txt HTTP/1.1\r\n"), "{req}");
        assert!(req.ends_with("\r\n\r\nabc"), "{req}");

        let (base, _task) = server(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").await;
        assert!(get(&format!("{base}/nope"))
            .await
            .unwrap_err()
            .contains("404"));
    }
}
