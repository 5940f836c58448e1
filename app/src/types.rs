//! Types shared by the server and the browser. Database models never cross the wire; these do.

use crate::i18n::{Locale, Strings};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Cadre,
    Supervisor,
    /// 系统管理员: the organisation tree, accounts of cadres and supervisors, policy, calendar,
    /// imports, reminder health.
    Sysadmin,
    /// 安全管理员: the security policy, unlocking accounts, administrator accounts, roles.
    Secadmin,
    /// 审计员: reads, exports and verifies the audit trail; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Sysadmin,
        Role::Secadmin,
        Role::Auditor,
        Role::Supervisor,
        Role::Cadre,
    ];
    /// Any signed-in account.
    pub const ANYONE: &'static [Role] = &Role::ALL;
    /// The three administrators (三权分立): none can do another's work.
    pub const ADMINISTRATORS: [Role; 3] = [Role::Sysadmin, Role::Secadmin, Role::Auditor];
    pub const SYSADMINS: &'static [Role] = &[Role::Sysadmin];
    pub const SECADMINS: &'static [Role] = &[Role::Secadmin];
    pub const AUDITORS: &'static [Role] = &[Role::Auditor];
    /// Those who supervise a subtree. No administrator does: supervising reads youths'
    /// personal data, which no administrator's work needs.
    pub const SUPERVISORS: &'static [Role] = &[Role::Supervisor];
    /// Those who import rosters: supervisors for their subtree, the system administrator for
    /// the district.
    pub const IMPORTERS: &'static [Role] = &[Role::Supervisor, Role::Sysadmin];
    /// Those who look after the accounts page: the system administrator (cadres and
    /// supervisors) and the security administrator (administrators, roles, locks).
    pub const ACCOUNT_KEEPERS: &'static [Role] = &[Role::Sysadmin, Role::Secadmin];
    pub const CADRES: &'static [Role] = &[Role::Cadre];
    /// Those who may ask for a youth's full phone number or WeChat ID with a reason (查看完整号码):
    /// the youth's own cadre, a supervisor of the subtree, the system administrator (who handles
    /// rights requests).
    pub const REVEALERS: &'static [Role] = &[Role::Cadre, Role::Supervisor, Role::Sysadmin];
    /// Those who record a withdrawal of consent: the youth's cadre, the system administrator.
    pub const WITHDRAWERS: &'static [Role] = &[Role::Cadre, Role::Sysadmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sysadmin => "sysadmin",
            Role::Secadmin => "secadmin",
            Role::Auditor => "auditor",
            Role::Supervisor => "supervisor",
            Role::Cadre => "cadre",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// One of the three administrators.
    pub fn is_administrator(self) -> bool {
        Role::ADMINISTRATORS.contains(&self)
    }

    /// The roles whose accounts this role creates, resets and deactivates: the system
    /// administrator keeps cadres and supervisors, the security administrator the
    /// administrators (including other security administrators); nobody else keeps any.
    pub fn keeps(self) -> &'static [Role] {
        match self {
            Role::Sysadmin => &[Role::Cadre, Role::Supervisor],
            Role::Secadmin => &Role::ADMINISTRATORS,
            _ => &[],
        }
    }

    /// Where this role starts after signing in.
    pub fn landing(self) -> &'static str {
        match self {
            Role::Sysadmin => "/admin/orgs",
            Role::Secadmin => "/admin/security",
            Role::Auditor => "/audit",
            Role::Supervisor => "/supervise",
            Role::Cadre => "/",
        }
    }

    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            Role::Sysadmin => t.role_sysadmin,
            Role::Secadmin => t.role_secadmin,
            Role::Auditor => t.role_auditor,
            Role::Supervisor => t.role_supervisor,
            Role::Cadre => t.role_cadre,
        }
    }
}

