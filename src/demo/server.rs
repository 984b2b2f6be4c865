//! A small web server for sample products: the built-in demo product and the test
//! fixtures. It serves a directory described by `site.toml` (format: `SITE_FORMAT.md`
//! beside this file) on 127.0.0.1, with the few dynamic parts signup flows need: form
//! posts validated on the server, cookie sessions, 303 redirects, pages that require a
//! session, and sibling sites on other origins (an app on another host).
//!
//! It runs on its own thread and runtime, so synchronous tests and the async CLI start it
//! the same way; dropping the handle stops it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt;
use regex::Regex;
use serde::Deserialize;

/// Where a site's files come from.
#[derive(Clone)]
pub enum SiteSource {
    Disk(PathBuf),
    Embedded(&'static include_dir::Dir<'static>),
    /// A site that `extends` another: files are read from `top`, else from `base`.
    Overlay {
        top: PathBuf,
        base: PathBuf,
    },
}

impl SiteSource {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        let relative = relative.trim_start_matches('/');
        if relative
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.'))
        {
            return None;
        }
        match self {
            SiteSource::Disk(root) => {
                let path = root.join(relative);
                path.is_file().then(|| std::fs::read(path).ok()).flatten()
            }
            SiteSource::Embedded(dir) => dir.get_file(relative).map(|f| f.contents().to_vec()),
            SiteSource::Overlay { top, base } => [top, base].into_iter().find_map(|root| {
                let path = root.join(relative);
                path.is_file().then(|| std::fs::read(path).ok()).flatten()
            }),
        }
    }

    fn child(&self, sub: &str) -> Option<SiteSource> {
        match self {
            SiteSource::Disk(root) => {
                let p = root.join(sub);
                p.is_dir().then_some(SiteSource::Disk(p))
            }
            SiteSource::Embedded(dir) => dir.get_dir(sub).map(|d| {
                // include_dir paths stay relative to the root; re-root by leaking a view is
                // not possible, so sub-sites of embedded sources are read through a prefix.
                SiteSource::Embedded(d)
            }),
            SiteSource::Overlay { top, base } => {
                let (t, b) = (top.join(sub), base.join(sub));
                match (t.is_dir(), b.is_dir()) {
                    (true, true) => Some(SiteSource::Overlay { top: t, base: b }),
                    (true, false) => Some(SiteSource::Disk(t)),
                    (false, true) => Some(SiteSource::Disk(b)),
                    (false, false) => None,
                }
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            SiteSource::Disk(p) => p.display().to_string(),
            SiteSource::Overlay { top, .. } => top.display().to_string(),
            SiteSource::Embedded(d) => format!("built-in:{}", d.path().display()),
        }
    }

    /// Embedded sub-directories keep paths relative to the embedding root.
    fn prefixed(&self, relative: &str) -> String {
        match self {
            SiteSource::Embedded(d) if !d.path().as_os_str().is_empty() => {
                format!(
                    "{}/{}",
                    d.path().display(),
                    relative.trim_start_matches('/')
                )
            }
            _ => relative.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SiteSpec {
    #[serde(default)]
    name: String,
    /// Another site directory (relative to this one) whose files this site serves where it
    /// has none of its own; site.toml is never inherited.
    extends: Option<String>,
    spa_fallback: Option<String>,
    login: Option<String>,
    #[serde(default)]
    form: Vec<FormSpec>,
    #[serde(default)]
    protected: Vec<Protected>,
    #[serde(default)]
    sibling: Vec<Sibling>,
    #[serde(default)]
    route: Vec<RouteSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormSpec {
    action: String,
    page: Option<String>,
    #[serde(default)]
    json: bool,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    email: Vec<String>,
    #[serde(default)]
    min_length: HashMap<String, usize>,
    #[serde(default)]
    pattern: HashMap<String, String>,
    #[serde(default)]
    equal: Vec<[String; 2]>,
    #[serde(default)]
    empty: Vec<String>,
    #[serde(default)]
    session: SessionMode,
    redirect: String,
    #[serde(default)]
    messages: HashMap<String, String>,
    /// Answer only after this many milliseconds (a slow signup backend).
    #[serde(default)]
    delay_ms: u64,
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum SessionMode {
    #[default]
    None,
    Start,
    Require,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Protected {
    prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sibling {
    name: String,
    dir: String,
}

/// A fixed answer for a path: a status, a redirect, or a body of a given type — and the
/// ways a hostile site misbehaves (a slow or hung answer, a body that never ends, a
/// gzip bomb, a body in another charset or of another type than it claims).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteSpec {
    path: String,
    /// Only requests with this method (e.g. "POST"); any method when absent.
    method: Option<String>,
    #[serde(default = "ok_status")]
    status: u16,
    redirect: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    body: String,
    /// The body is this file of the site, sent byte for byte (no placeholders): pages in
    /// other charsets, PDFs. Files named "_…" are served this way only.
    file: Option<String>,
    /// `{{repeat}}` in the body (or file) is replaced by `text` repeated `times` times.
    repeat: Option<Repeat>,
    /// Never answer: a hung backend (the request ends when the client gives up).
    #[serde(default)]
    hang: bool,
    /// Answer only after this many milliseconds (a slow backend, a long-poll).
    #[serde(default)]
    delay_ms: u64,
    /// Send the headers and the body's first half, then never finish it (a stream, or a
    /// response whose body the page never reads).
    #[serde(default)]
    stall_body: bool,
    /// The body is this many zero bytes, gzip-compressed (Content-Encoding: gzip): a
    /// compression bomb, about a thousandth of its size on the wire.
    gzip_zeros: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Repeat {
    text: String,
    times: usize,
}

fn ok_status() -> u16 {
    200
}

/// Sessions and origins shared by a site and its siblings.
#[derive(Default)]
struct Shared {
    sessions: Mutex<HashMap<String, HashMap<String, String>>>,
    origins: RwLock<HashMap<String, String>>,
    /// Every form post the server accepted, in order: the product's own state.
    accepted: Mutex<Vec<AcceptedPost>>,
}

/// A form post the server accepted (validated and acted on): what the product now holds,
/// so a test can check what a journey really made ("a project was saved with name X").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedPost {
    /// The form's action path, e.g. `/api/projects`.
    pub path: String,
    /// The posted fields (a JSON `true` reads "on"; `false` and `null` are absent).
    pub fields: std::collections::BTreeMap<String, String>,
}

struct SiteState {
    source: SiteSource,
    spec: SiteSpec,
    patterns: HashMap<(String, String), Regex>,
    origin: String,
    shared: Arc<Shared>,
}

/// A running sample product. Dropping it stops the server.
pub struct ProductServer {
    origins: HashMap<String, String>,
    name: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProductServer {
    /// Serves the site in `dir` (and its siblings) on free ports of 127.0.0.1.
    pub fn serve_dir(dir: &Path) -> anyhow::Result<ProductServer> {
        let disk = SiteSource::Disk(dir.to_path_buf());
        let source = match load_spec(&disk)?.extends {
            Some(base) => SiteSource::Overlay {
                top: dir.to_path_buf(),
                base: dir.join(base),
            },
            None => disk,
        };
        ProductServer::spawn(source)
    }

    pub fn spawn(source: SiteSource) -> anyhow::Result<ProductServer> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared::default());
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("product-server".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(anyhow::anyhow!("cannot start a runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match bind_all(source, stop_rx.clone(), server_shared).await {
                        Ok((name, origins)) => {
                            let _ = ready_tx.send(Ok((name, origins)));
                            let mut stop = stop_rx;
                            let _ = stop.wait_for(|s| *s).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let (name, origins) = ready_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the sample product server stopped while starting"))??;
        Ok(ProductServer {
            origins,
            name,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The main site's origin, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.origins[""]
    }

    /// The origin of a sibling site.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.origins.get(name).map(String::as_str)
    }

    /// The product's name from site.toml.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The form posts the server accepted so far (on this site and its siblings), oldest
    /// first; refused posts are not in it.
    pub fn accepted_posts(&self) -> Vec<AcceptedPost> {
        self.shared
            .accepted
            .lock()
            .map(|posts| posts.clone())
            .unwrap_or_default()
    }
}

impl Drop for ProductServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn load_spec(source: &SiteSource) -> anyhow::Result<SiteSpec> {
    let raw = source
        .read(&source.prefixed("site.toml"))
        .ok_or_else(|| anyhow::anyhow!("{} has no site.toml", source.describe()))?;
    let text = String::from_utf8(raw)?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}/site.toml: {e}", source.describe()))
}

fn compile_patterns(spec: &SiteSpec) -> anyhow::Result<HashMap<(String, String), Regex>> {
    let mut out = HashMap::new();
    for form in &spec.form {
        for (field, pattern) in &form.pattern {
            out.insert((form.action.clone(), field.clone()), Regex::new(pattern)?);
        }
    }
    Ok(out)
}

/// Binds the main site and its siblings, then serves them until `stop` turns true.
async fn bind_all(
    source: SiteSource,
    stop: tokio::sync::watch::Receiver<bool>,
    shared: Arc<Shared>,
) -> anyhow::Result<(String, HashMap<String, String>)> {
    let main_spec = load_spec(&source)?;
    let mut sites = vec![(String::new(), source.clone(), main_spec)];
    let sibling_specs: Vec<(String, String)> = sites[0]
        .2
        .sibling
        .iter()
        .map(|s| (s.name.clone(), s.dir.clone()))
        .collect();
    for (name, dir) in sibling_specs {
        let child = source
            .child(&dir)
            .ok_or_else(|| anyhow::anyhow!("sibling site directory {dir} is missing"))?;
        let spec = load_spec(&child)?;
        sites.push((name, child, spec));
    }
    let name = sites[0].2.name.clone();
    let mut origins = HashMap::new();
    let mut listeners = Vec::new();
    for (site_name, _, _) in &sites {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let origin = format!("http://{}", listener.local_addr()?);
        origins.insert(site_name.clone(), origin);
        listeners.push(listener);
    }
    if let Ok(mut o) = shared.origins.write() {
        *o = origins.clone();
    }
    for ((site_name, source, spec), listener) in sites.into_iter().zip(listeners) {
        let state = Arc::new(SiteState {
            patterns: compile_patterns(&spec)?,
            source,
            spec,
            origin: origins[&site_name].clone(),
            shared: shared.clone(),
        });
        let app = Router::new().fallback(handle).with_state(state);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
        });
    }
    Ok((name, origins))
}

static SESSION_COUNTER: AtomicU64 = AtomicU64::new(1);

fn new_session_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{nanos:x}{:x}",
        SESSION_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == "sid")
        .map(|(_, v)| v.to_string())
}

/// What a request carries that templates may show.
#[derive(Default)]
struct Fill<'a> {
    session: Option<&'a HashMap<String, String>>,
    error: Option<&'a str>,
    form: Option<&'a HashMap<String, String>>,
    /// Each failing field's message (`{{error.FIELD}}`).
    errors: Option<&'a HashMap<String, String>>,
    /// How many posts the form has accepted, this one included (`{{seq}}` in a redirect).
    seq: Option<usize>,
}

async fn handle(
    State(site): State<Arc<SiteState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let sid = session_id(&headers);
    let session = sid
        .as_ref()
        .and_then(|id| site.shared.sessions.lock().ok()?.get(id).cloned());

    let route = site.spec.route.iter().find(|r| {
        r.path == path
            && r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
    });
    if let Some(route) = route {
        if route.hang {
            std::future::pending::<()>().await;
        }
        if route.delay_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(route.delay_ms)).await;
        }
        return fixed_route(&site, route);
    }
    if method == Method::POST {
        if path == "/logout" {
            if let (Some(id), Ok(mut sessions)) = (sid, site.shared.sessions.lock()) {
                sessions.remove(&id);
            }
            return see_other("/", None);
        }
        if let Some(form) = site.spec.form.iter().find(|f| f.action == path) {
            if form.delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(form.delay_ms)).await;
            }
            let fields = parse_body(&headers, &body);
            return submit(&site, form, fields, sid, session).await;
        }
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    }
    if site
        .spec
        .protected
        .iter()
        .any(|p| path.starts_with(&p.prefix))
        && session.is_none()
    {
        return see_other(&login_path(&site), None);
    }
    let fill = Fill {
        session: session.as_ref(),
        ..Fill::default()
    };
    match find_file(&site, &path) {
        Some((file, bytes)) => serve_file(&site, &file, bytes, StatusCode::OK, &fill),
        None => not_found(&site, &fill),
    }
}

