//! The settle-wait: one definition of "the page has finished reacting", used after every
//! navigation and every action.
//!
//! Chromium's own signals are not enough: the load event waits for every slow analytics
//! script, and nothing at all waits for client-side rendering. So a [`PageActivity`] is fed
//! the tab's DevTools events (requests, document loads, DOM mutations reported by an
//! injected observer) and [`PageActivity::wait_settled`] blocks on a condition variable until
//!
//! - the main document has reached DOMContentLoaded (so parser-blocking scripts ran),
//! - no request to the product's own site is in flight (long-lived ones such as
//!   event streams are ignored after [`SettlePolicy::long_request`]),
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
//! or the step timeout passes. There are no sleeps: the waiter wakes on events or at the
//! exact instant a quiet window can have elapsed.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::artifacts::RequestRecord;

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
    /// A first-party request open longer than this is taken for a long poll or stream.
    pub long_request: Duration,
    /// How long a visible loading indicator may hold the wait once the network is quiet.
    pub busy_patience: Duration,
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
        }
    }
}

/// How a settle-wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub elapsed: Duration,
    /// False when the step timeout passed first.
    pub quiet: bool,
    /// When the timeout passed first: the document was still loading, or a request to
    /// the product's own site was still open — the page never arrived, as opposed to a
    /// page that arrived and keeps animating or polling.
    pub stalled: bool,
}

#[derive(Debug)]
struct Inflight {
    first_party: bool,
    since: Instant,
    record: usize,
}

/// The status of the main document's latest response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentResponse {
    pub url: String,
    pub status: u16,
    pub mime_type: String,
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
    /// Bumped on every new main document; lets callers see that a navigation happened.
    documents: u64,
    /// URLs of windows the page asked to open (window.open, target=_blank).
    opened_windows: Vec<String>,
}

/// Live activity of one tab, fed by its DevTools events.
pub struct PageActivity {
    state: Mutex<State>,
    changed: Condvar,
    is_first_party: Box<dyn Fn(&str) -> bool + Send + Sync>,
}

/// Requests kept per page visit, so an endless beacon loop cannot eat memory.
const MAX_RECORDED_REQUESTS: usize = 2000;

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
                documents: 0,
                opened_windows: Vec::new(),
            }),
            changed: Condvar::new(),
            is_first_party: Box::new(is_first_party),
        }
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

    /// A request is about to go out (`resource` is Chromium's resource type).
    /// The URL of a request to the product's own site still in flight, a document first:
    /// what a page that never arrives is waiting for.
    pub fn pending_url(&self) -> Option<String> {
        let state = self.lock();
        let mut open: Vec<&RequestRecord> = state
            .inflight
            .values()
            .filter(|f| f.first_party)
            .filter_map(|f| state.requests.get(f.record))
            .collect();
        open.sort_by_key(|r| r.resource != "Document");
        open.first().map(|r| r.url.clone())
    }

    pub fn request_started(&self, id: &str, url: &str, resource: &str, frame: Option<&str>) {
        let Some(host) = http_host(url) else { return };
        let first_party = (self.is_first_party)(&host);
        let now = Instant::now();
        let mut state = self.lock();
        if resource == "Document" && frame_is_main(&state, frame) {
            state.document_loading = true;
        }
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
                    });
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
            },
        );
        if first_party {
            state.last_network = now;
        }
        self.touch(state);
    }

    /// A response arrived (headers only; the body may still be loading). The status
    /// of every request is recorded; a main-frame document's is kept as the page's.
    pub fn response_received(
        &self,
        id: &str,
        response: DocumentResponse,
        resource: &str,
        frame: Option<&str>,
    ) {
        let mut state = self.lock();
        if let Some(index) = state.inflight.get(id).map(|f| f.record) {
            if let Some(r) = state.requests.get_mut(index) {
                r.status = Some(response.status);
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
            if done.first_party {
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
        self.touch(state);
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

    /// The page asked for a new window showing `url`.
    pub fn window_opened(&self, url: &str) {
        let mut state = self.lock();
        state.opened_windows.push(url.to_string());
        self.touch(state);
    }

    /// Windows opened since the last call.
    pub fn take_opened_windows(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().opened_windows)
    }

    /// Starts a fresh record for the next page visit (requests, document status).
    pub fn begin_visit(&self) {
        let mut state = self.lock();
        state.requests.clear();
        // In-flight entries keep pointing into the old list: rebase them as untracked.
        for f in state.inflight.values_mut() {
            f.record = usize::MAX;
        }
        state.document = None;
    }

    /// Requests recorded since [`PageActivity::begin_visit`].
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// The main document's latest response, if one arrived since the visit began.
    pub fn document(&self) -> Option<DocumentResponse> {
        self.lock().document.clone()
    }

    /// How many main documents have been loaded so far.
    pub fn documents(&self) -> u64 {
        self.lock().documents
    }

    /// Blocks until the page has settled (see the module doc) or `timeout` passes.
    pub fn wait_settled(&self, policy: &SettlePolicy, timeout: Duration) -> Settled {
        let start = Instant::now();
        let deadline = start + timeout;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let wake_at = match next_check(&state, policy, now) {
                None => {
                    return Settled {
                        elapsed: now - start,
                        quiet: true,
                        stalled: false,
                    }
                }
                Some(at) => at,
            };
            if now >= deadline {
                let first_party_open = state.inflight.values().any(|f| {
                    f.first_party && now.saturating_duration_since(f.since) < policy.long_request
                });
                return Settled {
                    elapsed: now - start,
                    quiet: false,
                    stalled: state.document_loading || first_party_open,
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
    for f in state.inflight.values() {
        let age = now.saturating_duration_since(f.since);
        if f.first_party {
            if age < policy.long_request {
                busy = true;
                earliest(f.since + policy.long_request);
            }
        } else if age < policy.third_party_patience {
            third_party.push(f.since + policy.third_party_patience);
        }
    }
    if third_party.len() > policy.third_party_inflight {
        busy = true;
        // The wait eases when enough of them have aged out.
        third_party.sort();
        earliest(third_party[third_party.len() - policy.third_party_inflight - 1]);
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

/// The host of an http(s) URL; None for data:, blob: and other schemes that never hit the network.
pub fn http_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.scheme() {
        "http" | "https" => parsed.host_str().map(str::to_string),
        _ => None,
    }
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
        a.request_started("1", "http://app.test/api/plans", "Fetch", None);
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
        a.request_started("1", "https://cdn.analytics.example/a.js", "Script", None);
        a.request_started("2", "https://widget.chat.example/w.js", "Script", None);
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
        a.request_started("1", "http://app.test/", "Document", None);
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
}
