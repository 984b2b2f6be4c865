//! The Chromium processes plg-audit owns, and the promise that none outlives it.
//!
//! Chromium is a tree of processes: the browser, its zygotes, one renderer per site, GPU
//! and utility processes. Killing the browser alone leaves the rest running for seconds,
//! and a plg-audit ended by a signal or a panic used to leave all of them behind. So:
//!
//! - each browser is started as the leader of its own process group (the vendored
//!   launcher's `process_group`), and every way of ending it kills the whole group;
//! - the live groups are registered here, so a signal handler can kill them all
//!   ([`kill_all`]) while the rest of the program unwinds;
//! - browsers are started from one thread that lives as long as plg-audit
//!   ([`on_launcher_thread`]) with the kernel's parent-death signal set, so even a
//!   plg-audit killed outright (SIGKILL, the OOM killer) takes its browsers with it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{LazyLock, Mutex};

/// A running browser: its process group, and its profile directory, which every one of
/// its processes names on its command line (the crash handler included, which leaves the
/// group).
#[derive(Debug, Clone)]
struct Owned {
    leader: u32,
    profile: PathBuf,
}

/// The browsers running now.
static GROUPS: LazyLock<Mutex<Vec<Owned>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// Records a browser's process group and profile. If plg-audit is already stopping on a
/// signal, the browser is killed at once (one that finished starting after the signal).
pub fn register(leader: u32, profile: &Path) {
    let owned = Owned {
        leader,
        profile: profile.to_path_buf(),
    };
    if let Ok(mut groups) = GROUPS.lock() {
        groups.push(owned.clone());
    }
    if crate::stop::signalled().is_some() {
        kill(&owned);
    }
}

/// Kills a browser's processes and forgets it. Call it before the browser process is
/// reaped: an unreaped leader keeps its group id from being reused by another program.
pub fn kill_and_forget(leader: u32) {
    let owned = GROUPS.lock().ok().and_then(|mut groups| {
        let at = groups.iter().position(|g| g.leader == leader)?;
        Some(groups.remove(at))
    });
    match owned {
        Some(o) => kill(&o),
        None => kill_group(leader),
    }
}

/// Kills every registered browser (signal handlers, the stop watchdog).
pub fn kill_all() {
    let owned: Vec<Owned> = match GROUPS.lock() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    for o in &owned {
        kill(o);
    }
}

/// The process groups registered now (for tests and logs).
pub fn live_groups() -> Vec<u32> {
    GROUPS
        .lock()
        .map(|g| g.iter().map(|o| o.leader).collect())
        .unwrap_or_default()
}

fn kill(owned: &Owned) {
    kill_group(owned.leader);
    kill_naming(&owned.profile);
}

fn kill_group(leader: u32) {
    let Ok(pid) = i32::try_from(leader) else {
        return;
    };
    if pid <= 1 {
        return;
    }
    // SAFETY: kill(2) with a negative pid signals exactly that process group.
    let killed = unsafe { libc::kill(-pid, libc::SIGKILL) };
    if killed == 0 {
        tracing::debug!(group = leader, "killed the browser's process group");
    }
}

/// Kills the processes that name `profile` on their command line: Chromium's crash
/// handler, which daemonizes out of the browser's process group.
fn kill_naming(profile: &Path) {
    let marker = profile.as_os_str().as_encoded_bytes();
    if marker.len() < 8 {
        return; // Never match on a path too short to be a temporary profile.
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if pid > 1 && cmdline.windows(marker.len()).any(|w| w == marker) {
            // SAFETY: kill(2) of a process whose command line names our own profile.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// One thread that starts every browser and lives until plg-audit exits: the kernel's
/// parent-death signal follows the thread that started a process, not the program.
static LAUNCHER: LazyLock<Mutex<Option<mpsc::Sender<Job>>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Job>();
    let started = std::thread::Builder::new()
        .name("browser-launcher".into())
        .spawn(move || {
            for job in rx {
                job();
            }
            // The sender lives in a static: this point is never reached, and the
            // thread ends only with the process.
        });
    match started {
        Ok(_) => Mutex::new(Some(tx)),
        Err(e) => {
            tracing::warn!("cannot start the browser launcher thread: {e}");
            Mutex::new(None)
        }
    }
});

/// Runs `launch` on the launcher thread and returns its result; runs it here when that
/// thread could not be started (the browser then dies with this thread instead).
pub fn on_launcher_thread<T: Send + 'static>(launch: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let sender = LAUNCHER.lock().ok().and_then(|s| s.clone());
    let Some(sender) = sender else {
        return launch();
    };
    let job: Job = Box::new(move || {
        let _ = tx.send(launch());
    });
    if let Err(mpsc::SendError(job)) = sender.send(job) {
        job();
    }
    match rx.recv() {
        Ok(v) => v,
        // The job panicked on the launcher thread; a launch that panics is a bug worth
        // seeing where it happened.
        Err(_) => panic!("the browser launcher thread stopped while starting a browser"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_on_one_long_lived_thread() {
        let first = on_launcher_thread(|| std::thread::current().id());
        let second = on_launcher_thread(|| std::thread::current().id());
        assert_eq!(first, second);
        assert_ne!(first, std::thread::current().id());
    }

    #[test]
    fn a_forgotten_group_is_no_longer_listed() {
        // Above the largest PID Linux can hand out: no such group can exist.
        const NO_GROUP: u32 = 4_194_400;
        register(NO_GROUP, Path::new("/nonexistent/plg-audit-profile-test"));
        assert!(live_groups().contains(&NO_GROUP));
        kill_and_forget(NO_GROUP);
        assert!(!live_groups().contains(&NO_GROUP));
    }
}
