//! The rules of sign-off as pure functions over the organisation tree, given as each
//! organisation's parent.

use crate::rules::Quarter;
use crate::types::SignoffState;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Each organisation's parent (`None` for the district).
pub type Parents = HashMap<i64, Option<i64>>;

/// The organisations above `org`, nearest first (a cycle in stored data ends the walk).
pub fn ancestors(parents: &Parents, org: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cur = parents.get(&org).copied().flatten();
    while let Some(id) = cur {
        if out.contains(&id) || id == org {
            break;
        }
        out.push(id);
        cur = parents.get(&id).copied().flatten();
    }
    out
}

/// The organisations that sign a quarter off: each with a cadre at or below it.
pub fn needing(parents: &Parents, cadre_orgs: impl IntoIterator<Item = i64>) -> HashSet<i64> {
    let mut out = HashSet::new();
    for org in cadre_orgs {
        if out.insert(org) {
            out.extend(ancestors(parents, org));
        }
    }
    out
}

/// What keeps `org` from being approved: the organisations below it that sign off and have not,
/// the topmost of them (each of those first needs the ones below it, which it names in turn).
pub fn blocking(
    parents: &Parents,
    org: i64,
    needing: &HashSet<i64>,
    approved: &HashSet<i64>,
) -> Vec<i64> {
    let open = |id: &i64| needing.contains(id) && !approved.contains(id);
    let mut out: Vec<i64> = needing
        .iter()
        .filter(|n| **n != org && open(n))
        .filter(|n| {
            let up = ancestors(parents, **n);
            match up.iter().position(|a| *a == org) {
                // Below `org`, with nothing open between them.
                Some(at) => !up[..at].iter().any(open),
                None => false,
            }
        })
        .copied()
        .collect();
    out.sort_unstable();
    out
}

/// Where `org`'s quarter stands: the district's approval is its 审定.
pub fn state(org: i64, parents: &Parents, approved: &HashSet<i64>) -> SignoffState {
    if !approved.contains(&org) {
        SignoffState::Open
    } else if parents.get(&org).copied().flatten().is_none() {
        SignoffState::Accepted
    } else {
        SignoffState::Approved
    }
}

/// A quarter is approved only once it has ended.
pub fn ended(quarter: Quarter, today: NaiveDate) -> bool {
    today > quarter.end()
}

/// Who reopens `org`'s quarter: its approver, or someone whose organisation is above it (an
/// admin counts from their own organisation, as a supervisor).
pub fn may_reopen(
    parents: &Parents,
    org: i64,
    approver: i64,
    viewer: i64,
    viewer_org: i64,
) -> bool {
    viewer == approver || ancestors(parents, org).contains(&viewer_org)
}

/// What reopening `org` reopens: it and every level above it.
pub fn reopened(parents: &Parents, org: i64) -> Vec<i64> {
    let mut out = vec![org];
    out.extend(ancestors(parents, org));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1 district; 2, 3 streets; 4, 5 under 2; 6 under 3; 7 under 4.
    fn tree() -> Parents {
        [
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(3)),
            (7, Some(4)),
        ]
        .into_iter()
        .collect()
    }

    fn set(ids: &[i64]) -> HashSet<i64> {
        ids.iter().copied().collect()
    }

    #[test]
    fn an_organisation_signs_off_when_a_cadre_sits_at_or_below_it() {
        let p = tree();
        assert_eq!(needing(&p, [7, 3]), set(&[7, 4, 2, 1, 3]));
        assert!(needing(&p, []).is_empty());
    }

    #[test]
    fn the_district_waits_for_the_topmost_open_levels_below_it() {
        let p = tree();
        let need = needing(&p, [4, 5, 6, 2]);
        assert_eq!(blocking(&p, 1, &need, &set(&[])), vec![2, 3]);
        assert_eq!(blocking(&p, 1, &need, &set(&[2, 4, 5])), vec![3]);
        // 2 approved while 4 was reopened after: 4 still blocks, named as such.
        assert_eq!(blocking(&p, 1, &need, &set(&[2, 5, 6, 3])), vec![4]);
        assert_eq!(blocking(&p, 2, &need, &set(&[5])), vec![4]);
        assert!(blocking(&p, 2, &need, &set(&[4, 5])).is_empty());
        // 5 and 7 have no cadres, 4 has: a leaf without cadres never blocks.
        assert!(blocking(&p, 4, &need, &set(&[])).is_empty());
    }

    #[test]
    fn the_districts_approval_is_its_acceptance() {
        let p = tree();
        assert_eq!(state(1, &p, &set(&[1, 2])), SignoffState::Accepted);
        assert_eq!(state(2, &p, &set(&[1, 2])), SignoffState::Approved);
        assert_eq!(state(3, &p, &set(&[1, 2])), SignoffState::Open);
    }

    #[test]
    fn a_quarter_is_approved_the_day_after_it_ends() {
        let q = Quarter::parse("2026Q3").expect("a quarter");
        let d = |s: &str| s.parse::<NaiveDate>().expect("a date");
        assert!(!ended(q, d("2026-09-30")));
        assert!(ended(q, d("2026-10-01")));
    }

    #[test]
    fn the_approver_or_a_level_above_reopens() {
        let p = tree();
        // org 4, approved by account 40 (of org 4).
        assert!(may_reopen(&p, 4, 40, 40, 4));
        assert!(
            !may_reopen(&p, 4, 40, 41, 4),
            "another supervisor of the same level"
        );
        assert!(may_reopen(&p, 4, 40, 20, 2));
        assert!(may_reopen(&p, 4, 40, 10, 1));
        assert!(!may_reopen(&p, 4, 40, 30, 3), "a sibling branch");
        assert_eq!(reopened(&p, 7), vec![7, 4, 2, 1]);
    }
}
