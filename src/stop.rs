//! Stopping early, cleanly: a signal (Ctrl-C, `kill`, a closed terminal) or the audit's
//! wall-time budget (`--max-time`).
//!
//! plg-audit runs unattended in CI and cron, so an audit that is told to stop must still
//! leave its report behind. A [`Stop`] is what every long wait consults: the settle-wait
//! wakes on it, each DevTools call checks it first, discovery stops taking pages and the
//! journey's next browser call fails with the reason. What was gathered is then written as
//! usual, with the reason in `errors`.
//!
//! Signals are process-wide. [`listen_for_signals`] (started by `main`) records the first
//! one, kills every browser this process started (so every browser call ends at once) and
//! gives the report [`GRACE`] to be written; a second signal ends the process at once.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, Weak};
use std::time::{Duration, Instant};

/// How long a signalled process may take to write its report before it exits anyway.
pub const GRACE: Duration = Duration::from_millis(4500);

/// A signal that asks plg-audit to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: `kill`, a CI runner or a service manager stopping the job.
    Terminate,
    /// SIGHUP: the terminal went away.
    Hangup,
}

impl Signal {
    /// The shell's convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Hangup => 129,
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        }
    }

    /// The signal as a person knows it, e.g. "SIGINT (Ctrl-C)".
    pub fn describe(self) -> String {
        match self {
            Signal::Interrupt => "SIGINT (Ctrl-C)".to_string(),
            other => other.name().to_string(),
        }
    }

    fn code(self) -> u8 {
        match self {
            Signal::Interrupt => 1,
            Signal::Terminate => 2,
            Signal::Hangup => 3,
        }
    }

    fn from_code(code: u8) -> Option<Signal> {
        match code {
            1 => Some(Signal::Interrupt),
            2 => Some(Signal::Terminate),
            3 => Some(Signal::Hangup),
            _ => None,
        }
    }
}

/// Why an audit stopped before it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Signal(Signal),
    /// The `--max-time` budget ran out.
    OutOfTime {
        budget: Duration,
    },
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Signal(s) => write!(f, "interrupted by {}", s.describe()),
            StopReason::OutOfTime { budget } => write!(
                f,
                "the audit's time budget of {} (--max-time) ran out",
                human_duration(*budget)
            ),
        }
    }
}

/// "90 s", "10 min", "1 min 30 s".
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        return format!("{} s", trim_float(secs));
    }
    let whole = d.as_secs();
    match (whole / 60, whole % 60) {
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Something blocked on a condition that a signal must wake (a settle-wait).
pub trait Wake: Send + Sync {
    fn wake(&self);
}

/// The first signal received, as [`Signal::code`]; 0 while none was.
static SIGNALLED: AtomicU8 = AtomicU8::new(0);
static WAITERS: LazyLock<Mutex<Vec<Weak<dyn Wake>>>> = LazyLock::new(|| Mutex::new(Vec::new()));
static NOTIFY: LazyLock<tokio::sync::Notify> = LazyLock::new(tokio::sync::Notify::new);

/// The signal that asked the process to stop, if one did.
pub fn signalled() -> Option<Signal> {
    Signal::from_code(SIGNALLED.load(Ordering::SeqCst))
}

/// Registers a waiter to be woken when a signal arrives.
pub fn wake_on_signal(waiter: Weak<dyn Wake>) {
    if let Ok(mut list) = WAITERS.lock() {
        list.retain(|w| w.strong_count() > 0);
        list.push(waiter);
    }
}

/// Records `signal` as the reason to stop (the first one wins) and wakes every waiter.
/// Returns false when a signal had already been recorded.
pub fn raise(signal: Signal) -> bool {
    let first = SIGNALLED
        .compare_exchange(0, signal.code(), Ordering::SeqCst, Ordering::SeqCst)
        .is_ok();
    let waiters: Vec<_> = WAITERS
        .lock()
        .map(|l| l.iter().filter_map(Weak::upgrade).collect())
        .unwrap_or_default();
    for w in waiters {
        w.wake();
    }
    NOTIFY.notify_waiters();
    first
}

/// Set by `main` once it has written its report and printed its last line.
static FINISHED: LazyLock<(Mutex<bool>, Condvar)> =
    LazyLock::new(|| (Mutex::new(false), Condvar::new()));

/// The process has done its work and is about to exit: a signal's watchdog stands down.
pub fn finished() {
    let (done, changed) = &*FINISHED;
    if let Ok(mut d) = done.lock() {
        *d = true;
    }
    changed.notify_all();
}

/// Waits up to `grace` for [`finished`]; true when it came.
fn wait_finished(grace: Duration) -> bool {
    let (done, changed) = &*FINISHED;
    let Ok(guard) = done.lock() else {
        return false;
    };
    match changed.wait_timeout_while(guard, grace, |d| !*d) {
        Ok((d, _)) => *d,
        Err(_) => false,
    }
}

/// When and why one audit stops early: on any signal, and when its budget runs out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stop {
    budget: Option<(Instant, Duration)>,
}

impl Stop {
    /// Stops on signals only (no time budget).
    pub fn on_signals() -> Stop {
        Stop::default()
    }

    /// Stops on signals, and `budget` from now.
    pub fn with_budget(budget: Duration) -> Stop {
        Stop {
            budget: Instant::now()
                .checked_add(budget)
                .map(|deadline| (deadline, budget)),
        }
    }

