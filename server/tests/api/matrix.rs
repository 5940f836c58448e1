//! The authorisation matrix: every server function × every kind of caller × own and other
//! records. A call that must not succeed and answers 2xx fails the test; so does a server
//! function without a row here, so none can be added without saying who may call it.
//!
//! Each row names the callers that may succeed. The others call first, each with the same
//! form, and must not get a 2xx; then one caller that may, to prove the form itself is valid
//! (otherwise every refusal could be a 422 for a bad form, proving nothing).

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// `cadre_a`: the records in the forms are theirs.
    Cadre,
    /// `cadre_b`, in the same street: the records are someone else's.
    OtherCadre,
    /// A supervisor of the street both cadres work in.
    Supervisor,
    /// A supervisor of another street.
    OtherSupervisor,
    /// The district's system administrator (系统管理员).
    Admin,
    /// The security administrator (安全管理员).
    Secadmin,
    /// The auditor (审计员).
    Auditor,
}
use Caller::*;

const CALLERS: [Caller; 8] = [
    Anonymous,
    Cadre,
    OtherCadre,
    Supervisor,
    OtherSupervisor,
    Admin,
    Secadmin,
    Auditor,
];

/// Who may succeed.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// The system administrator (of a subtree holding the record).
    Admins,
    /// The system and the security administrator (the accounts page).
    Keepers,
    /// The security administrator.
    Secadmins,
    /// The auditor.
    Auditors,
    /// Nobody signed in or out: only a session a right password opened for a second factor.
    PendingSignIn,
    /// Supervisors and the system administrator (the roster import).
    Importers,
    /// Any cadre, on their own data (the form names no one else's record).
    Cadres,
    /// Only the cadre whose record the form names.
    Owner,
    /// Supervisors over the cadre (or organisation) the form names (no administrator
    /// supervises).
    Overseers,
    /// Any supervisor (the form names nothing outside their own subtree).
    Supervisors,
    /// Only the supervisor who made the record (an import's dry run).
    Requester,
    /// The youth's own cadre, a supervisor over them, the system administrator (查看完整号码).
    Revealers,
    /// The youth's own cadre, the system administrator (a withdrawal of consent).
    Withdrawers,
}

impl Who {
    fn may(self, c: Caller) -> bool {
        match self {
            Who::Public => true,
            Who::SignedIn => c != Anonymous,
            Who::Admins => c == Admin,
            Who::Keepers => matches!(c, Admin | Secadmin),
            Who::Secadmins => c == Secadmin,
            Who::Auditors => c == Auditor,
            Who::PendingSignIn => false,
            Who::Importers => matches!(c, Supervisor | OtherSupervisor | Admin),
            Who::Cadres => matches!(c, Cadre | OtherCadre),
            Who::Owner => c == Cadre,
            Who::Overseers => c == Supervisor,
            Who::Supervisors => matches!(c, Supervisor | OtherSupervisor),
            Who::Requester => c == Supervisor,
            Who::Revealers => matches!(c, Cadre | Supervisor | Admin),
            Who::Withdrawers => matches!(c, Cadre | Admin),
        }
    }
}

/// The records the forms name.
struct Fixture {
    w: World,
    supervisor: TestApp,
    other_supervisor: TestApp,
    secadmin: TestApp,
    auditor: TestApp,
    /// An account to deactivate and reset.
    victim: i64,
    /// An organisation to rename, move and deactivate.
    spare_org: i64,
    /// A grassroots organisation to pair with.
    pair_org: i64,
    /// A pairing to end.
    spare_pairing: i64,
    contact: i64,
    contact_to_delete: i64,
    visit: i64,
    suggestion: i64,
    /// A suggestion returned for revision.
    returned: i64,
    /// A pending exemption of the cadre.
    exemption: i64,
    /// A pending 补录申请 of the cadre (a visit day 20 days back).
    late: i64,
    /// A cadre leaving, with a youth to hand over.
    leaver: i64,
    /// A calendar day to delete.
    calendar_day: i64,
    /// A reminder in the cadre's inbox.
    notification: i64,
    /// An export the supervisor asked for.
    export: i64,
    /// A roster import the supervisor checked.
    import: i64,
    /// A youth of the cadre's, to withdraw consent.
    withdrawing: i64,
    /// A rights request about the cadre's first youth.
    pi_request: i64,
    /// The cadre's activity (today, with the first youth) and its sign-in code.
    activity: i64,
    activity_code: String,
    /// An activity whose sign-in is closed by its row.
    activity_to_close: i64,
    /// The cadre's enrolment link's token.
    enrol_token: String,
    /// A new friend in the cadre's queue (a sign-in from a phone not on the roster).
    friend: i64,
}

