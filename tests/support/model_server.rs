//! A scripted OpenAI-compatible chat-completions server for driving the real opencode.
//!
//! std only: a `TcpListener` on 127.0.0.1 (random port), one thread per connection, HTTP/1.1
//! with `Connection: close`. A keyword in the latest user message picks the behaviour:
//! `SLOW <n>` streams text over n seconds; `BASH <n>` calls `bash` with `sleep <n>`; `QUESTION`
//! calls `question`; `TODO` calls `todowrite`; `TASK` calls `task` (the subagent is told
//! `SLOW 120`); `FAIL` answers HTTP 500 (retried); `REFUSE` answers HTTP 400 (not retried);
//! `QUEUE <n>` holds the request n seconds without a byte (a busy server queueing it), then
//! replies shortly; anything else gets a short reply at once. After a tool
//! result the reply is a short final text. Title requests get a short title. Every request
//! body is appended to `requests.log` next to the server.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

/// What the subagent started by `TASK` is told to do.
pub const TASK_CHILD_PROMPT: &str = "SLOW 120 child work for the subagent";

pub struct ModelServer {
    pub port: u16,
    pub log: PathBuf,
    stop: Arc<AtomicBool>,
    /// The latest user message of each stream still being sent.
    active: Arc<Mutex<Vec<String>>>,
    accept: Option<JoinHandle<()>>,
}

impl ModelServer {
    /// Starts the server; requests are logged to `dir/requests.log`.
    pub fn start(dir: &Path) -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind model server");
        let port = listener.local_addr().expect("local addr").port();
        let log = dir.join("requests.log");
        let stop = Arc::new(AtomicBool::new(false));
        let log_file = Arc::new(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .expect("open request log"),
        ));
        let stop2 = stop.clone();
        let active = Arc::new(Mutex::new(Vec::new()));
        let active2 = active.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let log = log_file.clone();
                let stop = stop2.clone();
                let active = active2.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, &log, &stop, &active);
                });
            }
        });
        ModelServer {
            port,
            log,
            stop,
            active,
            accept: Some(accept),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// How many logged requests contain `needle` (for waiting on a scenario's first request).
    pub fn requests_containing(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|s| s.lines().filter(|l| l.contains(needle)).count())
            .unwrap_or(0)
    }
}

impl ModelServer {
    /// Whether a streamed reply to a user message containing `needle` is still being sent.
    pub fn streaming(&self, needle: &str) -> bool {
        self.active
            .lock()
            .is_ok_and(|a| a.iter().any(|m| m.contains(needle)))
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

fn read_request(conn: &TcpStream) -> std::io::Result<Request> {
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut len = 0usize;
    let mut chunked = false;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                let mut end = String::new();
                let _ = r.read_line(&mut end);
                break;
            }
            let mut buf = vec![0; n + 2];
            r.read_exact(&mut buf)?;
            body.extend_from_slice(&buf[..n]);
        }
    } else {
        body.resize(len, 0);
        r.read_exact(&mut body)?;
    }
    Ok(Request { method, path, body })
}

