//! The settle-wait: one definition of "the page has finished reacting", used after every
//! navigation and every action.
//!
//! Chromium's own signals are not enough: the load event waits for every slow analytics
//! script, and nothing at all waits for client-side rendering. So a [`PageActivity`] is fed
//! the tab's DevTools events (requests, document loads, DOM mutations reported by an
//! injected observer) and [`PageActivity::wait_settled`] blocks on a condition variable until
//!
//! - the main document has reached DOMContentLoaded (so parser-blocking scripts ran),
//! - no request to the product's own site is waiting for its answer: a request whose
//!   response headers have arrived no longer counts, whether or not the page reads its
//!   body (streams, unread fetches); form posts and documents are waited for until they
//!   answer; a GET that is a long-poll or push channel (see [`long_poll_words`] and
//!   `checks/signals/settle.toml`) never holds the wait, and one without such words is
//!   taken for a long-poll once it has stayed open [`SettlePolicy::poll_grace`] with
//!   nothing else going on and no loading indicator showing; anything else open longer
//!   than [`SettlePolicy::long_request`] is given up on,
//! - at most [`SettlePolicy::third_party_inflight`] young third-party requests are in
//!   flight — like Puppeteer's networkidle2, a slow analytics or chat host cannot hold the
//!   wait hostage, while every host requested is still recorded,
//! - the network has been quiet for [`SettlePolicy::network_quiet`] and the DOM for
//!   [`SettlePolicy::dom_quiet`] (a page that animates its DOM forever is accepted once the
//!   network has been quiet for [`SettlePolicy::dom_patience`]),
//! - no loading indicator is showing (`aria-busy="true"`, skeletons, spinners), for at
//!   most [`SettlePolicy::busy_patience`] after the network went quiet: apps that keep a
//!   skeleton up on a timer would otherwise be read half-drawn,
//!
//! or the step timeout passes. It is cut short when the audit must stop (a signal, the
//! `--max-time` budget), when the renderer crashed or the page was left for a dialog loop,
//! and when the page has navigated by itself more than [`SettlePolicy::navigation_budget`]
//! times (a redirect or refresh loop). There are no sleeps: the waiter wakes on events or
//! at the exact instant a quiet window can have elapsed.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::artifacts::{RequestRecord, SettleTreatment};
use crate::stop::{Stop, Wake};

/// Timing constants of the settle-wait.
#[derive(Debug, Clone, Copy)]
pub struct SettlePolicy {
    /// How long no first-party request may start or finish before the network counts as quiet.
    pub network_quiet: Duration,
    /// How long the DOM must go without content changes.
    pub dom_quiet: Duration,
    /// Once the network has been quiet this long, ongoing DOM changes (carousels,
    /// tickers) no longer hold the wait.
    pub dom_patience: Duration,
    /// Third-party requests tolerated in flight (networkidle2 allows two).
    pub third_party_inflight: usize,
    /// A third-party request older than this no longer counts at all.
    pub third_party_patience: Duration,
    /// A first-party GET or subresource open longer than this is given up on.
    pub long_request: Duration,
    /// How long a visible loading indicator may hold the wait once the network is quiet.
    pub busy_patience: Duration,
    /// A first-party GET (XHR, fetch) still unanswered after this long, while nothing else
    /// is in flight and no loading indicator shows, is taken for a long-poll.
    pub poll_grace: Duration,
    /// Navigations the page may make by itself within one wait before it is taken for a
    /// redirect or refresh loop and read as it stands.
    pub navigation_budget: u64,
}

impl Default for SettlePolicy {
    fn default() -> Self {
        SettlePolicy {
            network_quiet: Duration::from_millis(300),
            dom_quiet: Duration::from_millis(250),
            dom_patience: Duration::from_millis(2000),
            third_party_inflight: 2,
            third_party_patience: Duration::from_millis(1500),
            long_request: Duration::from_secs(5),
            busy_patience: Duration::from_secs(5),
            poll_grace: Duration::from_millis(1000),
            navigation_budget: 8,
        }
    }
}

/// Why a settle-wait ended before the page settled or the step timeout passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettleCut {
    /// The audit must stop (a signal, or the `--max-time` budget).
    Stopped,
    /// The tab's renderer crashed.
    Crashed,
    /// The page opened dialogs in a loop and was left.
    DialogLoop,
    /// The page kept navigating by itself (a redirect or refresh loop).
    NavigationLoop,
}

/// How a settle-wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub elapsed: Duration,
    /// False when the step timeout passed first (or the wait was cut short).
    pub quiet: bool,
    /// When the timeout passed first: the document was still loading, or a request to
    /// the product's own site was still open — the page never arrived, as opposed to a
    /// page that arrived and keeps animating or polling.
    pub stalled: bool,
    /// Why the wait was cut short, if it was.
    pub cut: Option<SettleCut>,
}

