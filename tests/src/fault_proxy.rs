//! A fault-injecting HTTP proxy for the bridge tests: what a phone's network does to it in the
//! field, on real loopback sockets. Its own code (tokio and the standard library only), sharing
//! nothing with the bridge it tests.
//!
//! It listens on 127.0.0.1, port 0, and forwards each request to the test server, one request
//! per connection (it asks both sides for `Connection: close`). Each request meets one
//! [`Fault`]: the next scripted one whose method and path match, else one drawn from a seeded
//! mix, else the proxy's mode. A drawn fault depends only on the seed, the request's method and
//! path, and how many times that method and path were seen before, so the same run of requests
//! meets the same faults whatever order concurrent requests arrive in.
//!
//! Every request is logged with its fault, so a test can count, for example, the answers lost
//! after the server had committed.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded, the answer passed back untouched.
    Pass,
    /// The connection is reset at once, before the request is read (a rejecting firewall,
    /// no route): the server never sees it.
    Refuse,
    /// The request is read, then the connection reset: the server never sees it.
    ResetBeforeForward,
    /// Forwarded; the server answers (and has committed); the answer is thrown away and the
    /// connection reset.
    DropAfterCommit,
    /// Forwarded; the answer's head and half of its body are passed back, then the connection
    /// is closed.
    Truncate,
    /// Forwarded after this many milliseconds, then passed back.
    Delay(u64),
    /// Not forwarded: answered `200 OK`, `text/html`, a login page (a hotel's or hospital's
    /// captive portal).
    CaptivePortal,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub fault: Fault,
}

struct Rule {
    method: String,
    path_prefix: String,
    fault: Fault,
}

#[derive(Default)]
struct Plan {
    mode: Option<Fault>,
    seed: u64,
    /// (fault, weight out of 1000); the rest passes.
    mix: Vec<(Fault, u32)>,
    /// Only requests whose path starts with this meet the mix.
    mix_prefix: String,
    scripted: VecDeque<Rule>,
    seen: HashMap<(String, String), u64>,
    connections: u64,
}

struct State {
    upstream: Mutex<SocketAddr>,
    plan: Mutex<Plan>,
    log: Mutex<Vec<Seen>>,
}

pub struct FaultProxy {
    pub url: String,
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy in front of `upstream`, passing everything until told otherwise.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let state = Arc::new(State {
            upstream: Mutex::new(upstream),
            plan: Mutex::new(Plan::default()),
            log: Mutex::new(Vec::new()),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(state, client).await;
                });
            }
        });
        FaultProxy {
            url: format!("http://{addr}"),
            addr,
            state,
            task,
        }
    }

    /// Forward to another server (the test server restarted on a new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.state.upstream.lock().unwrap() = upstream;
    }

    /// Every request (not scripted, not drawn from a mix) meets `fault`. `Fault::Pass` is a
    /// healthy network. Clears any mix.
    pub fn set(&self, fault: Fault) {
        let mut plan = self.state.plan.lock().unwrap();
        plan.mode = Some(fault);
        plan.mix.clear();
    }

    /// Requests whose path starts with `path_prefix` meet faults drawn from `mix` (weights
    /// in per mille; the rest pass), seeded with `seed`. `Refuse` in a mix is drawn per
    /// connection, for every path.
    pub fn random(&self, seed: u64, path_prefix: &str, mix: &[(Fault, u32)]) {
        assert!(mix.iter().map(|(_, w)| w).sum::<u32>() <= 1000);
        let mut plan = self.state.plan.lock().unwrap();
        plan.mode = Some(Fault::Pass);
        plan.seed = seed;
        plan.mix = mix.to_vec();
        plan.mix_prefix = path_prefix.to_owned();
    }

    /// The next request with `method` whose path starts with `path_prefix` meets `fault`
    /// (before any mode or mix). Scripted faults are used in the order given.
    pub fn script(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.state.plan.lock().unwrap().scripted.push_back(Rule {
            method: method.to_owned(),
            path_prefix: path_prefix.to_owned(),
            fault,
        });
    }

    /// Scripted faults not used yet.
    pub fn scripted_left(&self) -> usize {
        self.state.plan.lock().unwrap().scripted.len()
    }

    /// Every request so far, in the order they arrived.
    pub fn log(&self) -> Vec<Seen> {
        self.state.log.lock().unwrap().clone()
    }

    /// How many requests with `method` and a path starting with `path_prefix` met `fault`.
    pub fn count(&self, method: &str, path_prefix: &str, fault: Fault) -> usize {
        self.log()
            .iter()
            .filter(|s| s.method == method && s.path.starts_with(path_prefix) && s.fault == fault)
            .count()
    }

    /// How many requests with `method` and a path starting with `path_prefix` arrived.
    pub fn requests(&self, method: &str, path_prefix: &str) -> usize {
        self.log()
            .iter()
            .filter(|s| s.method == method && s.path.starts_with(path_prefix))
            .count()
    }
}

/// SplitMix64: a fixed, well-mixed function of its input (no shared state, no dependency).
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn draw(seed: u64, key: u64, mix: &[(Fault, u32)]) -> Fault {
    let roll = (mix64(seed ^ mix64(key)) % 1000) as u32;
    let mut acc = 0;
    for (fault, weight) in mix {
        acc += weight;
        if roll < acc {
            return *fault;
        }
    }
    Fault::Pass
}

