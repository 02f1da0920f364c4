//! A minimal HTTP/1.1 file server for the firmware-management cases: serves firmware images
//! (`/firmware/good.bin`, `/firmware/corrupt.bin`; any other name is a missing location, 404),
//! files of the configured `file_root` under `/files/`, and accepts diagnostics uploads (PUT or
//! POST with a Content-Length, any path). Every request is recorded as a `FileTransfer`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use plugin_api::kinds::csms::FileTransfer;
use plugin_api::now_us;

use crate::state::Shared;

const MAX_HEAD: usize = 16 * 1024;
const MAX_UPLOAD: u64 = 64 * 1024 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// The built-in "good" firmware image: deterministic bytes, so tests can compare. It is in the
/// reference firmware's image format (its `shell/firmware_image.rs`): the payload, then `RFW1`,
/// the payload length and the payload's CRC-32 (IEEE), both u32 little-endian. A DUT with
/// another format gets its own images from `file_root` under `/files/`.
pub fn good_image() -> Vec<u8> {
    let mut payload = b"OCPP-CSMS TEST FIRMWARE IMAGE v1\n".to_vec();
    payload.extend((0..65_536u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let crc = crc32fast::hash(&payload);
    let length = payload.len() as u32;
    let mut image = payload;
    image.extend_from_slice(b"RFW1");
    image.extend_from_slice(&length.to_le_bytes());
    image.extend_from_slice(&crc.to_le_bytes());
    image
}

/// The good image with a damaged middle: same length and trailer, so only the checksum
/// shows the damage (as a bit error on the way would).
pub fn corrupt_image() -> Vec<u8> {
    let mut v = good_image();
    let mid = v.len() / 2;
    for b in &mut v[mid..mid + 64] {
        *b ^= 0xA5;
    }
    v
}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>, root: Option<PathBuf>) {
    let root = Arc::new(root);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let shared = Arc::clone(&shared);
        let root = Arc::clone(&root);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(IO_TIMEOUT, handle(tcp, &shared, root.as_deref())).await;
        });
    }
}

struct Head {
    method: String,
    path: String,
    content_length: Option<u64>,
    chunked: bool,
}

fn parse_head(text: &str) -> Option<Head> {
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let mut content_length = None;
    let mut chunked = false;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim();
            if k.eq_ignore_ascii_case("content-length") {
                content_length = v.trim().parse().ok();
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    Some(Head {
        method,
        path,
        content_length,
        chunked,
    })
}

async fn handle(mut tcp: TcpStream, shared: &Shared, root: Option<&Path>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > MAX_HEAD {
            return respond(
                &mut tcp,
                431,
                "text/plain",
                b"request head too large",
                false,
            )
            .await;
        }
    };
    let Some(head) = parse_head(&String::from_utf8_lossy(&buf[..head_end])) else {
        return respond(&mut tcp, 400, "text/plain", b"bad request line", false).await;
    };
    let path = head.path.split('?').next().unwrap_or_default().to_string();
    let mut uploaded = 0u64;
    // Decide the answer, record it, then send it: the record is complete by the time the
    // client sees the answer.
    let (status, body, head_only) = match head.method.as_str() {
        "GET" | "HEAD" => {
            let body = match path.as_str() {
                "/firmware/good.bin" => Some(good_image()),
                "/firmware/corrupt.bin" => Some(corrupt_image()),
                p => match (p.strip_prefix("/files/"), root) {
                    (Some(name), Some(root)) if !name.contains("..") => {
                        tokio::fs::read(root.join(name)).await.ok()
                    }
                    _ => None,
                },
            };
            match body {
                Some(b) => (200, b, head.method == "HEAD"),
                None => (404, b"no such file".to_vec(), false),
            }
        }
        "PUT" | "POST" if head.chunked => {
            let mut body = buf[head_end..].to_vec();
            loop {
                match decode_chunked(&body) {
                    Chunked::Done(n) => {
                        uploaded = n;
                        break (201, Vec::new(), false);
                    }
                    Chunked::Broken => break (400, b"bad chunked body".to_vec(), false),
                    Chunked::Incomplete if body.len() as u64 > MAX_UPLOAD => {
                        break (413, b"upload too large".to_vec(), false)
                    }
                    Chunked::Incomplete => {
                        let n = tcp.read(&mut chunk).await?;
                        if n == 0 {
                            break (400, b"chunked body ended early".to_vec(), false);
                        }
                        body.extend_from_slice(&chunk[..n]);
                    }
                }
            }
        }
        "PUT" | "POST" => match head.content_length {
            Some(len) if len <= MAX_UPLOAD => {
                let mut got = (buf.len() - head_end) as u64;
                while got < len {
                    let n = tcp.read(&mut chunk).await?;
                    if n == 0 {
                        break;
                    }
                    got += n as u64;
                }
                uploaded = got.min(len);
                (if got >= len { 201 } else { 400 }, Vec::new(), false)
            }
            Some(_) => (413, b"upload too large".to_vec(), false),
            None => (411, b"Content-Length required".to_vec(), false),
        },
        _ => (405, b"method not allowed".to_vec(), false),
    };
    let bytes = if status == 200 {
        body.len() as u64
    } else {
        uploaded
    };
    let transfer = FileTransfer {
        t_us: now_us(),
        method: head.method.clone(),
        path: path.clone(),
        bytes,
        status,
    };
    {
        let mut state = shared.lock();
        state.record_event(
            "file_transfer",
            json!({"method": head.method, "path": path, "bytes": bytes, "status": status}),
        );
        state.transfers.push(transfer);
    }
    shared.changed.notify_all();
    let content_type = if status == 200 {
        "application/octet-stream"
    } else {
        "text/plain"
    };
    respond(&mut tcp, status, content_type, &body, head_only).await
}

