//! A TCP proxy between the service and PostgreSQL that a test can cut as a network would: bytes stop
//! flowing both ways and new connections hang, but no socket is closed, so nothing errors by itself.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct CuttableProxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
}

fn pump(mut from: TcpStream, mut to: TcpStream, cut: Arc<AtomicBool>) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if cut.load(Ordering::Acquire) {
            // A dropped link: nothing is read, so nothing is delivered or answered.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

impl CuttableProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`.
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let flag = flag.clone();
                std::thread::spawn(move || {
                    // While cut, a new connection is accepted and then left hanging, as behind a lost route.
                    while flag.load(Ordering::Acquire) {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    let Ok(server) = TcpStream::connect(upstream) else {
                        return;
                    };
                    let (Ok(client_reader), Ok(server_reader)) =
                        (client.try_clone(), server.try_clone())
                    else {
                        return;
                    };
                    let back = flag.clone();
                    std::thread::spawn(move || pump(server_reader, client, back));
                    pump(client_reader, server, flag);
                });
            }
        });
        CuttableProxy { port, cut }
    }

    /// The PostgreSQL URL `url` rewritten to go through this proxy.
    pub fn url_for(&self, url: &str) -> String {
        url.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", self.port), 1)
            .replacen("localhost:5432", &format!("127.0.0.1:{}", self.port), 1)
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::Release);
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::Release);
    }
}