/// What a request is, as far as waiting for it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A document (page or frame): waited for until it answers.
    Document,
    /// A POST, PUT, PATCH or DELETE: the user's data on its way; waited for until it answers.
    Mutation,
    /// A GET from script (XHR, fetch, EventSource): data the screen may wait on, or a
    /// long-poll.
    Query,
    /// Scripts, styles, images, fonts.
    Subresource,
}

impl Kind {
    fn of(resource: &str, method: &str) -> Kind {
        let mutation = matches!(
            method.to_ascii_uppercase().as_str(),
            "POST" | "PUT" | "PATCH" | "DELETE"
        );
        if resource == "Document" {
            Kind::Document
        } else if mutation {
            Kind::Mutation
        } else if matches!(resource, "XHR" | "Fetch" | "EventSource" | "Other") {
            Kind::Query
        } else {
            Kind::Subresource
        }
    }
}

#[derive(Debug)]
struct Inflight {
    first_party: bool,
    since: Instant,
    record: usize,
    kind: Kind,
    /// Its response headers arrived; only the body is still coming (or never read).
    answered: bool,
    /// Taken for a long-poll (by its address, or after waiting for it made no sense).
    long_poll: bool,
    /// Host and path, to recognise the next round of the same long-poll.
    path: String,
}

/// The status of the main document's latest response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentResponse {
    pub url: String,
    pub status: u16,
    pub mime_type: String,
}

/// A first-party answer with an error status to what the user just did: a form post, or
/// the page it led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAnswer {
    pub method: String,
    pub url: String,
    pub status: u16,
}

impl std::fmt::Display for FailedAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server answered HTTP {}{} to {} {}",
            self.status,
            reason_phrase(self.status).map_or(String::new(), |r| format!(" ({r})")),
            self.method,
            self.url
        )
    }
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

#[derive(Debug)]
struct State {
    inflight: HashMap<String, Inflight>,
    last_network: Instant,
    last_mutation: Instant,
    /// A loading indicator is visible.
    busy: bool,
    document_loading: bool,
    document: Option<DocumentResponse>,
    main_frame: Option<String>,
    requests: Vec<RequestRecord>,
    /// The method of each recorded request (parallel to `requests`).
    methods: Vec<String>,
    /// Bumped on every new main document; lets callers see that a navigation happened.
    documents: u64,
    /// Windows the page asked to open since they were last taken.
    opened_windows: Vec<OpenedWindow>,
    /// Host and path of requests found to be long-polls: their next rounds never hold.
    poll_paths: HashSet<String>,
    /// Index into `requests` of the first request made after the latest action.
    action_mark: usize,
    /// Where the action being dispatched begins, set before it is dispatched: a page can
    /// send the request an action sets off before the call that dispatched it returns.
    starting_mark: Option<usize>,
    /// Dialogs opened since the latest visit or action.
    dialogs: usize,
    /// Set by events that end every wait until the next visit (a crash, a dialog loop).
    cut: Option<SettleCut>,
}

/// A window the page asked to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedWindow {
    pub url: String,
    /// Opened in answer to a click or key press (a user gesture), not by the page on its own.
    pub by_user: bool,
}

/// Live activity of one tab, fed by its DevTools events.
pub struct PageActivity {
    state: Mutex<State>,
    changed: Condvar,
    is_first_party: Box<dyn Fn(&str) -> bool + Send + Sync>,
    stop: Mutex<Stop>,
}

/// Requests kept per page visit, so an endless beacon loop cannot eat memory.
const MAX_RECORDED_REQUESTS: usize = 2000;
/// Windows remembered between two takes.
const MAX_OPENED_WINDOWS: usize = 100;

impl Wake for PageActivity {
    fn wake(&self) {
        // Taking the lock orders this wake after a waiter's last look at its condition.
        let state = self.lock();
        self.touch(state);
    }
}

impl PageActivity {
    /// `is_first_party` tells whether a host belongs to the audited product.
    pub fn new(is_first_party: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        let now = Instant::now();
        PageActivity {
            state: Mutex::new(State {
                inflight: HashMap::new(),
                last_network: now,
                last_mutation: now,
                busy: false,
                document_loading: false,
                document: None,
                main_frame: None,
                requests: Vec::new(),
                methods: Vec::new(),
                documents: 0,
                opened_windows: Vec::new(),
                poll_paths: HashSet::new(),
                action_mark: 0,
                starting_mark: None,
                dialogs: 0,
                cut: None,
            }),
            changed: Condvar::new(),
            is_first_party: Box::new(is_first_party),
            stop: Mutex::new(Stop::on_signals()),
        }
    }

    /// Waits end when `stop` says so (a signal wakes them through [`Wake`]).
    pub fn set_stop(&self, stop: Stop) {
        if let Ok(mut s) = self.stop.lock() {
            *s = stop;
        }
    }

