//! Ctrl-C and termination signals during `run`: the simulations stop at their next
//! time-series bucket and the run returns [`CliError::Interrupted`], so the temporary
//! output is removed like that of any failed run and nothing partial is left behind
//! (a run that fails leaves no partial output, as `README.md` promises). A second signal does not
//! wait: it removes the temporary output at once and exits.

use crate::error::CliError;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Exit status of an interrupted run: 128 + SIGINT, as shells report it.
pub const EXIT_STATUS: u8 = 130;

/// Whether a signal came, shared with the handler, and what a second one removes.
pub struct Interrupt {
    seen: Arc<AtomicBool>,
    temp: Arc<Mutex<Option<PathBuf>>>,
}

impl Interrupt {
    /// Installs the handler, before anything is written: a first signal raises
    /// `cancel`, a second removes the temporary output (see [`Self::guard`]) and
    /// exits. Without a handler (one was already installed in this process) a signal
    /// ends the process as it would by default.
    pub fn install(cancel: &Arc<AtomicBool>) -> Self {
        let this = Self {
            seen: Arc::new(AtomicBool::new(false)),
            temp: Arc::new(Mutex::new(None)),
        };
        let (cancel, seen, temp) = (
            Arc::clone(cancel),
            Arc::clone(&this.seen),
            Arc::clone(&this.temp),
        );
        let _ = ctrlc::set_handler(move || {
            if seen.swap(true, Ordering::SeqCst) {
                if let Some(dir) = temp.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    let _ = std::fs::remove_dir_all(dir);
                }
                std::process::exit(i32::from(EXIT_STATUS));
            }
            cancel.store(true, Ordering::SeqCst);
        });
        this
    }

    /// Names the temporary output directory a second signal removes.
    pub fn guard(&self, temp: &Path) {
        *self.temp.lock().unwrap_or_else(PoisonError::into_inner) = Some(temp.to_owned());
    }

    /// `Err(Interrupted)` once a signal came: checked before any other outcome, since
    /// the runs it cancelled fail with an error of their own.
    pub fn check(&self) -> Result<(), CliError> {
        if self.seen.load(Ordering::SeqCst) {
            Err(CliError::Interrupted)
        } else {
            Ok(())
        }
    }
}