/// The security policy (安全策略). The defaults meet level 2 of GB/T 22239-2019.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    /// A new password's least length (8 to 64).
    pub min_length: i32,
    /// How many of lower case, upper case, digits and other characters it uses (1 to 4).
    pub char_classes: i32,
    /// Days until a password must be changed (0: never).
    pub expiry_days: i32,
    /// How many earlier passwords may not come back (0: any).
    pub history: i32,
    /// Wrong passwords in a row that lock the account.
    pub lockout_attempts: i32,
    /// How long the first lock lasts (each further failure within a day doubles it, at most a
    /// day).
    pub lockout_minutes: i32,
    /// Minutes a session may go unused, per role.
    pub idle_minutes_admin: i32,
    pub idle_minutes_supervisor: i32,
    pub idle_minutes_cadre: i32,
    /// Who must sign in with a second factor (TOTP).
    pub totp_admins: bool,
    pub totp_supervisors: bool,
    pub totp_everyone: bool,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            min_length: 8,
            char_classes: 2,
            expiry_days: 90,
            history: 5,
            lockout_attempts: 5,
            lockout_minutes: 15,
            idle_minutes_admin: 720,
            idle_minutes_supervisor: 10_080,
            idle_minutes_cadre: 10_080,
            totp_admins: false,
            totp_supervisors: false,
            totp_everyone: false,
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
    /// Unread reminders (counted for page requests only: the header's badge).
    pub unread: u32,
    /// The password is older than the policy allows: every page asks for a new one.
    pub password_expired: bool,
    /// The policy asks this account for a second factor it has not set up: every page sends it to
    /// `/settings` to do so, and nothing else is open.
    pub factor_missing: bool,
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
    /// Signing in is locked after too many wrong passwords (the security administrator
    /// unlocks it).
    pub locked: bool,
    /// A second factor is on (the security administrator can reset it).
    pub factor: bool,
    /// Whether the viewer keeps this account (creates, resets, deactivates it): see
    /// [`Role::keeps`].
    pub kept: bool,
    pub pairings: Vec<PairingRow>,
}

/// Everything the accounts page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsPage {
    /// One page of the matching accounts.
    pub accounts: Vec<AccountRow>,
    pub orgs: Vec<OrgNode>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub q: String,
    pub role: String,
    /// The viewer's role and id: what the page offers depends on them.
    pub viewer_role: Role,
    pub viewer_id: i64,
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

/// Declares a closed list stored as a short code, with its label key in the i18n table.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $label:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code stored in the database and sent by forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)* _ => None }
            }

            pub fn label(self, t: &Strings) -> &'static str {
                match self { $($name::$variant => t.$label),* }
            }

            /// (code, label) pairs for a `<select>`.
            pub fn options(t: &Strings) -> Vec<(String, String)> {
                Self::ALL.iter().map(|v| (v.as_str().to_owned(), v.label(t).to_owned())).collect()
            }
        }
    };
}

coded! {
    /// How a cadre reached a youth (方式).
    Channel {
        FaceToFace = "face_to_face" => ch_face_to_face,
        Phone = "phone" => ch_phone,
        WeChat = "wechat" => ch_wechat,
        Activity = "activity" => ch_activity,
        YouthVoice = "youth_voice" => ch_youth_voice,
    }
}

impl Channel {
    /// Online or offline follows from the channel: phone, WeChat/QQ and the 青年之声 platform are online.
    pub fn online(self) -> bool {
        matches!(self, Channel::Phone | Channel::WeChat | Channel::YouthVoice)
    }
}

coded! {
    /// What kind of activity a cadre held (活动类型).
    ActivityKind {
        ThemeDay = "theme_day" => ak_theme_day,
        Volunteer = "volunteer" => ak_volunteer,
        Lecture = "lecture" => ak_lecture,
        Social = "social" => ak_social,
        Training = "training" => ak_training,
        Other = "other" => ak_other,
    }
}

coded! {
    /// How a new friend reached a cadre's queue: a sign-in at an activity from a phone not on the
    /// cadre's roster, or the cadre's enrolment link.
    EnrolSource {
        Checkin = "checkin" => es_checkin,
        Join = "join" => es_join,
    }
}

coded! {
    EnrolStatus {
        Attended = "attended" => est_attended,
        Pending = "pending" => est_pending,
        Accepted = "accepted" => est_accepted,
        Dismissed = "dismissed" => est_dismissed,
    }
}

coded! {
    /// What a cadre does with a new friend.
    EnrolDecision {
        Accept = "accept" => ed_accept,
        Dismiss = "dismiss" => ed_dismiss,
    }
}