async fn fixture(app: TestApp) -> Fixture {
    let w = setup(app).await;
    let admin = &w.admin;
    let root = admin.root_org().await;
    let other_street = admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    admin
        .create_account("supervisor_a", "supervisor", w.street, PASSWORD)
        .await;
    admin
        .create_account("supervisor_b", "supervisor", other_street, PASSWORD)
        .await;
    let victim = admin
        .create_account("victim", "cadre", w.street, PASSWORD)
        .await;
    admin
        .create_account("spare_user", "cadre", w.street, PASSWORD)
        .await;
    let spare_org = admin
        .create_org("备用团支部", "community", other_street)
        .await;
    let pair_org = admin.create_org("结对团支部", "community", w.street).await;
    let unpair_org = admin.create_org("解除团支部", "community", w.street).await;
    let spare_pairing = pair(admin, w.a.id, unpair_org).await;
    let signed_in = |username: &'static str| {
        let s = admin.session();
        async move {
            assert!(s.login(username, PASSWORD).await.status().is_success());
            s
        }
    };
    let supervisor = signed_in("supervisor_a").await;
    let other_supervisor = signed_in("supervisor_b").await;
    let administrator = |username: &'static str| {
        let s = admin.session();
        async move {
            assert!(s
                .login(username, ADMIN_PASSWORD)
                .await
                .status()
                .is_success());
            s
        }
    };
    let secadmin = administrator("secadmin").await;
    let auditor = administrator("auditor").await;
    let a = &w.a.app;
    let youth = w.a.youths[0];
    let contact = created(
        a,
        "/api/contacts/create",
        &with(contact_form(youth), &[("request", "想找实习")]),
    )
    .await;
    let contact_to_delete = created(a, "/api/contacts/create", &contact_form(youth)).await;
    let visit = created(a, "/api/visits/create", &visit_form(w.a.org, days_ago(3))).await;
    let suggestion = created(
        a,
        "/api/suggestions/create",
        &suggestion_form(w.a.org, app::rules::Quarter::of(today())),
    )
    .await;
    let returned = created(
        a,
        "/api/suggestions/create",
        &suggestion_form(w.a.org, app::rules::Quarter::of(today())),
    )
    .await;
    ok(
        &supervisor,
        "/api/suggestions/review",
        &[
            ("request_id", &rid()),
            ("id", &returned.to_string()),
            ("action", "return"),
            ("comment", "请补充具体措施"),
        ],
    )
    .await;
    let start = today() + chrono::Duration::days(30);
    let exemption = created(
        a,
        "/api/exemptions/request",
        &vec![
            ("request_id", rid()),
            ("start_date", day(start)),
            ("end_date", day(start + chrono::Duration::days(2))),
            ("reason", "training".to_owned()),
            ("note", String::new()),
        ],
    )
    .await;
    let late = created(
        a,
        "/api/visits/create",
        &with(
            visit_form(w.a.org, days_ago(20)),
            &[("late", "true"), ("late_reason", "补记")],
        ),
    )
    .await;
    let export = created(
        &supervisor,
        "/api/exports/create",
        &vec![
            ("request_id", rid()),
            ("org_id", w.street.to_string()),
            ("quarter", app::rules::Quarter::of(today()).key()),
            ("format", "csv".to_owned()),
        ],
    )
    .await;
    let import: i64 = supervisor
        .client
        .post(supervisor.url("/api/import/dry-run"))
        .header(reqwest::header::ACCEPT, "application/json")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(
                "姓名,性别,手机号,领域,政治面貌,团干部\n矩阵青年,女,13700009999,学生,团员,cadre_a\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("matrix.csv"),
        ))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .expect("a dry run");
    let leaver = admin
        .create_account("leaver", "cadre", w.street, PASSWORD)
        .await;
    let leaving = signed_in("leaver").await;
    add_youth(&leaving, &youth_form("待移交青年")).await;
    let calendar_day = created(
        admin,
        "/api/calendar/add",
        &vec![
            ("request_id", rid()),
            ("day", "2027-01-01".to_owned()),
            ("kind", "holiday".to_owned()),
            ("name", "元旦".to_owned()),
        ],
    )
    .await;
    let notification = {
        use app::model::entities::notification;
        use sea_orm::{ActiveModelTrait, Set};
        notification::ActiveModel {
            account_id: Set(w.a.id),
            kind: Set("remind".to_owned()),
            period_key: Set("matrix".to_owned()),
            due_on: Set(None),
            title: Set("矩阵测试提醒".to_owned()),
            body: Set(String::new()),
            link: Set(Some("/".to_owned())),
            channels: Set("inbox".to_owned()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&admin.db)
        .await
        .unwrap()
        .id
    };
    let withdrawing = add_youth(a, &youth_form("撤回同意青年")).await;
    let pi_request = created(
        admin,
        "/api/pi-requests/create",
        &vec![
            ("request_id", rid()),
            ("youth_id", youth.to_string()),
            ("kind", "copy".to_owned()),
            ("received_on", String::new()),
            ("note", "要一份副本".to_owned()),
        ],
    )
    .await;
    let activity_form = |title: &str| {
        vec![
            ("request_id", rid()),
            ("title", title.to_owned()),
            ("kind", "theme_day".to_owned()),
            ("activity_date", day(today())),
            ("start_time", String::new()),
            ("place", "团委活动室".to_owned()),
            ("org_id", String::new()),
            ("youth_ids", youth.to_string()),
        ]
    };
    let activity = created(a, "/api/activities/create", &activity_form("矩阵主题团日")).await;
    let activity_to_close =
        created(a, "/api/activities/create", &activity_form("待结束的活动")).await;
    let activity_code = ok(a, "/api/activities/get", &[("id", &activity.to_string())]).await
        ["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    ok(
        &admin.session(),
        "/api/public/checkin",
        &[
            ("code", &activity_code),
            ("name", "矩阵新朋友"),
            ("phone", "13900001111"),
            ("consent", "true"),
        ],
    )
    .await;
    let queue = ok(a, "/api/enrol/list", &[]).await;
    let friend = queue["pending"][0]["id"].as_i64().expect("a new friend");
    let enrol_token = queue["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("a link")
        .to_owned();
    Fixture {
        activity,
        activity_code,
        activity_to_close,
        enrol_token,
        friend,
        withdrawing,
        pi_request,
        notification,
        export,
        import,
        returned,
        exemption,
        late,
        leaver,
        calendar_day,
        w,
        supervisor,
        other_supervisor,
        secadmin,
        auditor,
        victim,
        spare_org,
        pair_org,
        spare_pairing,
        contact,
        contact_to_delete,
        visit,
        suggestion,
    }
}

impl Fixture {
    fn caller(&self, c: Caller) -> TestApp {
        match c {
            Anonymous => self.w.admin.session(),
            Cadre => self.w.a.app.same_session(),
            OtherCadre => self.w.b.app.same_session(),
            Supervisor => self.supervisor.same_session(),
            OtherSupervisor => self.other_supervisor.same_session(),
            Admin => self.w.admin.same_session(),
            Secadmin => self.secadmin.same_session(),
            Auditor => self.auditor.same_session(),
        }
    }

    /// The form each server function is called with: it names the cadre's records.
    fn form(&self, endpoint: &str) -> Form {
        let youth = self.w.a.youths[0].to_string();
        let id = |n: i64| vec![("id", n.to_string())];
        match endpoint {
            "login" => vec![
                ("login", "cadre_a".to_owned()),
                ("password", PASSWORD.to_owned()),
            ],
            "logout" | "orgs/list" | "users/list" | "today" | "contacts/requests"
            | "youth/orgs" | "study/list" | "suggestions/list" | "inbox/list"
            | "reminders/health" | "settings/get" | "exports/list" | "audit/list"
            | "audit/verify" => vec![],
            "users/role" => vec![
                ("id", self.victim.to_string()),
                ("role", "supervisor".to_owned()),
                ("post", String::new()),
            ],
            "users/unlock" => id(self.victim),
            "totp/begin" | "totp/status" => vec![],
            "totp/reset" => vec![("account_id", self.victim.to_string())],
            // A code no authenticator shows now: refused for its caller (no pending sign-in)
            // before it is looked at. The positive call has a real code (below).
            "totp/confirm" | "login/totp" => vec![("code", "000000".to_owned())],
            "security/get" => vec![],
            // The defaults again: the calls after this one see the same policy.
            "security/update" => vec![
                ("min_length", "8".to_owned()),
                ("char_classes", "2".to_owned()),
                ("expiry_days", "90".to_owned()),
                ("history", "5".to_owned()),
                ("lockout_attempts", "5".to_owned()),
                ("lockout_minutes", "15".to_owned()),
                ("idle_minutes_admin", "720".to_owned()),
                ("idle_minutes_supervisor", "10080".to_owned()),
                ("idle_minutes_cadre", "10080".to_owned()),
            ],
            "inbox/read" => id(self.notification),
            "supervise/remind" => {
                vec![("request_id", rid()), ("cadre_id", self.w.a.id.to_string())]
            }
            "reminders/retry" | "calendar/regenerate" => vec![("request_id", rid())],
            "settings/notifications" => vec![
                ("email", "someone@example.org".to_owned()),
                ("notify_email", "true".to_owned()),
            ],
            "language" => vec![("locale", "en".to_owned())],
            "password" => vec![
                ("current_password", PASSWORD.to_owned()),
                ("new_password", "quiet-river-73".to_owned()),
                ("confirm_password", "quiet-river-73".to_owned()),
            ],
            "orgs/create" => vec![
                ("request_id", rid()),
                ("name", "矩阵测试团支部".to_owned()),
                ("kind", "community".to_owned()),
                ("parent_id", self.w.street.to_string()),
            ],
            "orgs/rename" => vec![
                ("id", self.spare_org.to_string()),
                ("name", "改名团支部".to_owned()),
            ],
            "orgs/move" => vec![
                ("id", self.spare_org.to_string()),
                ("parent_id", self.w.street.to_string()),
            ],
            "orgs/active" => vec![
                ("id", self.spare_org.to_string()),
                ("active", "false".to_owned()),
            ],
            "users/create" => vec![
                ("request_id", rid()),
                ("name", "矩阵用户".to_owned()),
                ("username", "matrix_user".to_owned()),
                ("phone", String::new()),
                ("role", "cadre".to_owned()),
                ("org_id", self.w.street.to_string()),
                ("post", "full_time".to_owned()),
                ("password", "quiet-river-73".to_owned()),
            ],
            "users/reset-password" => vec![
                ("id", self.victim.to_string()),
                ("new_password", "quiet-river-73".to_owned()),
            ],
            "users/deactivate" => id(self.victim),
            "users/pair" => vec![
                ("request_id", rid()),
                ("cadre_id", self.w.a.id.to_string()),
                ("org_id", self.pair_org.to_string()),
            ],
            "users/unpair" => id(self.spare_pairing),
            "youth/roster" => vec![("filter", "all".to_owned()), ("q", String::new())],
            "youth/get" => id(self.w.a.youths[0]),
            "youth/create" => youth_form("矩阵青年"),
            "youth/update" => with(youth_form("张伟"), &[("id", &youth)]),
            "contacts/create" => contact_form(self.w.a.youths[0]),
            "contacts/update" => with(
                contact_form(self.w.a.youths[0]),
                &[("id", &self.contact.to_string()), ("request", "想找实习")],
            ),
            "contacts/delete" => id(self.contact_to_delete),
            "contacts/get" => id(self.contact),
            "contacts/request" => vec![
                ("id", self.contact.to_string()),
                ("status", "in_progress".to_owned()),
                ("resolution", String::new()),
            ],
            "visits/create" => visit_form(self.w.a.org, days_ago(1)),
            "visits/list" => vec![("quarter", String::new())],
            "visits/get" => id(self.visit),
            "suggestions/create" => suggestion_form(self.w.a.org, app::rules::Quarter::of(today())),
            "suggestions/get" => id(self.suggestion),
            "study/create" => study_form(today(), "1"),
            "supervise/dashboard" => vec![
                ("org_id", self.w.street.to_string()),
                ("period", String::new()),
            ],
            "supervise/cadre" => id(self.w.a.id),
            "suggestions/review" => vec![
                ("request_id", rid()),
                ("id", self.suggestion.to_string()),
                ("action", "acknowledge".to_owned()),
                ("comment", String::new()),
            ],
            "suggestions/revise" => vec![
                ("id", self.returned.to_string()),
                ("title", "补充了具体措施的建议".to_owned()),
                ("description", "按季度公示积分，并设立团员先锋岗".to_owned()),
            ],
            "suggestions/queue" | "exemptions/queue" | "policy/get" | "calendar/list"
            | "exemptions/list" => vec![],
            "exemptions/request" => {
                let start = today() + chrono::Duration::days(40);
                vec![
                    ("request_id", rid()),
                    ("start_date", day(start)),
                    ("end_date", day(start)),
                    ("reason", "leave".to_owned()),
                    ("note", String::new()),
                ]
            }
            "late/list" => vec![("status", "all".to_owned())],
            "signoff/locks" => vec![],
            "signoff/status" => vec![
                ("org_id", self.w.street.to_string()),
                ("quarter", last_quarter()),
            ],
            "signoff/approve" => vec![
                ("request_id", rid()),
                ("org_id", self.w.street.to_string()),
                ("quarter", last_quarter()),
                ("comment", String::new()),
            ],
            "signoff/reopen" => vec![
                ("request_id", rid()),
                ("org_id", self.w.street.to_string()),
                ("quarter", last_quarter()),
                ("reason", "重新核对".to_owned()),
            ],
            "late/decide" => vec![
                ("request_id", rid()),
                ("id", self.late.to_string()),
                ("decision", "approve".to_owned()),
                ("comment", String::new()),
            ],
            "exemptions/decide" => vec![
                ("request_id", rid()),
                ("id", self.exemption.to_string()),
                ("decision", "approve".to_owned()),
                ("comment", String::new()),
            ],
            "roster/list" => vec![
                ("org_id", self.w.street.to_string()),
                ("cadre_id", self.w.a.id.to_string()),
            ],
            "roster/reassign" => vec![
                ("request_id", rid()),
                ("youth_ids", self.w.a.youths[1].to_string()),
                ("to_cadre_id", self.w.b.id.to_string()),
            ],
            "roster/handover-preview" | "roster/handover" => vec![
                ("request_id", rid()),
                ("from_cadre_id", self.leaver.to_string()),
                ("to_cadre_id", self.w.b.id.to_string()),
                ("effective_on", String::new()),
                ("pairings", "true".to_owned()),
                ("deactivate", "true".to_owned()),
            ],
            "policy/update" => vec![
                ("roster_target", "100".to_owned()),
                ("contact_due_days", "60".to_owned()),
                ("contact_overdue_days", "90".to_owned()),
                ("offline_contacts_per_year", "1".to_owned()),
                ("visit_days_per_week", "1".to_owned()),
                ("visit_late_entry_days", "7".to_owned()),
                ("min_working_days_per_week", "3".to_owned()),
                ("suggestions_per_quarter", "1".to_owned()),
                ("study_hours_per_month", "8".to_owned()),
            ],
            "calendar/add" => vec![
                ("request_id", rid()),
                ("day", "2027-02-16".to_owned()),
                ("kind", "holiday".to_owned()),
                ("name", "春节".to_owned()),
            ],
            "calendar/delete" => id(self.calendar_day),
            "exports/create" => vec![
                ("request_id", rid()),
                ("org_id", self.w.street.to_string()),
                ("quarter", app::rules::Quarter::of(today()).key()),
                ("format", "xlsx".to_owned()),
            ],
            "exports/status" => id(self.export),
            "import/get" => id(self.import),
            "import/apply" => vec![("request_id", rid()), ("id", self.import.to_string())],
            "youth/privacy" | "privacy/notices" => vec![],
            "activities/create" | "activities/update" => {
                let mut form = vec![
                    ("request_id", rid()),
                    ("title", "矩阵志愿服务".to_owned()),
                    ("kind", "volunteer".to_owned()),
                    ("activity_date", day(today())),
                    // No start: the code works all day, whatever the hour the test runs.
                    ("start_time", String::new()),
                    ("place", "社区服务站".to_owned()),
                    ("org_id", String::new()),
                    ("youth_ids", youth.clone()),
                ];
                if endpoint == "activities/update" {
                    form.push(("id", self.activity.to_string()));
                }
                form
            }
            "activities/list" | "enrol/list" => vec![],
            "activities/get" => id(self.activity),
            "activities/close" => id(self.activity_to_close),
            "public/activity" => vec![("code", self.activity_code.clone())],
            "public/cadre" => vec![("token", self.enrol_token.clone())],
            "public/checkin" => vec![
                ("code", self.activity_code.clone()),
                ("name", "另一位新朋友".to_owned()),
                ("phone", "13900002222".to_owned()),
                ("consent", "true".to_owned()),
                ("request", String::new()),
            ],
            "public/join" => vec![
                ("token", self.enrol_token.clone()),
                ("name", "链接新朋友".to_owned()),
                ("phone", "13900003333".to_owned()),
                ("gender", "female".to_owned()),
                ("birth_year", "2000".to_owned()),
                ("birth_month", "5".to_owned()),
                ("sector", "student".to_owned()),
                ("workplace", String::new()),
                ("consent", "true".to_owned()),
            ],
            "enrol/decide" => vec![
                ("request_id", rid()),
                ("id", self.friend.to_string()),
                ("decision", "accept".to_owned()),
            ],
            "enrol/regenerate" => vec![("request_id", rid())],
            "youth/reveal" => vec![
                ("id", youth.clone()),
                ("field", "phone".to_owned()),
                ("reason", "核实联系方式".to_owned()),
            ],
            "youth/withdraw" => vec![
                ("request_id", rid()),
                ("id", self.withdrawing.to_string()),
                ("withdrawn_on", String::new()),
            ],
            "privacy/notice-create" => {
                vec![("request_id", rid()), ("body", "矩阵测试告知".to_owned())]
            }
            "privacy/settings" => vec![
                ("default_basis", "duty".to_owned()),
                ("retention_years", "3".to_owned()),
            ],
            "privacy/hold" => vec![
                ("youth_id", youth.clone()),
                ("reason", "诉讼保全".to_owned()),
            ],
            "privacy/release" => vec![("youth_id", youth.clone())],
            "pi-requests/list" => vec![("status", String::new()), ("page", String::new())],
            "pi-requests/find" => vec![("q", "张".to_owned())],
            "pi-requests/create" => vec![
                ("request_id", rid()),
                ("youth_id", youth.clone()),
                ("kind", "correct".to_owned()),
                ("received_on", String::new()),
                ("note", String::new()),
            ],
            "pi-requests/act" => vec![
                ("request_id", rid()),
                ("id", self.pi_request.to_string()),
                ("action", "copy".to_owned()),
                ("comment", String::new()),
            ],
            other => panic!("no form for {other}"),
        }
    }
}

/// Every server function and who may call it successfully.
const MATRIX: &[(&str, Who)] = &[
    ("login", Who::Public),
    ("logout", Who::Public),
    ("language", Who::Public),
    ("password", Who::SignedIn),
    ("orgs/list", Who::SignedIn),
    ("orgs/create", Who::Admins),
    ("orgs/rename", Who::Admins),
    ("orgs/move", Who::Admins),
    ("orgs/active", Who::Admins),
    ("users/list", Who::Keepers),
    ("users/create", Who::Admins),
    ("users/reset-password", Who::Admins),
    ("users/deactivate", Who::Admins),
    ("users/pair", Who::Admins),
    ("users/unpair", Who::Admins),
    ("users/role", Who::Secadmins),
    ("users/unlock", Who::Secadmins),
    ("security/get", Who::Secadmins),
    ("security/update", Who::Secadmins),
    ("audit/list", Who::Auditors),
    ("audit/verify", Who::Auditors),
    ("today", Who::Cadres),
    ("youth/roster", Who::Cadres),
    ("youth/orgs", Who::Cadres),
    ("youth/create", Who::Cadres),
    ("youth/get", Who::Owner),
    ("youth/update", Who::Owner),
    ("contacts/create", Who::Owner),
    ("contacts/update", Who::Owner),
    ("contacts/delete", Who::Owner),
    ("contacts/get", Who::Owner),
    ("contacts/request", Who::Owner),
    ("contacts/requests", Who::Cadres),
    ("visits/list", Who::Cadres),
    ("visits/create", Who::Owner),
    ("visits/get", Who::Owner),
    ("suggestions/list", Who::Cadres),
    ("suggestions/create", Who::Owner),
    ("suggestions/get", Who::Owner),
    ("study/list", Who::Cadres),
    ("study/create", Who::Cadres),
    ("supervise/dashboard", Who::Overseers),
    ("supervise/cadre", Who::Overseers),
    ("suggestions/review", Who::Overseers),
    ("suggestions/revise", Who::Owner),
    ("suggestions/queue", Who::Supervisors),
    ("exemptions/list", Who::Cadres),
    ("exemptions/request", Who::Cadres),
    ("exemptions/decide", Who::Overseers),
    ("exemptions/queue", Who::Supervisors),
    ("late/list", Who::SignedIn),
    ("late/decide", Who::Overseers),
    ("signoff/status", Who::Overseers),
    // Approved by the street's supervisor, then reopened by them (the approver).
    ("signoff/approve", Who::Overseers),
    ("signoff/reopen", Who::Overseers),
    ("signoff/locks", Who::SignedIn),
    ("roster/list", Who::Overseers),
    ("roster/reassign", Who::Overseers),
    ("roster/handover-preview", Who::Overseers),
    ("roster/handover", Who::Overseers),
    ("policy/get", Who::Admins),
    ("policy/update", Who::Admins),
    ("calendar/list", Who::Admins),
    ("calendar/add", Who::Admins),
    ("calendar/delete", Who::Admins),
    ("inbox/list", Who::SignedIn),
    ("inbox/read", Who::Owner),
    ("supervise/remind", Who::Overseers),
    ("reminders/health", Who::Admins),
    ("reminders/retry", Who::Admins),
    ("calendar/regenerate", Who::SignedIn),
    ("settings/get", Who::SignedIn),
    ("settings/notifications", Who::SignedIn),
    ("exports/create", Who::Overseers),
    ("exports/status", Who::Overseers),
    ("exports/list", Who::Supervisors),
    ("import/get", Who::Requester),
    ("import/apply", Who::Requester),
    // The second factor: set up by the cadre for themselves (begun, then confirmed with a
    // code), finished at sign-in only from a pending session, reset by the security
    // administrator.
    ("totp/begin", Who::SignedIn),
    ("totp/confirm", Who::SignedIn),
    ("totp/status", Who::SignedIn),
    ("login/totp", Who::PendingSignIn),
    ("totp/reset", Who::Secadmins),
    // Personal information: the youth form's notice, reveals with a reason, withdrawal;
    // the privacy settings and rights requests, for the system administrator.
    ("youth/privacy", Who::Cadres),
    ("youth/reveal", Who::Revealers),
    ("youth/withdraw", Who::Withdrawers),
    ("privacy/notices", Who::Admins),
    ("privacy/notice-create", Who::Admins),
    ("privacy/settings", Who::Admins),
    // Set, then released by the next row.
    ("privacy/hold", Who::Admins),
    ("privacy/release", Who::Admins),
    ("pi-requests/list", Who::Admins),
    ("pi-requests/find", Who::Admins),
    ("pi-requests/create", Who::Admins),
    ("pi-requests/act", Who::Admins),
    // Activities and new friends: a cadre's own; the public sign-in and join need no account
    // (the link is replaced last: the rows before it use it).
    ("activities/create", Who::Cadres),
    ("activities/update", Who::Owner),
    ("activities/list", Who::Cadres),
    ("activities/get", Who::Owner),
    ("activities/close", Who::Owner),
    ("public/activity", Who::Public),
    ("public/cadre", Who::Public),
    ("public/checkin", Who::Public),
    ("public/join", Who::Public),
    ("enrol/list", Who::Cadres),
    ("enrol/decide", Who::Owner),
    ("enrol/regenerate", Who::Cadres),
];

/// The last quarter that has ended (`2026Q3`): the one a street can sign off.
fn last_quarter() -> String {
    app::rules::Quarter::of(today()).prev().key()
}

async fn every_server_function_answers_only_those_who_may_call_it(app: TestApp) {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let listed: BTreeSet<String> = MATRIX.iter().map(|(e, _)| (*e).to_owned()).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the authorisation matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "rows for no server function: {stale:?}");

    let f = fixture(app).await;
    let mut checked = 0;
    for (endpoint, who) in MATRIX {
        let path = format!("/api/{endpoint}");
        for caller in CALLERS.into_iter().filter(|c| !who.may(*c)) {
            let form = f.form(endpoint);
            let res = f.caller(caller).call(&path, &pairs(&form)).await;
            let status = res.status();
            assert!(
                !status.is_success() && !status.is_redirection(),
                "{endpoint} answered {status} to {caller:?}: {}",
                res.text().await.unwrap_or_default()
            );
            checked += 1;
        }
        // One that may: the form is valid, so the refusals above were about the caller.
        let positive = CALLERS.into_iter().find(|c| who.may(*c));
        let mut form = f.form(endpoint);
        let caller = match *endpoint {
            // Signing out, or changing the password, ends sessions: a session of its own.
            "logout" | "password" => {
                let s = f.w.admin.session();
                assert!(s.login("spare_user", PASSWORD).await.status().is_success());
                s
            }
            // The code the cadre's authenticator shows now, for the factor just begun.
            "totp/confirm" => {
                form = vec![("code", totp_code(&f.w.admin.db, f.w.a.id, 0).await)];
                f.caller(Cadre)
            }
            // The cadre's password opens a pending sign-in; the next step's code finishes it
            // (the current step's was taken by the confirmation).
            "login/totp" => {
                let s = f.w.admin.session();
                let res = s.login("cadre_a", PASSWORD).await;
                assert_eq!(res.headers()["location"], "/login/totp");
                form = vec![("code", totp_code(&f.w.admin.db, f.w.a.id, 1).await)];
                s
            }
            _ => f.caller(positive.expect("a caller who may")),
        };
        let res = caller.call(&path, &pairs(&form)).await;
        let status = res.status();
        assert!(
            status.is_success(),
            "{endpoint} as {positive:?} answers 2xx (the form is valid): {status} {}",
            res.text().await.unwrap_or_default()
        );
    }
    assert!(checked > 100, "{checked} refusals checked");
}
db_test!(every_server_function_answers_only_those_who_may_call_it);

