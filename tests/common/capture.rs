//! A capture server: what a package manager sends, read off the wire.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// The requests a server saw: path and `Authorization` header.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A server on 127.0.0.1 that answers 404 to everything and records each
/// request's path and `Authorization` header.
pub fn capture_server() -> (u16, Seen) {
    capture_server_at("127.0.0.1:0")
}

/// [`capture_server`] on the address `addr` (`[::1]:0` for an IPv6 host).
pub fn capture_server_at(addr: &str) -> (u16, Seen) {
    let listener = TcpListener::bind(addr).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let Some((path, auth)) = read_request(&stream) else {
                    return;
                };
                log.lock().expect("lock").push((path, auth));
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    (port, seen)
}

/// A request's path and `Authorization` header, read up to its blank line.
pub fn read_request(stream: &std::net::TcpStream) -> Option<(String, Option<String>)> {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split(' ').nth(1).unwrap_or("").to_string();
    let mut auth = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                auth = Some(value.trim().to_string());
            }
        }
    }
    Some((path, auth))
}

/// A server on 127.0.0.1 that answers 404 to every request and sends, for
/// each, the value of its `header` (`None` when absent): `authorization`
/// for a registry, `proxy-authorization` for a proxy.
pub fn header_server(header: &'static str) -> (u16, std::sync::mpsc::Receiver<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut value = None;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((name, v)) = l.split_once(':') {
                    if name.eq_ignore_ascii_case(header) {
                        value = Some(v.trim().to_string());
                    }
                }
                line.clear();
            }
            let _ = tx.send(value);
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    (port, rx)
}
