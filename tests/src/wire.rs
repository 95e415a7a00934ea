//! A PostgreSQL wire proxy that counts round trips.
//!
//! Every byte is forwarded unchanged; the client→server direction is split into protocol
//! messages, and each message after which the client must wait for the server's
//! `ReadyForQuery` — a simple `Query` (`Q`) or a `Sync` (`S`) of the extended protocol —
//! counts as one round trip. Connect through it with `sslmode=disable` (an encrypted stream
//! cannot be read).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running proxy in front of a PostgreSQL server.
#[derive(Debug)]
pub struct RoundTrips {
    addr: SocketAddr,
    count: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl RoundTrips {
    /// Starts a proxy on a free loopback port forwarding to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> RoundTrips {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind the round-trip proxy: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("proxy address: {e}"));
        let count = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        forward(client, server, counter).await;
                    }
                });
            }
        });
        RoundTrips { addr, count, task }
    }

    /// `url` (`postgres://user@host:port/db…`) pointed at the proxy, without TLS.
    pub fn url(&self, url: &str) -> String {
        proxied_url(self.addr, url)
    }

    /// Round trips so far, on all connections through the proxy.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Round trips made by `work`, including what the pool does in the background when
    /// `work` gives a connection back (sqlx pings every connection it takes back): the count
    /// is read once the wire has been quiet for a while, before and after.
    pub async fn during<T>(&self, work: impl Future<Output = T>) -> (T, usize) {
        let before = self.settled().await;
        let out = work.await;
        (out, self.settled().await - before)
    }

    /// The count once no message has arrived for 50 ms (at most 5 s).
    pub async fn settled(&self) -> usize {
        let mut last = self.count();
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let now = self.count();
            if now == last {
                return now;
            }
            last = now;
        }
        last
    }
}

impl Drop for RoundTrips {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `url` (`postgres://user@host:port/db…`) pointed at `addr`, without TLS.
fn proxied_url(addr: SocketAddr, url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (user, host_and_path) = rest.rsplit_once('@').map_or(("", rest), |(u, h)| (u, h));
    let path = host_and_path.find('/').map_or("", |i| &host_and_path[i..]);
    let at = if user.is_empty() { "" } else { "@" };
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{scheme}://{user}{at}{addr}{path}{sep}sslmode=disable")
}

/// A TCP forwarder that can be cut and restored: to one client, the server behind it goes
/// away (every connection through it is dropped, new ones are refused) and comes back,
/// while everyone else keeps using the server.
#[derive(Debug)]
pub struct Switch {
    addr: SocketAddr,
    up: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Switch {
    /// Starts a forwarder on a free loopback port to `upstream` (`host:port`), switched on.
    pub async fn start(upstream: String) -> Switch {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind the switch: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("switch address: {e}"));
        let (up, watch) = tokio::sync::watch::channel(true);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*watch.borrow() {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut watch = watch.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watch.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Switch { addr, up, task }
    }

    /// `url` pointed at the switch, without TLS.
    pub fn url(&self, url: &str) -> String {
        proxied_url(self.addr, url)
    }

    /// The server goes away: live connections are dropped, new ones refused.
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// The server is back.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `host:port` of a `postgres://` URL.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split(['/', '?']).next().unwrap_or(host);
    if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    }
}

async fn forward(client: TcpStream, server: TcpStream, count: Arc<AtomicUsize>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let down = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    });
    let mut pending: Vec<u8> = Vec::new();
    let mut started = false;
    let mut buf = vec![0_u8; 64 * 1024];
    loop {
        let n = match client_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        // Split complete messages off the front, counting the ones that end a round trip.
        loop {
            if !started {
                // The startup message: length (4 bytes, itself included), then the payload.
                let Some(len) = be_u32(&pending, 0) else {
                    break;
                };
                if pending.len() < len {
                    break;
                }
                pending.drain(..len);
                started = true;
                continue;
            }
            let Some(len) = be_u32(&pending, 1) else {
                break;
            };
            if pending.len() < 1 + len {
                break;
            }
            if matches!(pending[0], b'Q' | b'S') {
                count.fetch_add(1, Ordering::SeqCst);
            }
            pending.drain(..1 + len);
        }
        if server_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    down.abort();
}

fn be_u32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}
