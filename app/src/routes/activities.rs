//! `/activities` (the quarter's activities, a new one), `/activities/:id` (its sign-in code,
//! attendees, the visit day it can be) and `/activities/friends` (new friends, the enrolment
//! link).

use crate::activities::api::{
    get_activity, list_activities, ActivitiesPage, ActivityDetail, ActivityQuery, ActivityRow,
    CloseActivity, CreateActivity, Pick, UpdateActivity,
};
use crate::activities::rules::SignIn;
use crate::components::activities::{reach_line, ActivityList};
use crate::components::enhance::Behave;
use crate::components::form::{
    Enhanced, FieldMessage, Hidden, PostForm, RequestId, SelectField, TextField,
};
use crate::components::layout::Layout;
use crate::components::pager::Pager;
use crate::enrol::api::{enrol_list, EnrolDecide, EnrolPage, EnrolRegenerate, EnrolRow};
use crate::i18n::{fill, use_t};
use crate::page::{data_page, record_page};
use crate::types::{ActivityKind, EnrolDecision, EnrolSource, GuardianRelation, Role, Sector};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActivitiesListPage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map().with_untracked(|m| ActivityQuery {
        quarter: m.get("quarter").unwrap_or_default(),
        page: m.get("page").unwrap_or_default(),
    });
    data_page(
        Role::CADRES,
        t.activities_title,
        move || list_activities(query),
        |data| view! { <Activities data=data /> },
    )
}

/// The fields of an activity (new or changed).
#[component]
fn ActivityFields(
    orgs: Vec<(i64, String)>,
    #[prop(optional)] row: Option<ActivityRow>,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let t = use_t();
    let orgs: Vec<(String, String)> = orgs
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    let value = |f: fn(&ActivityRow) -> String| row.as_ref().map(f).unwrap_or_default();
    let date = row
        .as_ref()
        .map_or(today.to_string(), |r| r.date.to_string());
    view! {
        <TextField name="title" label=t.a_title value=value(|r| r.title.clone()) required=true maxlength=60 />
        <SelectField name="kind" label=t.a_kind options=ActivityKind::options(t) value=value(|r| r.kind.as_str().to_owned()) />
        <TextField name="activity_date" label=t.a_date kind="date" value=date required=true />
        <TextField name="start_time" label=t.a_start kind="time" value=value(|r| r.start_time.clone().unwrap_or_default()) />
        <TextField name="place" label=t.a_place value=value(|r| r.place.clone()) required=true maxlength=100 />
        <SelectField name="org_id" label=t.a_org options=orgs value=value(|r| r.org_id.map(|o| o.to_string()).unwrap_or_default()) placeholder=t.a_org_none />
    }
}

#[component]
fn Activities(data: ActivitiesPage) -> impl IntoView {
    let t = use_t();
    let quarter = data.quarter.clone();
    let link_quarter = quarter.clone();
    view! {
        <section class="card">
            <h2>{fill(t.activities_quarter, &[("quarter", &quarter)])}</h2>
            <p data-testid="activity-reach">{reach_line(t, &crate::compliance::Reach { held: data.held, attendances: data.attendances, youths: data.youths })}</p>
            <p>
                <a class="button" href="/activities/friends" data-testid="friends-link">
                    {fill(t.friends_link, &[("n", &data.pending.to_string())])}
                </a>
            </p>
            <nav class="tabs small" aria-label=t.a_quarters>
                {data.quarters.iter().map(|q| {
                    let current = *q == quarter;
                    view! { <a href=format!("/activities?quarter={q}") aria-current=current.then_some("page")>{q.clone()}</a> }
                }).collect_view()}
            </nav>
        </section>
        <details class="card" id="new" open=data.rows.is_empty()>
            <summary><h2 class="inline">{t.activity_new}</h2></summary>
            <Enhanced>
                <PostForm action=CreateActivity::PATH id="activity">
                    <RequestId />
                    <ActivityFields orgs=data.orgs.clone() today=data.today />
                    <details>
                        <summary>{t.a_tick_now}</summary>
                        <Picker picks=data.roster.clone() list="new-picks" />
                    </details>
                    <p class="hint">{t.activity_new_hint}</p>
                    <button type="submit" class="primary">{t.activity_create}</button>
                </PostForm>
            </Enhanced>
        </details>
        <section class="card" data-live="activities">
            <h2>{t.activities_list}</h2>
            {if data.rows.is_empty() {
                view! { <p class="hint">{t.no_activities}</p> }.into_any()
            } else {
                view! {
                    <ActivityList rows=data.rows links=true />
                }.into_any()
            }}
            <Pager page=data.page pages=data.pages link=move |p| format!("/activities?quarter={link_quarter}&page={p}") />
        </section>
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, get_activity, move |viewer, d| {
        view! {
            <Layout viewer=viewer title=t.activity_detail>
                <ActivityView d=d />
            </Layout>
        }
    })
}