coded! {
    /// The handling of a youth's request (诉求).
    RequestStatus {
        Open = "open" => req_open,
        InProgress = "in_progress" => req_in_progress,
        Resolved = "resolved" => req_resolved,
    }
}

coded! {
    /// What a reminder is about; the inbox and the API name it by its code.
    ReminderKind {
        VisitDay = "visit_day" => rk_visit_day,
        ContactDigest = "contact_digest" => rk_contact_digest,
        SuggestionDue = "suggestion_due" => rk_suggestion_due,
        StudyDue = "study_due" => rk_study_due,
        SupervisorDigest = "supervisor_digest" => rk_supervisor_digest,
        Remind = "remind" => rk_remind,
        SignoffDue = "signoff_due" => rk_signoff_due,
    }
}

coded! {
    SuggestionKind {
        Suggestion = "suggestion" => sk_suggestion,
        ProblemSolved = "problem_solved" => sk_problem_solved,
    }
}

coded! {
    SuggestionStatus {
        Submitted = "submitted" => ss_submitted,
        Acknowledged = "acknowledged" => ss_acknowledged,
        Adopted = "adopted" => ss_adopted,
        Resolved = "resolved" => ss_resolved,
        Declined = "declined" => ss_declined,
        Returned = "returned" => ss_returned,
    }
}

impl SuggestionStatus {
    /// Waiting for a supervisor.
    pub fn open(self) -> bool {
        matches!(
            self,
            SuggestionStatus::Submitted | SuggestionStatus::Acknowledged
        )
    }
}

coded! {
    /// What a supervisor does with a suggestion.
    ReviewAction {
        Acknowledge = "acknowledge" => ra_acknowledge,
        Adopt = "adopt" => ra_adopt,
        Resolve = "resolve" => ra_resolve,
        Decline = "decline" => ra_decline,
        Return = "return" => ra_return,
    }
}

impl ReviewAction {
    /// The status a suggestion gets, or `None` when the action does not fit its kind (adopt is
    /// for work suggestions, resolve for problems solved).
    pub fn outcome(self, kind: SuggestionKind) -> Option<SuggestionStatus> {
        match (self, kind) {
            (ReviewAction::Acknowledge, _) => Some(SuggestionStatus::Acknowledged),
            (ReviewAction::Adopt, SuggestionKind::Suggestion) => Some(SuggestionStatus::Adopted),
            (ReviewAction::Resolve, SuggestionKind::ProblemSolved) => {
                Some(SuggestionStatus::Resolved)
            }
            (ReviewAction::Adopt | ReviewAction::Resolve, _) => None,
            (ReviewAction::Decline, _) => Some(SuggestionStatus::Declined),
            (ReviewAction::Return, _) => Some(SuggestionStatus::Returned),
        }
    }

    /// Declining and returning must say why.
    pub fn needs_comment(self) -> bool {
        matches!(self, ReviewAction::Decline | ReviewAction::Return)
    }
}

coded! {
    /// Why a cadre is away (请假/出差/培训/其他).
    ExemptionReason {
        Leave = "leave" => er_leave,
        BusinessTrip = "business_trip" => er_business_trip,
        Training = "training" => er_training,
        Other = "other" => er_other,
    }
}

coded! {
    ExemptionStatus {
        Pending = "pending" => es_pending,
        Approved = "approved" => es_approved,
        Declined = "declined" => es_declined,
    }
}

coded! {
    LateStatus {
        Pending = "pending" => ls_pending,
        Approved = "approved" => ls_approved,
        Declined = "declined" => ls_declined,
    }
}

coded! {
    LateKind {
        Contact = "contact" => lk_contact,
        VisitDay = "visit_day" => lk_visit_day,
        Study = "study" => lk_study,
        Suggestion = "suggestion" => lk_suggestion,
        Leave = "leave" => lk_leave,
    }
}

coded! {
    /// What a 补录申请 does to its record: logs it, changes it or deletes it.
    LateAction {
        Create = "create" => la_create,
        Update = "update" => la_update,
        Delete = "delete" => la_delete,
    }
}

coded! {
    /// Where an organisation's quarter stands (季度审核): 未审核, 已审核, and for the district
    /// once every committee below it is approved, 已审定.
    SignoffState {
        Open = "open" => so_open,
        Approved = "approved" => so_approved,
        Accepted = "accepted" => so_accepted,
    }
}