fn handle(
    mut conn: TcpStream,
    log: &Mutex<std::fs::File>,
    stop: &AtomicBool,
    active: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let req = read_request(&conn)?;
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    if let Ok(mut f) = log.lock() {
        let _ = writeln!(
            f,
            "{} {} {}",
            req.method,
            req.path,
            String::from_utf8_lossy(&req.body).replace('\n', "\\n")
        );
    }
    if req.method == "GET" && req.path.ends_with("/models") {
        return respond_json(
            &mut conn,
            200,
            &json!({"object":"list","data":[{"id":"m","object":"model"}]}),
        );
    }
    if !req.path.ends_with("/chat/completions") {
        return respond_json(&mut conn, 404, &json!({"error":{"message":"not found"}}));
    }
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let mut reply = decide(&body);
    if let Reply::Queue { secs } = reply {
        for _ in 0..secs * 10 {
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        reply = Reply::Text("Served after the queue.".to_string());
    }
    match reply {
        Reply::Fail => respond_json(
            &mut conn,
            500,
            &json!({"error":{"message":"scripted failure","type":"server_error","code":"scripted"}}),
        ),
        Reply::Refuse => respond_json(
            &mut conn,
            400,
            &json!({"error":{"message":"scripted refusal","type":"invalid_request_error","code":"scripted"}}),
        ),
        _ if stream => {
            let user = latest_user(&body);
            if let Ok(mut a) = active.lock() {
                a.push(user.clone());
            }
            let r = stream_reply(&mut conn, &reply, stop);
            if let Ok(mut a) = active.lock()
                && let Some(i) = a.iter().position(|m| *m == user)
            {
                a.remove(i);
            }
            r
        }
        _ => respond_json(&mut conn, 200, &full_reply(&reply)),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Text(String),
    Slow { secs: u64 },
    Queue { secs: u64 },
    Tool { name: String, args: Value },
    Fail,
    Refuse,
}

/// The text of a message's `content` (a string or an array of parts).
fn content_text(m: &Value) -> String {
    match m.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The text of the latest user message.
fn latest_user(body: &Value) -> String {
    body.get("messages")
        .and_then(Value::as_array)
        .and_then(|ms| {
            ms.iter()
                .rev()
                .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        })
        .map(content_text)
        .unwrap_or_default()
}

fn number_after(text: &str, word: &str) -> Option<u64> {
    let at = text.find(word)?;
    text[at + word.len()..]
        .split_whitespace()
        .next()
        .and_then(|w| w.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
}

/// Picks the behaviour for a request body.
pub fn decide(body: &Value) -> Reply {
    let empty = Vec::new();
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let system: String = messages
        .iter()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some("system"))
        .map(content_text)
        .collect::<Vec<_>>()
        .join("\n")
        .to_ascii_lowercase();
    let has_tools = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    if system.contains("title generator") || (!has_tools && system.contains("title")) {
        return Reply::Text("Scripted title".to_string());
    }
    let last_role = messages
        .last()
        .and_then(|m| m.get("role").and_then(Value::as_str))
        .unwrap_or_default();
    if last_role == "tool" {
        return Reply::Text("Done with the tool.".to_string());
    }
    let user = latest_user(body);
    if user.contains("FAIL") {
        return Reply::Fail;
    }
    if user.contains("REFUSE") {
        return Reply::Refuse;
    }
    if let Some(n) = number_after(&user, "QUEUE") {
        return Reply::Queue { secs: n };
    }
    if let Some(n) = number_after(&user, "SLOW") {
        return Reply::Slow { secs: n };
    }
    if let Some(n) = number_after(&user, "BASH") {
        return tool(
            "bash",
            json!({"command": format!("sleep {n}"), "description": format!("Sleep {n} seconds")}),
        );
    }
    if user.contains("QUESTION") {
        return tool(
            "question",
            json!({"questions": [{
                "question": "Which colour?",
                "header": "Colour",
                "options": [
                    {"label": "Red", "description": "the red one"},
                    {"label": "Blue", "description": "the blue one"}
                ]
            }]}),
        );
    }
    if user.contains("TODO") {
        return tool(
            "todowrite",
            json!({"todos": [
                {"id": "1", "content": "Write the parser", "status": "in_progress", "priority": "high"},
                {"id": "2", "content": "Test the parser", "status": "pending", "priority": "medium"}
            ]}),
        );
    }
    if user.contains("TASK") {
        return tool(
            "task",
            json!({
                "description": "Scripted child work",
                "prompt": TASK_CHILD_PROMPT,
                "subagent_type": "general"
            }),
        );
    }
    Reply::Text("Hello from the scripted model.".to_string())
}

fn tool(name: &str, args: Value) -> Reply {
    Reply::Tool {
        name: name.to_string(),
        args,
    }
}

const USAGE: fn() -> Value =
    || json!({"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110});

fn full_reply(reply: &Reply) -> Value {
    let (message, finish) = match reply {
        Reply::Text(t) => (json!({"role":"assistant","content": t}), "stop"),
        Reply::Slow { .. } => (json!({"role":"assistant","content":"slow words"}), "stop"),
        Reply::Tool { name, args } => (
            json!({"role":"assistant","content": null,"tool_calls":[{
                "id":"call_1","type":"function",
                "function":{"name": name, "arguments": args.to_string()}
            }]}),
            "tool_calls",
        ),
        Reply::Fail | Reply::Refuse | Reply::Queue { .. } => (json!({}), "stop"),
    };
    json!({
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": USAGE(),
    })
}

fn respond_json(conn: &mut TcpStream, code: u16, v: &Value) -> std::io::Result<()> {
    let body = v.to_string();
    let reason = if code == 200 { "OK" } else { "Error" };
    write!(
        conn,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    })
}

fn send(conn: &mut TcpStream, v: &Value) -> std::io::Result<()> {
    write!(conn, "data: {v}\n\n")?;
    conn.flush()
}

fn stream_reply(conn: &mut TcpStream, reply: &Reply, stop: &AtomicBool) -> std::io::Result<()> {
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
    )?;
    send(conn, &chunk(json!({"role":"assistant","content":""}), None))?;
    let finish = match reply {
        Reply::Text(t) => {
            send(conn, &chunk(json!({"content": t}), None))?;
            "stop"
        }
        Reply::Slow { secs } => {
            // Two words a second, so the database sees steady writes while it streams.
            for i in 0..secs * 2 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                send(conn, &chunk(json!({"content": format!("word{i} ")}), None))?;
                std::thread::sleep(Duration::from_millis(500));
            }
            "stop"
        }
        Reply::Tool { name, args } => {
            send(
                conn,
                &chunk(
                    json!({"tool_calls":[{"index":0,"id":"call_1","type":"function",
                        "function":{"name": name, "arguments": ""}}]}),
                    None,
                ),
            )?;
            send(
                conn,
                &chunk(
                    json!({"tool_calls":[{"index":0,"function":{"arguments": args.to_string()}}]}),
                    None,
                ),
            )?;
            "tool_calls"
        }
        Reply::Fail | Reply::Refuse | Reply::Queue { .. } => "stop",
    };
    send(conn, &chunk(json!({}), Some(finish)))?;
    let mut usage = chunk(json!({}), None);
    usage["choices"] = json!([]);
    usage["usage"] = USAGE();
    send(conn, &usage)?;
    write!(conn, "data: [DONE]\n\n")?;
    conn.flush()
}