/// Progress of a chunked request body (RFC 9112 §7.1).
#[derive(Debug, PartialEq, Eq)]
enum Chunked {
    /// Complete; the decoded length.
    Done(u64),
    Incomplete,
    Broken,
}

fn decode_chunked(body: &[u8]) -> Chunked {
    let mut pos = 0;
    let mut total = 0u64;
    loop {
        let Some(eol) = body[pos..].windows(2).position(|w| w == b"\r\n") else {
            return Chunked::Incomplete;
        };
        let line = String::from_utf8_lossy(&body[pos..pos + eol]);
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = u64::from_str_radix(size_hex, 16) else {
            return Chunked::Broken;
        };
        pos += eol + 2;
        if size == 0 {
            // Trailer fields, then an empty line.
            loop {
                let Some(eol) = body[pos..].windows(2).position(|w| w == b"\r\n") else {
                    return Chunked::Incomplete;
                };
                pos += eol + 2;
                if eol == 0 {
                    return Chunked::Done(total);
                }
            }
        }
        let end = pos as u64 + size + 2;
        if (body.len() as u64) < end {
            return Chunked::Incomplete;
        }
        let end = end as usize;
        if &body[end - 2..end] != b"\r\n" {
            return Chunked::Broken;
        }
        total += size;
        pos = end;
    }
}

async fn respond(
    tcp: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    if !head_only {
        tcp.write_all(body).await?;
    }
    tcp.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_differ_but_have_the_same_length() {
        assert_eq!(good_image().len(), corrupt_image().len());
        assert_ne!(good_image(), corrupt_image());
    }

    /// Whether the trailer's CRC-32 matches the payload.
    fn checksum_holds(image: &[u8]) -> bool {
        let (payload, trailer) = image.split_at(image.len() - 12);
        let word = |i: usize| u32::from_le_bytes(trailer[i..i + 4].try_into().unwrap());
        &trailer[..4] == b"RFW1"
            && word(4) as usize == payload.len()
            && word(8) == crc32fast::hash(payload)
    }

    #[test]
    fn only_the_good_image_has_a_matching_checksum() {
        assert!(checksum_holds(&good_image()));
        assert!(!checksum_holds(&corrupt_image()));
    }

    #[test]
    fn chunked_bodies() {
        assert_eq!(decode_chunked(b"5\r\nhello\r\n0\r\n\r\n"), Chunked::Done(5));
        assert_eq!(
            decode_chunked(b"3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"),
            Chunked::Done(5)
        );
        assert_eq!(decode_chunked(b"5\r\nhel"), Chunked::Incomplete);
        assert_eq!(decode_chunked(b"5\r\nhello\r\n0\r\n"), Chunked::Incomplete);
        assert_eq!(decode_chunked(b"zz\r\n"), Chunked::Broken);
        assert_eq!(decode_chunked(b"2\r\nabc\r\n"), Chunked::Broken);
    }

    #[test]
    fn head_parsing() {
        let h = parse_head("PUT /diag/x.zip HTTP/1.1\r\nHost: a\r\ncontent-length: 12\r\n\r\n")
            .unwrap();
        assert_eq!(
            (h.method.as_str(), h.path.as_str(), h.content_length),
            ("PUT", "/diag/x.zip", Some(12))
        );
    }
}