    /// Why to stop now, if there is a reason.
    pub fn reason(&self) -> Option<StopReason> {
        if let Some(s) = signalled() {
            return Some(StopReason::Signal(s));
        }
        match self.budget {
            Some((deadline, budget)) if Instant::now() >= deadline => {
                Some(StopReason::OutOfTime { budget })
            }
            _ => None,
        }
    }

    /// The instant the budget runs out, if there is one.
    pub fn deadline(&self) -> Option<Instant> {
        self.budget.map(|(d, _)| d)
    }

    /// Waits up to `pause` on a thread (for something outside to become ready again, such
    /// as a remote browser) — less when a signal comes or the budget runs out first.
    /// Returns the reason to stop, if there is one.
    pub fn pause(&self, pause: Duration) -> Option<StopReason> {
        struct Sleeper {
            woken: Mutex<bool>,
            changed: Condvar,
        }
        impl Wake for Sleeper {
            fn wake(&self) {
                if let Ok(mut w) = self.woken.lock() {
                    *w = true;
                }
                self.changed.notify_all();
            }
        }
        let sleeper = std::sync::Arc::new(Sleeper {
            woken: Mutex::new(false),
            changed: Condvar::new(),
        });
        let waker: std::sync::Arc<dyn Wake> = sleeper.clone();
        wake_on_signal(std::sync::Arc::downgrade(&waker));
        if let Some(reason) = self.reason() {
            return Some(reason);
        }
        let left = self.deadline().map_or(pause, |d| {
            pause.min(d.saturating_duration_since(Instant::now()))
        });
        if let Ok(guard) = sleeper.woken.lock() {
            let _ = sleeper
                .changed
                .wait_timeout_while(guard, left, |woken| !*woken);
        }
        self.reason()
    }

    /// Resolves when the audit must stop (a signal, or the budget running out).
    pub async fn stopped(&self) -> StopReason {
        loop {
            let notified = NOTIFY.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.reason() {
                return reason;
            }
            match self.deadline() {
                Some(deadline) => {
                    tokio::select! {
                        () = &mut notified => {}
                        () = tokio::time::sleep_until(deadline.into()) => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

/// Listens for SIGINT, SIGTERM and SIGHUP on `runtime`. The first: the audit stops and
/// writes what it has (every browser is killed at once so no call waits on it); if that
/// takes longer than [`GRACE`], the process exits anyway. A second: the process exits
/// at once. Either way with the signal's exit code and one sentence on stderr.
pub fn listen_for_signals(runtime: &tokio::runtime::Runtime) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let _entered = runtime.enter();
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    runtime.spawn(async move {
        loop {
            let received = tokio::select! {
                Some(()) = interrupt.recv() => Signal::Interrupt,
                Some(()) = terminate.recv() => Signal::Terminate,
                Some(()) = hangup.recv() => Signal::Hangup,
                else => return,
            };
            let first = raise(received);
            crate::gather::browser_process::kill_all();
            if first {
                tracing::info!("{} received: stopping", received.name());
                let watchdog = std::thread::Builder::new()
                    .name("stop-watchdog".into())
                    .spawn(move || {
                        if wait_finished(GRACE) {
                            return;
                        }
                        crate::gather::browser_process::kill_all();
                        eprintln!(
                            "plg-audit: interrupted by {}; the report could not be finished within {} and was not written",
                            received.describe(),
                            human_duration(GRACE)
                        );
                        std::process::exit(i32::from(received.exit_code()));
                    });
                if let Err(e) = watchdog {
                    tracing::warn!("cannot start the stop watchdog: {e}");
                }
            } else {
                eprintln!(
                    "plg-audit: {} again: stopped at once, without finishing the report",
                    received.describe()
                );
                std::process::exit(i32::from(received.exit_code()));
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_that_has_run_out_is_a_reason_to_stop() {
        let stop = Stop::with_budget(Duration::ZERO);
        assert_eq!(
            stop.reason(),
            Some(StopReason::OutOfTime {
                budget: Duration::ZERO
            })
        );
        assert_eq!(
            StopReason::OutOfTime {
                budget: Duration::from_secs(600)
            }
            .to_string(),
            "the audit's time budget of 10 min (--max-time) ran out"
        );
    }

    #[test]
    fn a_pause_ends_with_the_budget() {
        let stop = Stop::with_budget(Duration::from_millis(50));
        let began = Instant::now();
        let reason = stop.pause(Duration::from_secs(30));
        assert!(
            matches!(reason, Some(StopReason::OutOfTime { .. })),
            "{reason:?}"
        );
        // Not the 30 s asked for: the budget's end cut it short.
        assert!(began.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn a_pause_with_no_reason_to_stop_says_none() {
        assert_eq!(Stop::on_signals().pause(Duration::from_millis(1)), None);
    }

    #[test]
    fn a_budget_still_running_is_no_reason() {
        assert_eq!(Stop::with_budget(Duration::from_secs(3600)).reason(), None);
    }

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Hangup.exit_code(), 129);
    }

    #[test]
    fn durations_read_as_a_person_says_them() {
        assert_eq!(human_duration(Duration::from_secs(90)), "1 min 30 s");
        assert_eq!(human_duration(Duration::from_millis(4500)), "4.5 s");
        assert_eq!(human_duration(Duration::from_secs(600)), "10 min");
    }
}
