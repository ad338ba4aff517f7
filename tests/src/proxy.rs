//! A TCP proxy between the service and PostgreSQL that a test can cut as a network would (bytes stop
//! flowing both ways and new connections hang, but no socket is closed, so nothing errors by itself), or
//! restart as a database server restarts (every connection closed, new ones turned away until it is up).

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub struct CuttableProxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    /// Moves on at every restart; links made before it are closed.
    epoch: AtomicU64,
    /// While down, a new connection is closed as soon as it is accepted.
    down: AtomicBool,
}

fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    cut: Arc<AtomicBool>,
    state: Arc<State>,
    epoch: u64,
) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if state.epoch.load(Ordering::Acquire) != epoch {
            let _ = from.shutdown(std::net::Shutdown::Both);
            break;
        }
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
        let state = Arc::new(State::default());
        let flag = cut.clone();
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if shared.down.load(Ordering::Acquire) {
                    // Turned away, as by a server that is not up: the client sees the connection close.
                    drop(client);
                    continue;
                }
                let flag = flag.clone();
                let state = shared.clone();
                let epoch = state.epoch.load(Ordering::Acquire);
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
                    let back_state = state.clone();
                    std::thread::spawn(move || {
                        pump(server_reader, client, back, back_state, epoch)
                    });
                    pump(client_reader, server, flag, state, epoch);
                });
            }
        });
        CuttableProxy { port, cut, state }
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

    /// The database goes down as in a restart: every link closes, and new connections are turned away
    /// until [`Self::up`].
    pub fn go_down(&self) {
        self.state.down.store(true, Ordering::Release);
        self.state.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The database is up again: new connections go through.
    pub fn up(&self) {
        self.state.down.store(false, Ordering::Release);
    }
}