impl State {
    /// A connection-level decision, made before anything is read.
    fn refuse_connection(&self) -> bool {
        let mut plan = self.plan.lock().unwrap();
        plan.connections += 1;
        if plan.mode == Some(Fault::Refuse) && plan.mix.is_empty() {
            return true;
        }
        // A mix's refusals are drawn per connection (nothing of the request is known yet).
        let refuse: u32 = plan
            .mix
            .iter()
            .filter(|(f, _)| *f == Fault::Refuse)
            .map(|(_, w)| w)
            .sum();
        refuse > 0
            && draw(
                plan.seed,
                mix64(plan.connections) ^ 0x5EED,
                &[(Fault::Refuse, refuse)],
            ) == Fault::Refuse
    }

    fn decide(&self, method: &str, path: &str) -> Fault {
        let mut plan = self.plan.lock().unwrap();
        if let Some(n) = plan
            .scripted
            .iter()
            .position(|r| r.method == method && path.starts_with(&r.path_prefix))
        {
            return plan.scripted.remove(n).expect("scripted rule").fault;
        }
        let count = plan
            .seen
            .entry((method.to_owned(), path.to_owned()))
            .or_insert(0);
        let nth = *count;
        *count += 1;
        if !plan.mix.is_empty() && path.starts_with(&plan.mix_prefix) {
            let key = fnv(method.as_bytes()) ^ fnv(path.as_bytes()).rotate_left(17) ^ mix64(nth);
            let mix: Vec<_> = plan
                .mix
                .iter()
                .filter(|(f, _)| *f != Fault::Refuse)
                .copied()
                .collect();
            return draw(plan.seed, key, &mix);
        }
        plan.mode.unwrap_or(Fault::Pass)
    }

    fn record(&self, method: &str, path: &str, fault: Fault) {
        self.log.lock().unwrap().push(Seen {
            method: method.to_owned(),
            path: path.to_owned(),
            fault,
        });
    }
}

/// Resets the connection (RST, not FIN): what a dropped mobile connection looks like.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

const PORTAL: &str = "<!doctype html><html><head><title>Guest Wi-Fi</title></head>\
<body><form action=\"/portal/login\"><p>Accept the terms to continue</p>\
<button>Connect</button></form></body></html>";

struct Request {
    method: String,
    path: String,
    /// Head (rewritten to `Connection: close`) and body, as bytes to send upstream.
    bytes: Vec<u8>,
}

/// Reads one request: its head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut length = 0usize;
    let mut out_head = format!("{request_line}\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = line[name.len() + 1..].trim().parse().unwrap_or(0);
        }
        if name.eq_ignore_ascii_case("transfer-encoding") {
            panic!("the fault proxy reads Content-Length bodies only");
        }
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        out_head.push_str(line);
        out_head.push_str("\r\n");
    }
    out_head.push_str("Connection: close\r\n\r\n");
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut bytes = out_head.into_bytes();
    bytes.extend_from_slice(&body);
    Ok(Some(Request {
        method,
        path,
        bytes,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends the request upstream and reads the whole answer (the server closes after it).
async fn forward(state: &State, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let upstream = *state.upstream.lock().unwrap();
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

async fn serve(state: Arc<State>, mut client: TcpStream) -> std::io::Result<()> {
    if state.refuse_connection() {
        state.record("", "", Fault::Refuse);
        reset(client);
        return Ok(());
    }
    let Some(request) = read_request(&mut client).await? else {
        return Ok(());
    };
    let fault = state.decide(&request.method, &request.path);
    state.record(&request.method, &request.path, fault);
    match fault {
        Fault::Refuse | Fault::ResetBeforeForward => {
            reset(client);
        }
        Fault::CaptivePortal => {
            let page = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{PORTAL}",
                PORTAL.len()
            );
            client.write_all(page.as_bytes()).await?;
            client.shutdown().await?;
        }
        Fault::Pass | Fault::Delay(_) => {
            if let Fault::Delay(ms) = fault {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            match forward(&state, &request.bytes).await {
                Ok(answer) => {
                    client.write_all(&answer).await?;
                    client.shutdown().await?;
                }
                Err(_) => reset(client),
            }
        }
        Fault::DropAfterCommit => {
            // The whole answer is read first: the server has finished with the request.
            let _ = forward(&state, &request.bytes).await;
            reset(client);
        }
        Fault::Truncate => match forward(&state, &request.bytes).await {
            Ok(answer) => {
                let body_start = find(&answer, b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
                let body_len = answer.len() - body_start;
                let cut = body_start + body_len / 2;
                client.write_all(&answer[..cut]).await?;
                client.flush().await?;
                // A plain close (FIN): the client sees the body end early.
                client.shutdown().await?;
            }
            Err(_) => reset(client),
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_a_function_of_the_seed_and_the_request() {
        let mix = [(Fault::DropAfterCommit, 300), (Fault::Truncate, 100)];
        let a: Vec<_> = (0..100).map(|k| draw(7, k, &mix)).collect();
        let b: Vec<_> = (0..100).map(|k| draw(7, k, &mix)).collect();
        let c: Vec<_> = (0..100).map(|k| draw(8, k, &mix)).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let dropped = (0..10_000)
            .filter(|k| draw(1, *k, &mix) == Fault::DropAfterCommit)
            .count();
        assert!((2_700..3_300).contains(&dropped), "{dropped}");
    }
}