    fn stop(&self) -> Stop {
        self.stop.lock().map(|s| *s).unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn touch(&self, state: MutexGuard<'_, State>) {
        drop(state);
        self.changed.notify_all();
    }

    /// The URL of a request to the product's own site still in flight, a document first:
    /// what a page that never arrives is waiting for.
    pub fn pending_url(&self) -> Option<String> {
        let state = self.lock();
        let mut open: Vec<&RequestRecord> = state
            .inflight
            .values()
            .filter(|f| f.first_party && !f.answered && !f.long_poll)
            .filter_map(|f| state.requests.get(f.record))
            .collect();
        open.sort_by_key(|r| r.resource != "Document");
        open.first().map(|r| r.url.clone())
    }

    /// A request is about to go out (`resource` is Chromium's resource type, `method` the
    /// HTTP method).
    pub fn request_started(
        &self,
        id: &str,
        url: &str,
        resource: &str,
        method: &str,
        frame: Option<&str>,
    ) {
        let Some(host) = http_host(url) else { return };
        let first_party = (self.is_first_party)(&host);
        let now = Instant::now();
        let kind = Kind::of(resource, method);
        let path = request_path(url);
        let mut state = self.lock();
        if resource == "Document" && frame_is_main(&state, frame) {
            state.document_loading = true;
        }
        let long_poll = first_party
            && kind == Kind::Query
            && (state.poll_paths.contains(&path) || long_poll_words().matches(url));
        // A redirect reuses the request id: keep one record, pointing at the latest URL.
        let record = match state.inflight.get(id) {
            Some(existing) => {
                let index = existing.record;
                if let Some(r) = state.requests.get_mut(index) {
                    r.url = url.to_string();
                    r.host = host.clone();
                }
                index
            }
            None => {
                if state.requests.len() < MAX_RECORDED_REQUESTS {
                    state.requests.push(RequestRecord {
                        url: url.to_string(),
                        host: host.clone(),
                        resource: resource.to_string(),
                        status: None,
                        failure: None,
                        first_party,
                        settle: long_poll.then_some(SettleTreatment::LongPoll),
                    });
                    state.methods.push(method.to_ascii_uppercase());
                    state.requests.len() - 1
                } else {
                    usize::MAX
                }
            }
        };
        state.inflight.insert(
            id.to_string(),
            Inflight {
                first_party,
                since: now,
                record,
                kind,
                answered: false,
                long_poll,
                path,
            },
        );
        // A long-poll's next round is no sign of the page still working.
        if first_party && !long_poll {
            state.last_network = now;
        }
        self.touch(state);
    }

    /// A response arrived (headers only; the body may still be loading). The request no
    /// longer holds the wait. The status of every request is recorded; a main-frame
    /// document's is kept as the page's.
    pub fn response_received(
        &self,
        id: &str,
        response: DocumentResponse,
        resource: &str,
        frame: Option<&str>,
    ) {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(f) = state.inflight.get_mut(id) {
            f.answered = true;
            let (record, first_party, long_poll) = (f.record, f.first_party, f.long_poll);
            if let Some(r) = state.requests.get_mut(record) {
                r.status = Some(response.status);
            }
            // The page reacts to what arrived: give it a quiet window to do so.
            if first_party && !long_poll {
                state.last_network = now;
            }
        }
        if resource == "Document" && frame_is_main(&state, frame) {
            state.document = Some(response);
        }
        self.touch(state);
    }

    /// A request finished (`failure` is Chromium's error text when it failed).
    pub fn request_finished(&self, id: &str, failure: Option<&str>) {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(done) = state.inflight.remove(id) {
            if let Some(r) = state.requests.get_mut(done.record) {
                r.failure = failure.map(str::to_string);
            }
            if done.long_poll {
                // Its next round is recognised at once.
                state.poll_paths.insert(done.path);
            } else if done.first_party {
                state.last_network = now;
            }
        }
        self.touch(state);
    }

    /// A frame navigated; a frame without a parent is the main frame.
    pub fn frame_navigated(&self, frame_id: &str, has_parent: bool) {
        if has_parent {
            return;
        }
        let mut state = self.lock();
        state.main_frame = Some(frame_id.to_string());
        state.documents += 1;
        state.last_network = Instant::now();
        self.touch(state);
    }

    /// The main frame started loading a new document.
    pub fn frame_started_loading(&self, frame_id: &str) {
        let mut state = self.lock();
        if frame_is_main(&state, Some(frame_id)) {
            state.document_loading = true;
            state.last_network = Instant::now();
        }
        self.touch(state);
    }

    /// The main frame stopped loading (also after a download or an aborted navigation).
    pub fn frame_stopped_loading(&self, frame_id: &str) {
        let mut state = self.lock();
        if frame_is_main(&state, Some(frame_id)) {
            state.document_loading = false;
        }
        self.touch(state);
    }

    /// A navigation is about to be started by us: hold the wait until its document
    /// loads, even before the browser's first event about it arrives.
    pub fn expect_document(&self) {
        let mut state = self.lock();
        state.document_loading = true;
        self.touch(state);
    }

    /// The user just acted (clicked, submitted). Whatever the action sets off — a
    /// navigation, a fetch, a re-render — starts a moment later, so the quiet windows
    /// are measured from now: the wait cannot end before the page had time to react.
    pub fn action_taken(&self) {
        let now = Instant::now();
        let mut state = self.lock();
        state.last_network = now;
        state.last_mutation = now;
        state.action_mark = state.starting_mark.take().unwrap_or(state.requests.len());
        state.dialogs = 0;
        self.touch(state);
    }

    /// An action is about to be dispatched: the requests from now on answer it, even those
    /// the page sends before [`PageActivity::action_taken`] is called.
    pub fn action_starting(&self) {
        let mut state = self.lock();
        state.starting_mark = Some(state.requests.len());
    }

    /// The main document reached DOMContentLoaded.
    pub fn dom_content_loaded(&self) {
        let mut state = self.lock();
        state.document_loading = false;
        self.touch(state);
    }

    /// The injected observer saw the DOM change: its content (`content`), and whether a
    /// loading indicator is now visible (`busy`).
    pub fn dom_changed(&self, content: bool, busy: bool) {
        let mut state = self.lock();
        if content {
            state.last_mutation = Instant::now();
        }
        state.busy = busy;
        self.touch(state);
    }

    /// The page asked for a new window showing `url`; `by_user` when a click or key press
    /// opened it.
    pub fn window_opened(&self, url: &str, by_user: bool) {
        let mut state = self.lock();
        if state.opened_windows.len() < MAX_OPENED_WINDOWS {
            state.opened_windows.push(OpenedWindow {
                url: url.to_string(),
                by_user,
            });
        }
        self.touch(state);
    }

    /// Windows opened since the last call.
    pub fn take_opened_windows(&self) -> Vec<OpenedWindow> {
        std::mem::take(&mut self.lock().opened_windows)
    }

    /// Whether windows were opened since they were last taken.
    pub fn has_opened_windows(&self) -> bool {
        !self.lock().opened_windows.is_empty()
    }

    /// A JavaScript dialog opened; returns how many have opened since the latest visit
    /// or action.
    pub fn dialog_opened(&self) -> usize {
        let mut state = self.lock();
        state.dialogs += 1;
        state.dialogs
    }

    /// Ends the current and every later wait until the next visit (the renderer crashed,
    /// the page was left for a dialog loop).
    pub fn cut(&self, why: SettleCut) {
        let mut state = self.lock();
        state.cut.get_or_insert(why);
        self.touch(state);
    }

    /// Starts a fresh record for the next page visit (requests, document status).
    pub fn begin_visit(&self) {
        let mut state = self.lock();
        state.requests.clear();
        state.methods.clear();
        // In-flight entries keep pointing into the old list: rebase them as untracked.
        for f in state.inflight.values_mut() {
            f.record = usize::MAX;
        }
        state.document = None;
        state.action_mark = 0;
        state.starting_mark = None;
        state.dialogs = 0;
        state.cut = None;
    }

    /// Requests recorded since [`PageActivity::begin_visit`].
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// First-party answers with an error status (4xx, 5xx) since the latest action, to a
    /// form post or to a document: what a submission came to when the server refused it
    /// or broke. Data the page fetched on its own (a 401 from "who am I?") is left out.
    pub fn failed_answers_since_action(&self) -> Vec<FailedAnswer> {
        let state = self.lock();
        let from = state.action_mark.min(state.requests.len());
        state.requests[from..]
            .iter()
            .zip(&state.methods[from..])
            .filter(|(r, method)| {
                r.first_party
                    && r.status.is_some_and(|s| s >= 400)
                    && (r.resource == "Document" || Kind::of(&r.resource, method) == Kind::Mutation)
            })
            .map(|(r, method)| FailedAnswer {
                method: method.clone(),
                url: r.url.clone(),
                status: r.status.unwrap_or_default(),
            })
            .collect()
    }

    /// The main document's latest response, if one arrived since the visit began.
    pub fn document(&self) -> Option<DocumentResponse> {
        self.lock().document.clone()
    }

    /// Whether a document request (page or frame) is still open, its body still coming:
    /// a page that has not fully arrived, as opposed to one whose script is busy.
    pub fn document_in_flight(&self) -> bool {
        self.lock()
            .inflight
            .values()
            .any(|f| f.kind == Kind::Document)
    }

    /// How many main documents have been loaded so far.
    pub fn documents(&self) -> u64 {
        self.lock().documents
    }

    /// Blocks until the page has settled (see the module doc) or `timeout` passes.
    pub fn wait_settled(&self, policy: &SettlePolicy, timeout: Duration) -> Settled {
        let stop = self.stop();
        let start = Instant::now();
        let mut deadline = start + timeout;
        if let Some(budget_ends) = stop.deadline() {
            deadline = deadline.min(budget_ends);
        }
        let mut state = self.lock();
        let documents_at_start = state.documents;
        let cut = |why: SettleCut, now: Instant| Settled {
            elapsed: now - start,
            quiet: false,
            stalled: false,
            cut: Some(why),
        };
        loop {
            let now = Instant::now();
            if stop.reason().is_some() {
                return cut(SettleCut::Stopped, now);
            }
            if let Some(why) = state.cut {
                return cut(why, now);
            }
            if state.documents.saturating_sub(documents_at_start) > policy.navigation_budget {
                return cut(SettleCut::NavigationLoop, now);
            }
            let wake_at = match next_check(&state, policy, now) {
                None => {
                    record_treatments(&mut state, policy, now, true);
                    return Settled {
                        elapsed: now - start,
                        quiet: true,
                        stalled: false,
                        cut: None,
                    };
                }
                Some(at) => at,
            };
            if now >= deadline {
                let first_party_open = state.inflight.values().any(|f| {
                    f.first_party
                        && !f.answered
                        && !f.long_poll
                        && (matches!(f.kind, Kind::Document | Kind::Mutation)
                            || now.saturating_duration_since(f.since) < policy.long_request)
                });
                record_treatments(&mut state, policy, now, false);
                return Settled {
                    elapsed: now - start,
                    quiet: false,
                    stalled: state.document_loading || first_party_open,
                    cut: None,
                };
            }
            let wait = wake_at.min(deadline).saturating_duration_since(now);
            // At least a millisecond, so a condition that flips exactly at `now` is re-read.
            let wait = wait.max(Duration::from_millis(1));
            state = match self.changed.wait_timeout(state, wait) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

fn frame_is_main(state: &State, frame: Option<&str>) -> bool {
    match (&state.main_frame, frame) {
        (Some(main), Some(frame)) => main == frame,
        // Before the first navigation we do not know the main frame yet: assume it is.
        _ => true,
    }
}

/// Whether an open first-party GET may still be data the screen waits on (so it holds
/// the wait), or must now be taken for a long-poll: open `poll_grace` with no loading
/// indicator showing — everything else having gone quiet is checked by the caller.
fn query_holds(
    f: &Inflight,
    state: &State,
    policy: &SettlePolicy,
    now: Instant,
) -> Option<Instant> {
    let age = now.saturating_duration_since(f.since);
    if age >= policy.long_request {
        return None;
    }
    if age < policy.poll_grace {
        return Some(f.since + policy.poll_grace);
    }
    // A spinner or skeleton says the screen is waiting for it.
    state.busy.then_some(f.since + policy.long_request)
}

/// None when the page is settled; otherwise the instant at which it could next be.
/// Events wake the waiter earlier.
fn next_check(state: &State, policy: &SettlePolicy, now: Instant) -> Option<Instant> {
    // Far enough to mean "only an event can change this".
    let on_event = now + Duration::from_secs(3600);
    if state.document_loading {
        return Some(on_event);
    }
    let mut wake = None::<Instant>;
    let mut earliest = |at: Instant| {
        wake = Some(wake.map_or(at, |w: Instant| w.min(at)));
    };

    let mut busy = false;
    let mut third_party = Vec::new();
    let mut queries = Vec::new();
    for f in state.inflight.values() {
        if f.answered || f.long_poll {
            continue;
        }
        let age = now.saturating_duration_since(f.since);
        if !f.first_party {
            if age < policy.third_party_patience {
                third_party.push(f.since + policy.third_party_patience);
            }
            continue;
        }
        match f.kind {
            // The user's data, or the page itself: worth the whole step timeout.
            Kind::Document | Kind::Mutation => {
                busy = true;
                earliest(on_event);
            }
            Kind::Subresource => {
                if age < policy.long_request {
                    busy = true;
                    earliest(f.since + policy.long_request);
                }
            }
            Kind::Query => queries.push(f),
        }
    }
    if third_party.len() > policy.third_party_inflight {
        busy = true;
        // The wait eases when enough of them have aged out.
        third_party.sort();
        earliest(third_party[third_party.len() - policy.third_party_inflight - 1]);
    }
    // Queries are judged only once nothing else holds the wait: a long-poll is what is
    // left open when the rest of the page has finished.
    if !busy {
        for f in queries {
            if let Some(at) = query_holds(f, state, policy, now) {
                busy = true;
                earliest(at);
            }
        }
    }
    if busy {
        return wake;
    }

    let network_quiet_at = state.last_network + policy.network_quiet;
    if now < network_quiet_at {
        return Some(network_quiet_at);
    }
    let dom_quiet_at = state.last_mutation + policy.dom_quiet;
    let dom_given_up_at = state.last_network + policy.dom_patience;
    if now < dom_quiet_at && now < dom_given_up_at {
        return Some(dom_quiet_at.min(dom_given_up_at));
    }
    let busy_given_up_at = state.last_network + policy.busy_patience;
    if state.busy && now < busy_given_up_at {
        return Some(busy_given_up_at);
    }
    None
}

/// Notes on the record of each first-party request still open when a wait ended why it
/// was not waited for. When the page `settled`, a query still open was taken for a
/// long-poll, and its address is remembered as one.
fn record_treatments(state: &mut State, policy: &SettlePolicy, now: Instant, settled: bool) {
    let mut polls = Vec::new();
    let mut notes = Vec::new();
    for f in state.inflight.values_mut() {
        if !f.first_party {
            continue;
        }
        let age = now.saturating_duration_since(f.since);
        let treatment = if f.answered {
            SettleTreatment::HeadersOnly
        } else if f.long_poll {
            SettleTreatment::LongPoll
        } else if settled && f.kind == Kind::Query && age >= policy.poll_grace {
            f.long_poll = true;
            polls.push(f.path.clone());
            SettleTreatment::LongPoll
        } else if f.kind == Kind::Subresource && age >= policy.long_request {
            SettleTreatment::TooSlow
        } else {
            continue;
        };
        notes.push((f.record, treatment));
    }
    for (record, treatment) in notes {
        if let Some(r) = state.requests.get_mut(record) {
            r.settle.get_or_insert(treatment);
        }
    }
    state.poll_paths.extend(polls);
}

/// The host of an http(s) URL; None for data:, blob: and other schemes that never hit the network.
pub fn http_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.scheme() {
        "http" | "https" => parsed.host_str().map(str::to_string),
        _ => None,
    }
}

/// Host and path of a URL (no query): the same long-poll's rounds share it.
fn request_path(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}{}", u.host_str().unwrap_or(""), u.path()),
        Err(_) => url.split(['?', '#']).next().unwrap_or(url).to_string(),
    }
}

/// The words that mark a request as a long-poll (`checks/signals/settle.toml`).
#[derive(Debug, Deserialize)]
pub struct LongPollWords {
    path_words: Vec<String>,
    query_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct SettleSignals {
    long_poll: LongPollWords,
}

impl LongPollWords {
    /// Whether `url`'s path or query names a long-poll, a push channel or a stream.
    pub fn matches(&self, url: &str) -> bool {
        let Ok(u) = url::Url::parse(url) else {
            return false;
        };
        let path = u.path().to_ascii_lowercase();
        let segment_says = path.split('/').filter(|s| !s.is_empty()).any(|segment| {
            self.path_words.iter().any(|w| w == segment)
                || segment
                    .split(['-', '_', '.'])
                    .any(|part| self.path_words.iter().any(|w| w == part))
        });
        segment_says
            || u.query_pairs().any(|(k, v)| {
                let k = k.to_ascii_lowercase();
                self.query_keys.contains(&k)
                    && (k != "transport" || v.eq_ignore_ascii_case("polling"))
            })
    }
}

/// The long-poll words, parsed once from the embedded data file.
pub fn long_poll_words() -> &'static LongPollWords {
    static WORDS: LazyLock<LongPollWords> = LazyLock::new(|| {
        let signals: SettleSignals =
            toml::from_str(include_str!("../../checks/signals/settle.toml"))
                .expect("checks/signals/settle.toml is valid (checked by a unit test)");
        signals.long_poll
    });
    &WORDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    fn fast_policy() -> SettlePolicy {
        SettlePolicy {
            network_quiet: Duration::from_millis(40),
            dom_quiet: Duration::from_millis(30),
            dom_patience: Duration::from_millis(200),
            third_party_inflight: 2,
            third_party_patience: Duration::from_millis(150),
            long_request: Duration::from_millis(400),
            busy_patience: Duration::from_millis(600),
            poll_grace: Duration::from_millis(120),
            navigation_budget: 3,
        }
    }