fn fixed_route(site: &SiteState, route: &RouteSpec) -> Response {
    let status = StatusCode::from_u16(route.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut bytes = match &route.file {
        Some(file) => site
            .source
            .read(&site.source.prefixed(file))
            .unwrap_or_else(|| format!("fixture file {file} is missing").into_bytes()),
        None => route.body.clone().into_bytes(),
    };
    if let Some(repeat) = &route.repeat {
        bytes = repeated(&bytes, repeat);
    }
    let body = if let Some(zeros) = route.gzip_zeros {
        Body::from_stream(gzip_bomb::stream(zeros))
    } else if route.stall_body {
        let half = bytes.len() / 2;
        let first = Bytes::from(bytes[..half].to_vec());
        Body::from_stream(
            futures::stream::once(async move { Ok::<_, std::io::Error>(first) })
                .chain(futures::stream::pending()),
        )
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if route.gzip_zeros.is_some() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Some(location) = &route.redirect {
        if let Ok(v) = HeaderValue::from_str(&expand(site, location, &Fill::default())) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    let ct = route
        .content_type
        .as_deref()
        .unwrap_or("text/html; charset=utf-8");
    if let Ok(v) = HeaderValue::from_str(ct) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

/// `bytes` with `{{repeat}}` replaced by the repeated text.
fn repeated(bytes: &[u8], repeat: &Repeat) -> Vec<u8> {
    const MARK: &[u8] = b"{{repeat}}";
    let filler = repeat.text.repeat(repeat.times).into_bytes();
    match bytes.windows(MARK.len()).position(|w| w == MARK) {
        Some(at) => [&bytes[..at], &filler, &bytes[at + MARK.len()..]].concat(),
        None => [bytes, &filler].concat(),
    }
}

/// A gzip stream of zeros built from one compressed block repeated: the bytes of a
/// compression bomb without compressing a gigabyte.
mod gzip_bomb {
    use axum::body::Bytes;
    use flate2::{Compress, Compression, FlushCompress};

    /// Zeros compressed per repeated block.
    const BLOCK: usize = 1 << 20;

    /// `total` zero bytes as a gzip member, streamed block by block.
    pub fn stream(total: u64) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
        let blocks = total / BLOCK as u64;
        let (first, repeated, tail) = pieces(blocks);
        let crc = zeros_crc(blocks * BLOCK as u64);
        let size = u32::try_from((blocks * BLOCK as u64) % (1 << 32)).unwrap_or(0);
        let mut trailer = tail;
        trailer.extend_from_slice(&crc.to_le_bytes());
        trailer.extend_from_slice(&size.to_le_bytes());
        let header = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        let head = Bytes::from([header, first].concat());
        let middle = Bytes::from(repeated);
        futures::stream::iter(
            std::iter::once(Ok(head))
                .chain((1..blocks).map(move |_| Ok(middle.clone())))
                .chain(std::iter::once(Ok(Bytes::from(trailer)))),
        )
    }

    /// The raw-deflate bytes of the first block, of every later block (identical once
    /// the window is all zeros) and of the end of the stream.
    fn pieces(blocks: u64) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let zeros = vec![0u8; BLOCK];
        let mut deflate = Compress::new(Compression::best(), false);
        let mut block = |input: &[u8], flush: FlushCompress| {
            let mut out = Vec::with_capacity(BLOCK / 512 + 64);
            let mut consumed = 0;
            loop {
                let before_in = deflate.total_in();
                let _ = deflate.compress_vec(&input[consumed..], &mut out, flush);
                consumed += usize::try_from(deflate.total_in() - before_in).unwrap_or(0);
                if consumed >= input.len() && out.len() < out.capacity() {
                    return out;
                }
                out.reserve(out.capacity().max(1024));
            }
        };
        let first = block(&zeros, FlushCompress::Full);
        let repeated = if blocks > 1 {
            block(&zeros, FlushCompress::Full)
        } else {
            Vec::new()
        };
        let tail = block(&[], FlushCompress::Finish);
        (first, repeated, tail)
    }

    /// CRC-32 of `n` zero bytes.
    fn zeros_crc(n: u64) -> u32 {
        let zeros = vec![0u8; BLOCK];
        let mut one = crc32fast::Hasher::new();
        one.update(&zeros);
        let mut total = crc32fast::Hasher::new();
        for _ in 0..n / BLOCK as u64 {
            total.combine(&one);
        }
        total.finalize()
    }
}

fn login_path(site: &SiteState) -> String {
    site.spec.login.clone().unwrap_or_else(|| "/".to_string())
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if is_json {
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        return value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| {
                        let s = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Bool(true) => "on".to_string(),
                            serde_json::Value::Bool(false) | serde_json::Value::Null => {
                                return None
                            }
                            other => other.to_string(),
                        };
                        Some((k.clone(), s))
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    url::form_urlencoded::parse(body).into_owned().collect()
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").expect("valid regex"));

fn humanize(field: &str) -> String {
    field.replace(['_', '-'], " ")
}

/// Every field that breaks a rule, with the message of the first rule it breaks; in the
/// order of the rules, so the first is the one a single-message page shows (`{{error}}`).
fn failures(
    site: &SiteState,
    form: &FormSpec,
    fields: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    while let Some(failure) = first_failure(site, form, fields, &out) {
        out.push(failure);
    }
    out
}

/// The first rule broken by a field not already `reported`.
fn first_failure(
    site: &SiteState,
    form: &FormSpec,
    fields: &HashMap<String, String>,
    reported: &[(String, String)],
) -> Option<(String, String)> {
    let fresh = |f: &str| !reported.iter().any(|(r, _)| r == f);
    let value = |f: &str| fields.get(f).map(|v| v.trim()).unwrap_or("");
    let message =
        |field: &str, default: String| form.messages.get(field).cloned().unwrap_or(default);
    if let Some(f) = form.empty.iter().find(|f| fresh(f) && !value(f).is_empty()) {
        return Some((f.clone(), "We could not process your request.".to_string()));
    }
    if let Some(f) = form
        .required
        .iter()
        .find(|f| fresh(f) && value(f).is_empty())
    {
        return Some((
            f.clone(),
            message(f, format!("Please fill in {}.", humanize(f))),
        ));
    }
    if let Some(f) = form
        .email
        .iter()
        .find(|f| fresh(f) && !value(f).is_empty() && !EMAIL.is_match(value(f)))
    {
        return Some((
            f.clone(),
            message(f, "Please enter a valid email address.".to_string()),
        ));
    }
    let mut lengths: Vec<_> = form.min_length.iter().collect();
    lengths.sort();
    if let Some((f, n)) = lengths
        .into_iter()
        .find(|(f, n)| fresh(f) && value(f).chars().count() < **n)
    {
        return Some((
            f.clone(),
            message(
                f,
                format!(
                    "{} must be at least {n} characters.",
                    capitalize(&humanize(f))
                ),
            ),
        ));
    }
    let mut patterns: Vec<_> = form.pattern.keys().collect();
    patterns.sort();
    for f in patterns.into_iter().filter(|f| fresh(f)) {
        let ok = site
            .patterns
            .get(&(form.action.clone(), f.clone()))
            .is_none_or(|re| re.is_match(value(f)));
        if !ok {
            return Some((
                f.clone(),
                message(
                    f,
                    format!(
                        "{} is not in the expected format.",
                        capitalize(&humanize(f))
                    ),
                ),
            ));
        }
    }
    if let Some([a, b]) = form
        .equal
        .iter()
        .find(|[a, b]| fresh(b) && value(a) != value(b))
    {
        return Some((
            b.clone(),
            message(
                b,
                format!(
                    "{} and {} do not match.",
                    capitalize(&humanize(a)),
                    humanize(b)
                ),
            ),
        ));
    }
    None
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

async fn submit(
    site: &SiteState,
    form: &FormSpec,
    fields: HashMap<String, String>,
    sid: Option<String>,
    session: Option<HashMap<String, String>>,
) -> Response {
    if form.session == SessionMode::Require && session.is_none() {
        return if form.json {
            json_response(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"ok": false, "error": "Please log in."}),
            )
        } else {
            see_other(&login_path(site), None)
        };
    }
    let broken = failures(site, form, &fields);
    if let Some((field, error)) = broken.first().cloned() {
        let errors: HashMap<String, String> = broken.into_iter().collect();
        if form.json {
            return json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({"ok": false, "error": error, "field": field, "errors": errors}),
            );
        }
        let fill = Fill {
            session: session.as_ref(),
            error: Some(&error),
            form: Some(&fields),
            errors: Some(&errors),
            ..Fill::default()
        };
        let page = form.page.clone().unwrap_or_else(|| form.action.clone());
        return match find_file(site, &page) {
            Some((file, bytes)) => {
                serve_file(site, &file, bytes, StatusCode::UNPROCESSABLE_ENTITY, &fill)
            }
            None => (StatusCode::UNPROCESSABLE_ENTITY, error).into_response(),
        };
    }
    let seq = match site.shared.accepted.lock() {
        Ok(mut accepted) => {
            accepted.push(AcceptedPost {
                path: form.action.clone(),
                fields: fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            });
            accepted.iter().filter(|p| p.path == form.action).count()
        }
        Err(_) => 0,
    };
    let mut cookie = None;
    if let Ok(mut sessions) = site.shared.sessions.lock() {
        match form.session {
            SessionMode::Start => {
                let id = new_session_id();
                sessions.insert(id.clone(), fields);
                cookie = Some(id);
            }
            SessionMode::Require => {
                if let Some(s) = sid.as_ref().and_then(|id| sessions.get_mut(id)) {
                    s.extend(fields);
                }
            }
            SessionMode::None => {}
        }
    }
    let location = expand(
        site,
        &form.redirect,
        &Fill {
            seq: Some(seq),
            ..Fill::default()
        },
    );
    if form.json {
        let mut r = json_response(
            StatusCode::OK,
            serde_json::json!({"ok": true, "redirect": location}),
        );
        if let Some(id) = cookie {
            set_cookie(&mut r, &id);
        }
        return r;
    }
    see_other(&location, cookie.as_deref())
}

fn set_cookie(response: &mut Response, id: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("sid={id}; Path=/; HttpOnly; SameSite=Lax")) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn see_other(location: &str, cookie: Option<&str>) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    if let Some(id) = cookie {
        set_cookie(&mut r, id);
    }
    r
}

fn json_response(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// The file a path names: itself, `<path>.html`, `<path>/index.html`, or the SPA fallback.
fn find_file(site: &SiteState, path: &str) -> Option<(String, Vec<u8>)> {
    let clean = path.trim_matches('/');
    let last = clean.rsplit('/').next().unwrap_or("");
    // A sibling's directory is its own site, on its own origin.
    let in_sibling = site
        .spec
        .sibling
        .iter()
        .any(|s| clean == s.dir || clean.starts_with(&format!("{}/", s.dir)));
    if last == "site.toml" || last.starts_with('_') || in_sibling {
        return None;
    }
    let mut tries = Vec::new();
    if clean.is_empty() {
        tries.push("index.html".to_string());
    } else {
        tries.push(clean.to_string());
        tries.push(format!("{clean}.html"));
        tries.push(format!("{clean}/index.html"));
    }
    for t in tries {
        if let Some(bytes) = site.source.read(&site.source.prefixed(&t)) {
            return Some((t, bytes));
        }
    }
    let has_extension = clean
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    match &site.spec.spa_fallback {
        Some(fallback) if !has_extension => site
            .source
            .read(&site.source.prefixed(fallback))
            .map(|b| (fallback.clone(), b)),
        _ => None,
    }
}

fn not_found(site: &SiteState, fill: &Fill) -> Response {
    match site.source.read(&site.source.prefixed("404.html")) {
        Some(bytes) => serve_file(site, "404.html", bytes, StatusCode::NOT_FOUND, fill),
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn serve_file(
    site: &SiteState,
    file: &str,
    bytes: Vec<u8>,
    status: StatusCode,
    fill: &Fill,
) -> Response {
    let ct = content_type(file);
    let templated = ["html", "htm", "css", "js", "json"]
        .iter()
        .any(|ext| file.ends_with(&format!(".{ext}")));
    let body = if templated {
        match String::from_utf8(bytes) {
            Ok(text) => expand(site, &text, fill).into_bytes(),
            Err(e) => e.into_bytes(),
        }
    } else {
        bytes
    };
    (
        status,
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}").expect("valid regex")
});

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Replaces the placeholders of SITE_FORMAT.md.
fn expand(site: &SiteState, text: &str, fill: &Fill) -> String {
    PLACEHOLDER
        .replace_all(text, |caps: &regex::Captures| {
            let key = &caps[1];
            if key == "origin" {
                return site.origin.clone();
            }
            if key == "error" {
                return escape_html(fill.error.unwrap_or(""));
            }
            if let (Some(seq), "seq") = (fill.seq, key) {
                return seq.to_string();
            }
            if let Some(field) = key.strip_prefix("error.") {
                return escape_html(
                    fill.errors
                        .and_then(|e| e.get(field))
                        .map_or("", String::as_str),
                );
            }
            if let Some(name) = key.strip_prefix("origin.") {
                return site
                    .shared
                    .origins
                    .read()
                    .ok()
                    .and_then(|o| o.get(name).cloned())
                    .unwrap_or_default();
            }
            if let Some(field) = key.strip_prefix("session.") {
                return escape_html(
                    fill.session
                        .and_then(|s| s.get(field))
                        .map_or("", String::as_str),
                );
            }
            if let Some(field) = key.strip_prefix("form.") {
                return escape_html(
                    fill.form
                        .and_then(|s| s.get(field))
                        .map_or("", String::as_str),
                );
            }
            caps[0].to_string()
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"
name = "Sample"

[[form]]
action = "/api/projects"
json = true
required = ["title"]
redirect = "/projects/{{seq}}/data"

[[form]]
action = "/sites"
page = "/sites/new"
required = ["title", "subdomain", "theme"]
redirect = "/sites/{{seq}}"
[form.messages]
title = "This field is required."
subdomain = "This field is required."
"#;

    const NEW_SITE: &str = r#"<p class="top">{{error}}</p>
<input name="title"><span>{{error.title}}</span>
<input name="subdomain"><span>{{error.subdomain}}</span>
<input name="theme"><span>{{error.theme}}</span>"#;

    fn sample() -> (tempfile::TempDir, ProductServer) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("site.toml"), SITE).expect("site.toml");
        std::fs::create_dir(dir.path().join("sites")).expect("sites/");
        std::fs::write(dir.path().join("sites/new.html"), NEW_SITE).expect("new.html");
        let server = ProductServer::serve_dir(dir.path()).expect("the sample serves");
        (dir, server)
    }

    /// Posts `body` (JSON when `json`) and returns (status, Location header, body text).
    fn post(url: &str, body: &str, json: bool) -> (u16, String, String) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let content_type = if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            let r = client
                .post(url)
                .header(header::CONTENT_TYPE, content_type)
                .body(body.to_string())
                .send()
                .await
                .expect("the sample answers");
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            (status, location, r.text().await.expect("a body"))
        })
    }

    #[test]
    fn accepted_posts_hold_what_the_server_took_and_seq_counts_them_per_form() {
        let (_dir, site) = sample();
        let api = format!("{}/api/projects", site.url());
        let refused = post(&api, r#"{"title": ""}"#, true);
        assert_eq!(refused.0, 422);
        let first = post(
            &api,
            r#"{"title": "New Project #1", "public": false}"#,
            true,
        );
        let second = post(&api, r#"{"title": "Invoices", "public": true}"#, true);
        assert_eq!(
            first.2, r#"{"ok":true,"redirect":"/projects/1/data"}"#,
            "{first:?}"
        );
        assert_eq!(
            second.2, r#"{"ok":true,"redirect":"/projects/2/data"}"#,
            "{second:?}"
        );
        let fields = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            site.accepted_posts(),
            vec![
                AcceptedPost {
                    path: "/api/projects".into(),
                    fields: fields(&[("title", "New Project #1")]),
                },
                AcceptedPost {
                    path: "/api/projects".into(),
                    fields: fields(&[("title", "Invoices"), ("public", "on")]),
                },
            ]
        );
        let (status, location, _) = post(
            &format!("{}/sites", site.url()),
            "title=Blog&subdomain=blog&theme=dark",
            false,
        );
        assert_eq!((status, location.as_str()), (303, "/sites/1"));
    }

    #[test]
    fn a_refused_post_names_every_failing_field() {
        let (_dir, site) = sample();
        let (status, _, page) = post(&format!("{}/sites", site.url()), "theme=dark", false);
        assert_eq!(status, 422);
        assert_eq!(
            page,
            r#"<p class="top">This field is required.</p>
<input name="title"><span>This field is required.</span>
<input name="subdomain"><span>This field is required.</span>
<input name="theme"><span></span>"#
        );
        let (_, _, json) = post(&format!("{}/api/projects", site.url()), "{}", true);
        let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            json,
            serde_json::json!({"ok": false, "error": "Please fill in title.", "field": "title",
                "errors": {"title": "Please fill in title."}})
        );
        assert_eq!(site.accepted_posts(), Vec::new());
    }
}