#[component]
fn ActivityView(d: ActivityDetail) -> impl IntoView {
    let t = use_t();
    let id = d.row.id.to_string();
    let open = matches!(d.row.sign_in, SignIn::Open | SignIn::NotYet);
    let attending = d.picks.iter().filter(|p| p.attending).count() + d.former.len();
    let visit_work = fill(t.a_visit_work, &[("title", &d.row.title)]);
    view! {
        <section class="card" data-live="signin">
            <h2>{d.row.title.clone()}</h2>
            <p class="muted">
                {format!("{} {} · {} · {}", d.row.date, d.row.start_time.clone().unwrap_or_default(), d.row.kind.label(t), d.row.place)}
                {d.row.org_name.clone().map(|o| format!(" · {o}"))}
            </p>
            <p>
                <span class=format!("light {}", d.row.sign_in.class()) data-testid="signin-state">{d.row.sign_in.label(t)}</span>
                " "
                {fill(t.a_attendees_n, &[("n", &d.row.attendees.to_string()), ("signed", &d.row.signed_in.to_string())])}
            </p>
            {open.then(|| view! {
                <div class="qr" data-testid="activity-qr" inner_html=d.qr_svg.clone()></div>
                <p class="hint">{fill(t.a_scan_hint, &[("site", d.url.rsplit_once("/a/").map_or("", |(site, _)| site))])}</p>
                <p class="code" data-testid="activity-code">{d.code.clone()}</p>
                <p class="small"><a href=d.url.clone() data-testid="activity-url">{d.url.clone()}</a></p>
                <Behave>
                    <PostForm action=CloseActivity::PATH id="close" class="inline">
                        <Hidden name="id" value=id.clone() />
                        <button type="submit" class="small" data-confirm=t.a_close_confirm>{t.a_close}</button>
                    </PostForm>
                </Behave>
            })}
        </section>
        {d.visit_offer.clone().map(|o| view! {
            <section class="card">
                <h2>{t.a_visit_title}</h2>
                <p>{fill(t.a_visit_hint, &[("org", &o.org_name), ("date", &o.date.to_string())])}</p>
                <Enhanced>
                    <PostForm action=crate::visits::api::LogVisit::PATH id="activity-visit">
                        <RequestId />
                        <Hidden name="visit_date" value=o.date.to_string() />
                        <Hidden name="org_id" value=o.org_id.to_string() />
                        <Hidden name="hours" value="8" />
                        <Hidden name="work_done" value=visit_work.clone() />
                        <button type="submit" class="primary" data-testid="log-visit">{t.a_visit_button}</button>
                    </PostForm>
                </Enhanced>
            </section>
        })}
        <section class="card">
            <h2>{fill(t.a_attendees_title, &[("n", &attending.to_string())])}</h2>
            {if d.editable {
                view! { <AttendeeForm d=d.clone() /> }.into_any()
            } else {
                view! {
                    <p class="hint">{t.a_locked}</p>
                    <ul class="list">
                        {d.picks.iter().chain(d.former.iter()).filter(|p| p.attending).map(|p| view! {
                            <li>{p.name.clone()}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <p><a href="/activities">{t.activities_title}</a></p>
    }
}

/// The roster to tick (searchable; "tick all shown" with JavaScript), attendees first.
#[component]
fn Picker(picks: Vec<Pick>, list: &'static str) -> impl IntoView {
    let t = use_t();
    let search = format!("{list}-search");
    view! {
        <div class="field">
            <label for=search.clone()>{t.a_search}</label>
            <input id=search type="search" data-filter=list autocomplete="off" />
        </div>
        <p><button type="button" class="small" data-check-all=list>{t.a_tick_all}</button></p>
        <FieldMessage name="youth_ids" />
        <ul class="list picks" id=list data-testid=list>
            {picks.into_iter().map(|p| {
                let text = format!("{} {}", p.name, p.workplace);
                view! {
                    <li data-text=text>
                        <label class="check">
                            <input type="checkbox" name="youth_ids" value=p.youth_id.to_string() checked=p.attending />
                            <span>{p.name.clone()}</span>
                            <span class="muted small">{p.workplace.clone()}</span>
                            {p.signed_in.then(|| view! { <span class="tag">{t.a_signed_in}</span> })}
                        </label>
                        {p.request.clone().map(|r| view! { <p class="small">{format!("{}：{r}", t.c_request)}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The attendees, ticked from the roster (searchable; "tick all shown" with JavaScript), and the
/// activity's fields folded: one save.
#[component]
fn AttendeeForm(d: ActivityDetail) -> impl IntoView {
    let t = use_t();
    view! {
        <Enhanced>
            <PostForm action=UpdateActivity::PATH id="attendees">
                <Hidden name="id" value=d.row.id.to_string() />
                <Hidden name="loaded_at" value=d.loaded_at.clone() />
                <Picker picks=d.picks.iter().chain(d.former.iter()).cloned().collect() list="picks" />
                <details>
                    <summary>{t.a_edit_fields}</summary>
                    <ActivityFields orgs=d.orgs.clone() row=d.row.clone() today=d.today />
                </details>
                <button type="submit" class="primary" data-testid="save-attendees">{t.a_save_attendees}</button>
            </PostForm>
        </Enhanced>
    }
}

#[component]
pub fn FriendsPage() -> impl IntoView {
    let t = use_t();
    data_page(
        Role::CADRES,
        t.friends_title,
        enrol_list,
        |data| view! { <Friends data=data /> },
    )
}

#[component]
fn Friends(data: EnrolPage) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="card" data-live="friends">
            <h2>{fill(t.friends_pending, &[("n", &data.pending.len().to_string())])}</h2>
            {if data.pending.is_empty() {
                view! { <p class="hint">{t.friends_none}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="friends">
                        {data.pending.into_iter().map(|r| view! { <Friend row=r /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{t.join_link_title}</h2>
            <p class="hint">{t.join_link_hint}</p>
            <div class="qr" data-testid="join-qr" inner_html=data.qr_svg.clone()></div>
            <p class="small"><a href=data.link.clone() data-testid="join-link">{data.link.clone()}</a></p>
            <Behave>
                <PostForm action=EnrolRegenerate::PATH id="join-regenerate" class="inline">
                    <RequestId />
                    <button type="submit" class="small" data-confirm=t.join_regenerate_confirm>{t.join_regenerate}</button>
                </PostForm>
            </Behave>
        </section>
        {(!data.decided.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t.friends_decided}</h2>
                <ul class="list">
                    {data.decided.into_iter().map(|r| view! {
                        <li>
                            <strong>{r.name.clone()}</strong>
                            <span class="muted small">{format!("{} · {}", r.source.label(t), r.status.label(t))}</span>
                            {r.youth_id.map(|y| view! { <a class="small" href=format!("/youth/{y}")>{t.friends_profile}</a> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn Friend(row: EnrolRow) -> impl IntoView {
    let t = use_t();
    let id = row.id.to_string();
    let key = ("id", id.clone());
    let dismiss_id = id.clone();
    let from = match (&row.source, &row.activity_title) {
        (EnrolSource::Checkin, Some(title)) => fill(t.friend_from_activity, &[("title", title)]),
        _ => t.friend_from_link.to_owned(),
    };
    let birth = match (row.birth_year, row.birth_month) {
        (Some(y), Some(m)) => format!("{y}-{m:02}"),
        (Some(y), None) => y.to_string(),
        _ => String::new(),
    };
    let facts = [
        row.gender.map(|g| g.label(t).to_owned()),
        (!birth.is_empty()).then_some(birth),
        row.sector.map(|s| s.label(t).to_owned()),
        row.workplace.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let holder = match row.holder.as_deref() {
        Some("mine") => Some(t.friend_on_roster),
        Some("elsewhere") => Some(t.friend_elsewhere),
        _ => None,
    };
    let failed = crate::components::form::failed_for(EnrolDecide::PATH, "id", &id);
    let sectors = Sector::options(t);
    let minor = row.minor;
    let birth_year = row.birth_year.map(|y| y.to_string()).unwrap_or_default();
    let birth_month = row.birth_month.map(|m| m.to_string()).unwrap_or_default();
    let sector = row
        .sector
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let relations = GuardianRelation::options(t);
    view! {
        <li data-testid="friend">
            <p><strong>{row.name.clone()}</strong> " " <span>{row.phone.clone()}</span></p>
            <p class="muted small">{from}</p>
            {(!facts.is_empty()).then(|| view! { <p class="small">{facts}</p> })}
            {row.request.clone().map(|r| view! { <p class="small">{format!("{}：{r}", t.c_request)}</p> })}
            {holder.map(|h| view! { <p class="small warn">{h}</p> })}
            {row.minor.then(|| view! { <p class="small warn">{t.friend_minor}</p> })}
            <p class="muted small">{fill(t.friend_consent, &[("version", &row.notice_version.to_string()), ("at", &crate::reminders::rules::local(row.consented_at).format("%Y-%m-%d %H:%M").to_string())])}</p>
            <Enhanced>
                <PostForm action=EnrolDecide::PATH id=format!("accept-{id}") key=key.clone()>
                    <RequestId />
                    <Hidden name="id" value=id.clone() />
                    <Hidden name="decision" value=EnrolDecision::Accept.as_str() />
                    <details open=failed || minor>
                        <summary>{if minor { t.friend_guardian } else { t.friend_more }}</summary>
                        {minor.then(|| view! {
                            <TextField name="guardian_name" label=t.y_guardian_name maxlength=30 />
                            <SelectField name="guardian_relation" label=t.y_guardian_relation options=relations placeholder=t.choose />
                            <TextField name="guardian_consent_on" label=t.y_guardian_consent_on kind="date" />
                        })}
                        <TextField name="birth_year" label=t.y_birth_year inputmode="numeric" maxlength=4 value=birth_year />
                        <TextField name="birth_month" label=t.y_birth_month inputmode="numeric" maxlength=2 value=birth_month />
                        <SelectField name="sector" label=t.y_sector options=sectors value=sector placeholder=t.choose />
                    </details>
                    <button type="submit" class="primary" data-testid="accept">{EnrolDecision::Accept.label(t)}</button>
                </PostForm>
                <PostForm action=EnrolDecide::PATH id=format!("dismiss-{dismiss_id}") key=key class="inline">
                    <RequestId />
                    <Hidden name="id" value=dismiss_id.clone() />
                    <Hidden name="decision" value=EnrolDecision::Dismiss.as_str() />
                    <button type="submit" class="small" data-testid="dismiss">{EnrolDecision::Dismiss.label(t)}</button>
                </PostForm>
            </Enhanced>
        </li>
    }
}