    fn activity() -> Arc<PageActivity> {
        Arc::new(PageActivity::new(|host| host == "app.test"))
    }

    #[test]
    fn an_idle_page_settles_after_the_quiet_windows() {
        let a = activity();
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        assert!(s.elapsed >= Duration::from_millis(30));
        assert!(s.elapsed < Duration::from_secs(1));
    }

    #[test]
    fn a_first_party_request_in_flight_holds_the_wait_until_it_finishes() {
        let a = activity();
        a.request_started("1", "http://app.test/api/plans", "Fetch", "GET", None);
        let a2 = a.clone();
        let finisher = thread::spawn(move || {
            let s = a2.wait_settled(&fast_policy(), Duration::from_millis(100));
            a2.request_finished("1", None);
            s
        });
        let early = finisher.join().unwrap();
        assert!(!early.quiet, "must not settle while the request is open");
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
    }

    #[test]
    fn two_slow_third_party_requests_do_not_hold_the_wait() {
        let a = activity();
        a.request_started(
            "1",
            "https://cdn.analytics.example/a.js",
            "Script",
            "GET",
            None,
        );
        a.request_started(
            "2",
            "https://widget.chat.example/w.js",
            "Script",
            "GET",
            None,
        );
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        assert!(s.elapsed < Duration::from_millis(150), "{s:?}");
    }