/// Every page, and who sees it (200). Anyone else signed in gets the same 404 as a page that
/// does not exist; signed out, a redirect to `/login`. `{…}` are the fixture's records (the
/// cadre's own).
const PAGES: &[(&str, Who)] = &[
    ("/settings", Who::SignedIn),
    ("/inbox", Who::SignedIn),
    ("/outbox", Who::SignedIn),
    ("/youth", Who::Cadres),
    ("/youth/new", Who::Cadres),
    ("/youth/{youth}", Who::Owner),
    ("/youth/{youth}/edit", Who::Owner),
    ("/contacts/new", Who::Cadres),
    ("/contacts/{contact}/edit", Who::Owner),
    ("/visits", Who::Cadres),
    ("/visits/{visit}", Who::Owner),
    ("/suggestions", Who::Cadres),
    ("/suggestions/{suggestion}", Who::Owner),
    ("/study", Who::Cadres),
    ("/exemptions", Who::Cadres),
    ("/late", Who::Cadres),
    ("/requests", Who::Cadres),
    ("/supervise", Who::Supervisors),
    ("/supervise/cadres/{cadre}", Who::Overseers),
    ("/supervise/suggestions", Who::Supervisors),
    ("/supervise/exemptions", Who::Supervisors),
    ("/supervise/late", Who::Supervisors),
    ("/supervise/signoff", Who::Supervisors),
    ("/supervise/roster", Who::Supervisors),
    ("/exports", Who::Supervisors),
    ("/admin/import", Who::Importers),
    ("/admin/orgs", Who::Admins),
    ("/admin/policy", Who::Admins),
    ("/admin/calendar", Who::Admins),
    ("/admin/reminders", Who::Admins),
    ("/admin/users", Who::Keepers),
    ("/admin/security", Who::Secadmins),
    ("/admin/privacy", Who::Admins),
    ("/admin/pi-requests", Who::Admins),
    ("/audit", Who::Auditors),
    ("/activities", Who::Cadres),
    ("/activities/friends", Who::Cadres),
    ("/activities/{activity}", Who::Owner),
    ("/a", Who::Public),
    ("/a/{code}", Who::Public),
    ("/j/{token}", Who::Public),
];

