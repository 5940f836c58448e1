//! Settings that every request reads and that change a few times a year, kept per instance
//! instead of read per request: the security policy (every signed-in request checks its idle
//! limit) and the work plan's policy history (every contact checks its late-entry window).
//!
//! A change made through this instance clears its copy at once ([`Cache::clear`]); another
//! instance sees it within [`FRESH_FOR`]. The policy history holds every version with the day it
//! holds from, so a scheduled change takes effect on its day without anyone clearing anything.

use crate::error::AppError;
use crate::rules::PolicyHistory;
use crate::types::SecurityPolicy;
use sea_orm::ConnectionTrait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long another instance's change may go unseen.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct Cache {
    security: Slot<SecurityPolicy>,
    policy: Slot<PolicyHistory>,
}

impl Cache {
    /// The security policy in force.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn security(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Arc<SecurityPolicy>, AppError> {
        let generation = match self.security.fresh() {
            Ok(p) => return Ok(p),
            Err(generation) => generation,
        };
        let loaded = crate::model::security::load(db).await?;
        Ok(self.security.put(loaded, generation))
    }

    /// Every version of the policy.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn policy(&self, db: &impl ConnectionTrait) -> Result<Arc<PolicyHistory>, AppError> {
        let generation = match self.policy.fresh() {
            Ok(p) => return Ok(p),
            Err(generation) => generation,
        };
        let loaded = crate::model::policy::history(db).await?;
        Ok(self.policy.put(loaded, generation))
    }

    /// Forgets both: the next request reads them again. Called by whatever changes them, once
    /// the change is committed.
    pub fn clear(&self) {
        self.security.clear();
        self.policy.clear();
    }
}

/// One kept value. `generation` counts the clears: a value read from the database before a
/// clear is not kept after it (it may be the value the clear was for).
#[derive(Debug)]
struct Slot<T> {
    kept: RwLock<Option<(Instant, u64, Arc<T>)>>,
    generation: AtomicU64,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            kept: RwLock::new(None),
            generation: AtomicU64::new(0),
        }
    }
}

impl<T> Slot<T> {
    /// The kept value while fresh; else the generation to [`Slot::put`] a new one under.
    fn fresh(&self) -> Result<Arc<T>, u64> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Ok(kept) = self.kept.read() {
            if let Some((at, g, v)) = kept.as_ref() {
                if *g == generation && at.elapsed() < FRESH_FOR {
                    return Ok(Arc::clone(v));
                }
            }
        }
        Err(generation)
    }

    fn put(&self, value: T, generation: u64) -> Arc<T> {
        let value = Arc::new(value);
        if let Ok(mut kept) = self.kept.write() {
            if self.generation.load(Ordering::Acquire) == generation {
                *kept = Some((Instant::now(), generation, Arc::clone(&value)));
            }
        }
        value
    }

    fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut kept) = self.kept.write() {
            *kept = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_cleared() {
        let slot = Slot::<u32>::default();
        let g = slot.fresh().expect_err("nothing kept yet");
        assert_eq!(*slot.put(1, g), 1);
        assert_eq!(slot.fresh().ok().as_deref(), Some(&1));
        slot.clear();
        assert!(slot.fresh().is_err());
    }

    #[test]
    fn a_value_read_before_a_clear_is_not_kept() {
        let slot = Slot::<u32>::default();
        let g = slot.fresh().expect_err("nothing kept yet");
        // A change lands (and clears) while the old value is being read.
        slot.clear();
        assert_eq!(*slot.put(1, g), 1, "the reader still gets what it read");
        assert!(slot.fresh().is_err(), "but it is not kept");
    }
}