    #[test]
    fn many_third_party_requests_hold_the_wait_only_until_their_patience_runs_out() {
        let a = activity();
        for i in 0..5 {
            a.request_started(
                &i.to_string(),
                "https://tracker.example/p.gif",
                "Image",
                "GET",
                None,
            );
        }
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        assert!(s.elapsed >= Duration::from_millis(140), "{s:?}");
        assert!(s.elapsed < Duration::from_secs(1), "{s:?}");
    }

    #[test]
    fn a_loading_document_holds_the_wait_until_dom_content_loaded() {
        let a = activity();
        a.frame_navigated("main", false);
        a.frame_started_loading("main");
        let s = a.wait_settled(&fast_policy(), Duration::from_millis(120));
        assert!(!s.quiet);
        a.dom_content_loaded();
        assert!(a.wait_settled(&fast_policy(), Duration::from_secs(2)).quiet);
    }

    #[test]
    fn endless_dom_changes_are_accepted_once_the_network_has_been_quiet_long_enough() {
        let a = activity();
        let a2 = a.clone();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let animator = thread::spawn(move || {
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                a2.dom_changed(true, false);
                // The test's stand-in for an animation frame.
                std::thread::park_timeout(Duration::from_millis(5));
            }
        });
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        animator.join().unwrap();
        assert!(s.quiet);
        assert!(s.elapsed >= Duration::from_millis(150), "{s:?}");
    }