async fn every_page_answers_only_those_who_may_see_it(app: TestApp) {
    use reqwest::StatusCode;
    let f = fixture(app).await;
    // Every route of the app has a row, but the three every role reaches by its own rules:
    // the start page, signing in and its second step.
    let routes: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .into_iter()
        .map(|r| {
            r.path()
                .replace(":id", "{id}")
                .replace(":code", "{code}")
                .replace(":token", "{token}")
        })
        .collect();
    let listed: BTreeSet<String> = PAGES
        .iter()
        .map(|(p, _)| {
            let mut p = (*p).to_owned();
            for key in [
                "{youth}",
                "{contact}",
                "{visit}",
                "{suggestion}",
                "{cadre}",
                "{activity}",
            ] {
                p = p.replace(key, "{id}");
            }
            p
        })
        .chain(["/", "/login", "/login/totp"].map(str::to_owned))
        .collect();
    assert_eq!(
        routes, listed,
        "pages without a row (or rows without a page)"
    );

    let mut checked = 0;
    for (pattern, who) in PAGES {
        let path = pattern
            .replace("{youth}", &f.w.a.youths[0].to_string())
            .replace("{contact}", &f.contact.to_string())
            .replace("{visit}", &f.visit.to_string())
            .replace("{suggestion}", &f.suggestion.to_string())
            .replace("{cadre}", &f.w.a.id.to_string())
            .replace("{activity}", &f.activity.to_string())
            .replace("{code}", &f.activity_code)
            .replace("{token}", &f.enrol_token);
        for caller in CALLERS {
            let res = f.caller(caller).get(&path).await;
            let status = res.status();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let expected = if who.may(caller) {
                StatusCode::OK
            } else if caller == Anonymous {
                StatusCode::FOUND
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(status, expected, "{path} for {caller:?} ({location})");
            if caller == Anonymous && !who.may(caller) {
                assert_eq!(location, "/login", "{path} signed out");
            }
            checked += 1;
        }
    }
    // The start page: a cadre's today, a supervisor's dashboard, a welcome for the others.
    for caller in CALLERS {
        let res = f.caller(caller).get("/").await;
        let (status, location) = (
            res.status(),
            res.headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("")
                .to_owned(),
        );
        match caller {
            Anonymous => assert_eq!((status, location.as_str()), (StatusCode::FOUND, "/login")),
            Supervisor | OtherSupervisor => {
                assert_eq!(
                    (status, location.as_str()),
                    (StatusCode::FOUND, "/supervise")
                );
            }
            _ => assert_eq!(status, StatusCode::OK, "/ for {caller:?}"),
        }
    }
    // Signing in: the form for strangers, the landing page for the signed in; the second step
    // only with a pending sign-in.
    for caller in CALLERS {
        let res = f.caller(caller).get("/login").await;
        if caller == Anonymous {
            assert_eq!(res.status(), StatusCode::OK);
        } else {
            assert_eq!(res.status(), StatusCode::FOUND, "/login for {caller:?}");
        }
        let res = f.caller(caller).get("/login/totp").await;
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "/login/totp for {caller:?}"
        );
    }
    assert!(checked > 250, "{checked} page answers checked");
}
db_test!(every_page_answers_only_those_who_may_see_it);
