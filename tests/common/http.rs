//! A small HTTP/1.1 server on 127.0.0.1 for tests: probes, http artifacts, and endpoints
//! that refuse. One thread per connection; stops accepting when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What to answer: status, content type, body. `None`: hold the connection open, never answer.
pub type Reply = Option<(u16, &'static str, Vec<u8>)>;

pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub struct HttpServer {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl HttpServer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let handler = Arc::new(handler);
        let (s, log) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve(conn, &*handler, &log));
            }
        });
        HttpServer { url, requests, stop }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(conn: TcpStream, handler: &(dyn Fn(&Request) -> Reply + Send + Sync), log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(format!("{method} {path}"));
    let req = Request { method, path, headers, body };
    let Some((status, content_type, bytes)) = handler(&req) else {
        // Never answer: keep the socket open until the client gives up.
        let mut sink = [0u8; 1];
        let _ = reader.read(&mut sink);
        return;
    };
    let mut conn = conn;
    // RPC v2 CBOR responses (AWS Health) name their protocol.
    let protocol = if content_type == "application/cbor" { "smithy-protocol: rpc-v2-cbor\r\n" } else { "" };
    let head = format!("HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n{protocol}content-length: {}\r\nconnection: close\r\n\r\n", bytes.len());
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&bytes);
}