coded! {
    /// The lawful basis for processing a youth's personal information (PIPL Art. 13).
    Basis {
        Consent = "consent" => basis_consent,
        Duty = "duty" => basis_duty,
    }
}

coded! {
    /// Who gave consent for a youth under 14 (PIPL Art. 31).
    GuardianRelation {
        Father = "father" => gr_father,
        Mother = "mother" => gr_mother,
        Guardian = "guardian" => gr_guardian,
    }
}

coded! {
    /// What a youth asks for under PIPL Arts. 44–47 (个人信息权利请求).
    PiKind {
        Copy = "copy" => pik_copy,
        Correct = "correct" => pik_correct,
        Delete = "delete" => pik_delete,
        Withdraw = "withdraw" => pik_withdraw,
    }
}

coded! {
    /// What the system administrator does about a rights request.
    PiAction {
        Copy = "copy" => pia_copy,
        Correct = "correct" => pia_correct,
        Anonymise = "anonymise" => pia_anonymise,
        Refuse = "refuse" => pia_refuse,
    }
}

coded! {
    /// Where a rights request stands.
    PiStatus {
        Open = "open" => pis_open,
        Done = "done" => pis_done,
        Refused = "refused" => pis_refused,
    }
}

coded! {
    /// A field that is masked unless revealed on purpose (查看完整号码).
    RevealField {
        Phone = "phone" => rf_phone,
        Wechat = "wechat" => rf_wechat,
    }
}

/// wx****23: a WeChat ID as everyone but the youth's own cadre sees it.
pub fn mask_wechat(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 5 {
        return "*".repeat(chars.len().max(4));
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}****{tail}")
}

/// 138****1234: how supervisors see a youth's phone number.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

coded! {
    StudyKind {
        Thematic = "thematic" => study_thematic,
        YouthStudy = "youth_study" => study_youth,
        Other = "other" => study_other,
    }
}

coded! {
    Sector {
        Student = "student" => sector_student,
        Enterprise = "enterprise" => sector_enterprise,
        NewEmployment = "new_employment" => sector_new_employment,
        Community = "community" => sector_community,
        Migrant = "migrant" => sector_migrant,
        Other = "other" => sector_other,
    }
}

coded! {
    PoliticalStatus {
        LeagueMember = "league_member" => ps_league_member,
        Masses = "masses" => ps_masses,
        PartyMember = "party_member" => ps_party_member,
    }
}

coded! {
    Gender {
        Male = "male" => gender_male,
        Female = "female" => gender_female,
    }
}

#[cfg(test)]
mod coded_tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn review_actions_fit_the_kind_of_suggestion() {
        use SuggestionKind::*;
        assert_eq!(
            ReviewAction::Adopt.outcome(Suggestion),
            Some(SuggestionStatus::Adopted)
        );
        assert_eq!(ReviewAction::Adopt.outcome(ProblemSolved), None);
        assert_eq!(
            ReviewAction::Resolve.outcome(ProblemSolved),
            Some(SuggestionStatus::Resolved)
        );
        assert_eq!(ReviewAction::Resolve.outcome(Suggestion), None);
        assert!(ReviewAction::Return.needs_comment() && !ReviewAction::Acknowledge.needs_comment());
        assert!(SuggestionStatus::Acknowledged.open() && !SuggestionStatus::Returned.open());
    }

    #[test]
    fn phones_are_masked_for_supervisors() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_wechat("wxid_zhang23"), "wx****23");
        assert_eq!(mask_wechat("abc"), "****");
    }

    #[test]
    fn codes_round_trip_and_channels_know_online() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        assert!(!Channel::FaceToFace.online() && !Channel::Activity.online());
        assert!(
            Channel::Phone.online() && Channel::WeChat.online() && Channel::YouthVoice.online()
        );
        let t = Locale::ZhCn.strings();
        let labels: Vec<&str> = Channel::ALL.iter().map(|c| c.label(t)).collect();
        assert_eq!(
            labels,
            ["面对面", "电话", "微信/QQ", "活动", "青年之声平台"]
        );
        assert_eq!(
            StudyKind::options(t)[1],
            ("youth_study".to_string(), "青年大学习".to_string())
        );
    }
}
