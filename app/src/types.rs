//! Types shared by the server and the browser. Database models never cross the wire; these do.

use crate::i18n::{Locale, Strings};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Cadre,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Supervisor, Role::Cadre];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Cadre => "cadre",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Where this role starts after signing in.
    pub fn landing(self) -> &'static str {
        match self {
            Role::Admin => "/admin/orgs",
            Role::Supervisor | Role::Cadre => "/",
        }
    }

    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            Role::Admin => t.role_admin,
            Role::Supervisor => t.role_supervisor,
            Role::Cadre => t.role_cadre,
        }
    }
}

/// A cadre's post: the 4+1 and quarterly duties apply to full-time cadres only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Post {
    FullTime,
    Seconded,
    PartTime,
}

impl Post {
    pub const ALL: [Post; 3] = [Post::FullTime, Post::Seconded, Post::PartTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Post::FullTime => "full_time",
            Post::Seconded => "seconded",
            Post::PartTime => "part_time",
        }
    }

    pub fn parse(s: &str) -> Option<Post> {
        Post::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            Post::FullTime => t.post_full_time,
            Post::Seconded => t.post_seconded,
            Post::PartTime => t.post_part_time,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrgKind {
    District,
    WorkingCommittee,
    School,
    Enterprise,
    Community,
    OtherGrassroots,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::District,
        OrgKind::WorkingCommittee,
        OrgKind::School,
        OrgKind::Enterprise,
        OrgKind::Community,
        OrgKind::OtherGrassroots,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::District => "district",
            OrgKind::WorkingCommittee => "working_committee",
            OrgKind::School => "school",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Community => "community",
            OrgKind::OtherGrassroots => "grassroots",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Grassroots league organisations (基层团组织) are where cadres spend their visit days.
    pub fn is_grassroots(self) -> bool {
        !matches!(self, OrgKind::District | OrgKind::WorkingCommittee)
    }

    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            OrgKind::District => t.kind_district,
            OrgKind::WorkingCommittee => t.kind_working,
            OrgKind::School => t.kind_school,
            OrgKind::Enterprise => t.kind_enterprise,
            OrgKind::Community => t.kind_community,
            OrgKind::OtherGrassroots => t.kind_other,
        }
    }
}

/// The signed-in account, as every page and server function sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
    pub post: Option<Post>,
    pub locale: Locale,
}

/// One organisation in a tree listing, in depth-first order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNode {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
    pub active: bool,
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub started_on: chrono::NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub phone: Option<String>,
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
    pub post: Option<Post>,
    pub active: bool,
    pub pairings: Vec<PairingRow>,
}

/// Everything the accounts page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsPage {
    pub accounts: Vec<AccountRow>,
    pub orgs: Vec<OrgNode>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_stored_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for p in Post::ALL {
            assert_eq!(Post::parse(p.as_str()), Some(p));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_grassroots_kinds_take_visits() {
        assert!(!OrgKind::District.is_grassroots());
        assert!(!OrgKind::WorkingCommittee.is_grassroots());
        assert!(OrgKind::School.is_grassroots());
        assert!(OrgKind::Community.is_grassroots());
    }
}