    #[test]
    fn after_an_action_the_wait_lasts_at_least_the_quiet_window() {
        let a = activity();
        // Long idle before the click: without the mark the wait would end at once,
        // before the navigation the click sets off has even started.
        assert!(a.wait_settled(&fast_policy(), Duration::from_secs(1)).quiet);
        a.action_taken();
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(1));
        assert!(s.quiet);
        assert!(s.elapsed >= Duration::from_millis(35), "{s:?}");
    }

    #[test]
    fn a_visible_loading_indicator_holds_the_wait_until_it_goes() {
        let a = activity();
        a.dom_changed(true, true);
        let held = a.wait_settled(&fast_policy(), Duration::from_millis(200));
        assert!(!held.quiet, "a skeleton on screen is not a settled page");
        a.dom_changed(true, false);
        assert!(a.wait_settled(&fast_policy(), Duration::from_secs(2)).quiet);
    }

    #[test]
    fn a_loading_indicator_that_never_goes_is_given_up_on() {
        let a = activity();
        a.dom_changed(true, true);
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(3));
        assert!(s.quiet);
        assert!(s.elapsed >= Duration::from_millis(550), "{s:?}");
    }

    #[test]
    fn requests_are_recorded_with_host_status_and_failure() {
        let a = activity();
        a.request_started("1", "http://app.test/", "Document", "GET", None);
        let doc = DocumentResponse {
            url: "http://app.test/".into(),
            status: 200,
            mime_type: "text/html".into(),
        };
        a.response_received("1", doc.clone(), "Document", None);
        a.request_finished("1", None);
        a.request_started(
            "2",
            "https://www.googletagmanager.com/gtm.js",
            "Script",
            "GET",
            None,
        );
        a.request_finished("2", Some("net::ERR_NAME_NOT_RESOLVED"));
        let r = a.requests();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].status, Some(200));
        assert!(r[0].first_party);
        assert_eq!(r[1].host, "www.googletagmanager.com");
        assert!(!r[1].first_party);
        assert_eq!(r[1].failure.as_deref(), Some("net::ERR_NAME_NOT_RESOLVED"));
        assert_eq!(a.document(), Some(doc));
    }

    fn response(status: u16) -> DocumentResponse {
        DocumentResponse {
            url: "http://app.test/api".into(),
            status,
            mime_type: "application/json".into(),
        }
    }

    #[test]
    fn a_request_whose_response_arrived_no_longer_holds_the_wait_though_its_body_is_unread() {
        let a = activity();
        a.request_started("1", "http://app.test/api/session", "Fetch", "POST", None);
        a.response_received("1", response(200), "Fetch", None);
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet, "{s:?}");
        assert_eq!(a.requests()[0].settle, Some(SettleTreatment::HeadersOnly));
    }

    #[test]
    fn a_form_post_without_an_answer_holds_the_wait_to_the_timeout() {
        let a = activity();
        a.request_started("1", "http://app.test/signup", "Document", "POST", None);
        a.dom_content_loaded();
        let s = a.wait_settled(&fast_policy(), Duration::from_millis(700));
        assert!(!s.quiet);
        assert!(
            s.stalled,
            "a post never answered is a page that never arrived"
        );
    }

    #[test]
    fn a_get_named_like_a_long_poll_never_holds_the_wait() {
        let a = activity();
        a.request_started(
            "1",
            "http://app.test/api/notifications/poll?cursor=0",
            "Fetch",
            "GET",
            None,
        );
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        assert!(s.elapsed < Duration::from_millis(120), "{s:?}");
        assert_eq!(a.requests()[0].settle, Some(SettleTreatment::LongPoll));
    }

    #[test]
    fn an_unnamed_get_left_open_with_nothing_else_going_on_is_taken_for_a_long_poll() {
        let a = activity();
        a.request_started("1", "http://app.test/api/inbox", "XHR", "GET", None);
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        // Not before the grace, and well before the long-request limit.
        assert!(s.elapsed >= Duration::from_millis(110), "{s:?}");
        assert!(s.elapsed < Duration::from_millis(400), "{s:?}");
        assert_eq!(a.requests()[0].settle, Some(SettleTreatment::LongPoll));
        // Its next round is known at once.
        a.request_finished("1", None);
        a.request_started("2", "http://app.test/api/inbox", "XHR", "GET", None);
        a.action_taken();
        let again = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(again.elapsed < Duration::from_millis(110), "{again:?}");
    }

    #[test]
    fn a_get_the_screen_waits_on_with_a_spinner_is_waited_for() {
        let a = activity();
        a.dom_changed(true, true);
        a.request_started("1", "http://app.test/api/projects", "Fetch", "GET", None);
        let a2 = a.clone();
        let answer = thread::spawn(move || {
            // The data arrives after the long-poll grace; the spinner goes with it.
            let early = a2.wait_settled(&fast_policy(), Duration::from_millis(250));
            a2.request_finished("1", None);
            a2.dom_changed(true, false);
            early
        });
        let early = answer.join().unwrap();
        assert!(!early.quiet, "held while the spinner shows: {early:?}");
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert!(s.quiet);
        assert_eq!(a.requests()[0].settle, None, "it was waited for");
    }

    #[test]
    fn a_page_that_keeps_navigating_is_cut_after_its_budget() {
        let a = activity();
        let a2 = a.clone();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let started = Arc::new(std::sync::Barrier::new(2));
        let started2 = started.clone();
        let looping = thread::spawn(move || {
            started2.wait();
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                a2.frame_started_loading("main");
                a2.frame_navigated("main", false);
                a2.dom_content_loaded();
                // The test's stand-in for the next page load.
                std::thread::park_timeout(Duration::from_millis(5));
            }
        });
        started.wait();
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        looping.join().unwrap();
        assert_eq!(s.cut, Some(SettleCut::NavigationLoop), "{s:?}");
    }

    #[test]
    fn a_crash_ends_the_wait_at_once() {
        let a = activity();
        a.expect_document();
        a.cut(SettleCut::Crashed);
        let s = a.wait_settled(&fast_policy(), Duration::from_secs(2));
        assert_eq!(s.cut, Some(SettleCut::Crashed));
    }

    #[test]
    fn error_answers_to_a_post_after_the_action_are_reported_but_data_fetches_are_not() {
        let a = activity();
        a.request_started("0", "http://app.test/api/me", "Fetch", "GET", None);
        a.response_received("0", response(401), "Fetch", None);
        a.action_taken();
        a.request_started("1", "http://app.test/api/me", "Fetch", "GET", None);
        a.response_received("1", response(401), "Fetch", None);
        a.request_started("2", "http://app.test/api/signup", "Fetch", "POST", None);
        a.response_received("2", response(500), "Fetch", None);
        let failed = a.failed_answers_since_action();
        assert_eq!(
            failed,
            vec![FailedAnswer {
                method: "POST".into(),
                url: "http://app.test/api/signup".into(),
                status: 500,
            }]
        );
        assert_eq!(
            failed[0].to_string(),
            "the server answered HTTP 500 (Internal Server Error) to POST http://app.test/api/signup"
        );
    }

    #[test]
    fn a_post_sent_while_the_action_is_being_dispatched_answers_that_action() {
        let a = activity();
        a.request_started("0", "http://app.test/api/me", "Fetch", "GET", None);
        a.action_starting();
        // The click's handler posts before the click's own call has returned.
        a.request_started("1", "http://app.test/signup", "Document", "POST", None);
        a.response_received("1", response(422), "Document", None);
        a.action_taken();
        assert_eq!(
            a.failed_answers_since_action(),
            vec![FailedAnswer {
                method: "POST".into(),
                url: "http://app.test/signup".into(),
                status: 422,
            }]
        );
    }

    #[test]
    fn long_poll_words_come_from_the_data_file() {
        let words = long_poll_words();
        assert!(words.matches("https://app.test/api/notifications/long-poll"));
        assert!(words.matches("https://app.test/socket.io/?EIO=4&transport=polling"));
        assert!(words.matches("https://app.test/api/updates?timeout=30"));
        assert!(!words.matches("https://app.test/api/projects?page=2"));
        assert!(!words.matches("https://app.test/api/chat?transport=websocket"));
    }
}
