//! `/youth` (my roster), `/youth/new`, `/youth/:id` (profile), `/youth/:id/edit`.

use crate::components::contacts::{ContactFields, ContactList, RequestForms};
use crate::components::form::{
    CardForm, FieldMessage, Hidden, RequestId, SelectField, TextArea, TextField,
};
use crate::components::layout::Layout;
use crate::components::roster::RosterList;
use crate::contacts::api::LogContact;
use crate::i18n::{fill, use_t};
use crate::page::{data_page, guard, record_page};
use crate::rules::contact_words;
use crate::types::Role;
use crate::types::{Basis, GuardianRelation};
use crate::types::{Gender, PoliticalStatus, RequestStatus, Sector};
use crate::youth::api::{
    get_roster, get_youth, youth_org_choices, youth_privacy, CreateYouth, RosterFilter,
    UpdateYouth, WithdrawYouth, YouthDetail,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RosterPage() -> impl IntoView {
    let t = use_t();
    let (filter, q) = use_query_map().with_untracked(|m| {
        (
            RosterFilter::parse(&m.get("filter").unwrap_or_default()),
            m.get("q").unwrap_or_default(),
        )
    });
    let query = q.clone();
    data_page(
        Role::CADRES,
        t.roster_title,
        move || get_roster(filter.as_str().to_string(), query),
        move |r| {
            let tabs = [
                (RosterFilter::All, t.filter_all, r.total),
                (RosterFilter::Due, t.filter_due, r.due),
                (RosterFilter::Overdue, t.filter_overdue, r.overdue),
                (RosterFilter::Never, t.filter_never, r.never),
            ];
            view! {
                <p class="muted">
                    {fill(t.roster_count, &[("n", &r.total.to_string()), ("target", &r.target.to_string())])}
                    " · "
                    <a href="/youth/new">{t.add_youth}</a>
                </p>
                <nav class="tabs">
                    {tabs
                        .into_iter()
                        .map(|(f, label, n)| {
                            view! {
                                <a href=format!("/youth?filter={}", f.as_str()) aria-current=(f == filter).then_some("page")>
                                    {format!("{label} {n}")}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <form method="get" action="/youth" class="search" role="search">
                    <input type="hidden" name="filter" value=filter.as_str() />
                    <input type="search" name="q" value=q placeholder=t.search_name aria-label=t.search_name />
                    <button type="submit">{t.search}</button>
                </form>
                <RosterList entries=r.entries link="/youth/" />
            }
        },
    )
}

#[component]
pub fn YouthPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, get_youth, move |viewer, p| {
        let y = p.youth.clone();
        let open: Vec<_> = p
            .contacts
            .iter()
            .filter(|c| c.request.is_some() && c.request_status != Some(RequestStatus::Resolved))
            .cloned()
            .collect();
        view! {
            <Layout viewer=viewer title=y.name.clone()>
                <section class="card" data-live="youth-status">
                    <p>
                        <span class=format!("light {}", p.status.class())>{p.status.label(t)}</span>
                        " "
                        <span class="muted">{contact_words(p.status, p.contacts.is_empty(), p.days, t)}</span>
                    </p>
                    <YouthFacts y=y.clone() />
                    <p><a href=format!("/youth/{}/edit", y.id)>{t.edit_youth}</a></p>
                </section>
                <CardForm action=LogContact::PATH id="contact" title=t.contact_title>
                    <RequestId />
                    <Hidden name="youth_id" value=y.id.to_string() />
                    <ContactFields />
                    <crate::components::late::LateFields date_field="contact_date" />
                    <button type="submit" class="primary">{t.save}</button>
                </CardForm>
                <div data-live="youth-contacts">
                    {(!open.is_empty()).then(|| view! {
                        <section class="card">
                            <h2>{t.open_requests}</h2>
                            <RequestForms contacts=open />
                        </section>
                    })}
                    <section class="card">
                        <h2>{t.contact_history}</h2>
                        <ContactList contacts=p.contacts />
                    </section>
                </div>
                <section class="card" id="withdraw">
                    <details>
                        <summary>{t.withdraw_title}</summary>
                        <p class="hint">{t.withdraw_hint}</p>
                        <crate::components::enhance::Behave>
                            <crate::components::form::PostForm action=WithdrawYouth::PATH id="withdraw-form">
                                <RequestId />
                                <Hidden name="id" value=y.id.to_string() />
                                <TextField name="withdrawn_on" label=t.withdraw_on kind="date" value=crate::page::today().to_string() />
                                <button type="submit" class="danger" data-confirm=t.withdraw_hint>{t.withdraw_button}</button>
                            </crate::components::form::PostForm>
                        </crate::components::enhance::Behave>
                    </details>
                </section>
            </Layout>
        }
    })
}

#[component]
fn YouthFacts(y: YouthDetail) -> impl IntoView {
    let t = use_t();
    let tel = format!("tel:{}", y.phone);
    view! {
        <dl class="facts">
            <dt>{t.y_phone}</dt>
            <dd><a href=tel data-testid="phone">{y.phone.clone()}</a></dd>
            {y.wechat.clone().map(|w| view! { <dt>{t.y_wechat}</dt><dd>{w}</dd> })}
            <dt>{t.y_gender}</dt>
            <dd>
                {y.gender.map(|g| g.label(t)).unwrap_or("-")}
                {y.birth_year.map(|b| match y.birth_month {
                    Some(m) => format!(" · {b}-{m:02}"),
                    None => format!(" · {b}"),
                })}
            </dd>
            <dt>{t.y_org}</dt>
            <dd>{y.workplace.clone()}</dd>
            <dt>{t.y_sector}</dt>
            <dd>{y.sector.map(|s| s.label(t)).unwrap_or("-")} " · " {y.political_status.map(|s| s.label(t)).unwrap_or("-")}</dd>
            <dt>{t.y_assigned}</dt>
            <dd>{y.assigned_on.to_string()}</dd>
            <dt>{t.y_basis}</dt>
            <dd data-testid="basis">
                {y.basis.label(t)}
                " · "
                {match y.notice_version {
                    Some(v) => fill(t.y_notice_on_record, &[("v", &v.to_string())]),
                    None => t.y_notice_none.to_owned(),
                }}
            </dd>
            {y.minor.then(|| view! {
                <dt>{t.minor_badge}</dt>
                <dd data-testid="guardian">
                    {format!(
                        "{} · {} · {}",
                        y.guardian_name.clone().unwrap_or_default(),
                        y.guardian_relation.map(|r| r.label(t)).unwrap_or("-"),
                        y.guardian_consent_on.map(|d| d.to_string()).unwrap_or_default(),
                    )}
                </dd>
            })}
            {(!y.tags.is_empty()).then(|| view! { <dt>{t.y_tags}</dt><dd>{y.tags.clone()}</dd> })}
            {(!y.notes.is_empty()).then(|| view! { <dt>{t.y_notes}</dt><dd>{y.notes.clone()}</dd> })}
        </dl>
    }
}

#[component]
pub fn NewYouthPage() -> impl IntoView {
    let t = use_t();
    guard(Role::CADRES, move |viewer| {
        view! {
            <Layout viewer=viewer title=t.add_youth>
                <YouthFormCard existing=None />
            </Layout>
        }
    })
}

#[component]
pub fn EditYouthPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, get_youth, move |viewer, p| {
        view! {
            <Layout viewer=viewer title=t.edit_youth>
                <YouthFormCard existing=Some(p.youth) />
            </Layout>
        }
    })
}

#[component]
fn YouthFormCard(existing: Option<YouthDetail>) -> impl IntoView {
    let t = use_t();
    view! {
        <Suspense>
            {Suspend::new(async move {
                let orgs = youth_org_choices().await.unwrap_or_default();
                let privacy = youth_privacy().await.ok();
                let orgs: Vec<(String, String)> = orgs.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
                let y = existing.clone();
                let (action, form_id) = if y.is_some() { (UpdateYouth::PATH, "youth-edit") } else { (CreateYouth::PATH, "youth-new") };
                let v = |f: fn(&YouthDetail) -> String| y.as_ref().map(f).unwrap_or_default();
                let (name, gender, phone, birth_year, wechat, org_id, workplace, sector, political, tags, notes) = (
                    v(|y| y.name.clone()),
                    v(|y| y.gender.map(|g| g.as_str().to_string()).unwrap_or_default()),
                    v(|y| y.phone.clone()),
                    v(|y| y.birth_year.map(|b| b.to_string()).unwrap_or_default()),
                    v(|y| y.wechat.clone().unwrap_or_default()),
                    v(|y| y.org_id.map(|o| o.to_string()).unwrap_or_default()),
                    v(|y| y.workplace_other.clone()),
                    v(|y| y.sector.map(|s| s.as_str().to_string()).unwrap_or_default()),
                    v(|y| y.political_status.map(|s| s.as_str().to_string()).unwrap_or_default()),
                    v(|y| y.tags.clone()),
                    v(|y| y.notes.clone()),
                );
                let birth_month = v(|y| y.birth_month.map(|m| m.to_string()).unwrap_or_default());
                let basis = y
                    .as_ref()
                    .map(|y| y.basis)
                    .or(privacy.as_ref().map(|p| p.default_basis))
                    .unwrap_or(Basis::Duty)
                    .as_str()
                    .to_owned();
                // An edit keeps the notice on record (none for youths recorded before notices);
                // a new youth is shown the one in force.
                let notice_version = match &y {
                    Some(y) => y.notice_version,
                    None => privacy.as_ref().map(|p| p.notice_version),
                }
                .map(|n| n.to_string())
                .unwrap_or_default();
                let privacy = privacy.filter(|_| y.is_none());
                let (guardian_name, guardian_relation, guardian_consent_on) = (
                    v(|y| y.guardian_name.clone().unwrap_or_default()),
                    v(|y| y.guardian_relation.map(|r| r.as_str().to_owned()).unwrap_or_default()),
                    v(|y| y.guardian_consent_on.map(|d| d.to_string()).unwrap_or_default()),
                );
                let months: Vec<(String, String)> = (1..=12).map(|m| (m.to_string(), m.to_string())).collect();
                let notice = privacy.map(|p| view! {
                    <details class="notice-text" data-testid="privacy-notice">
                        <summary>{fill(t.y_notice_shown, &[("v", &p.notice_version.to_string())])}</summary>
                        <div class="prose">
                            {p.notice.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}
                        </div>
                    </details>
                });
                let key = match &y {
                    Some(y) => view! { <Hidden name="id" value=y.id.to_string() /> }.into_any(),
                    None => view! { <RequestId /> }.into_any(),
                };
                view! {
                    <CardForm action=action id=form_id>
                        {key}
                        <TextField name="name" label=t.y_name value=name required=true maxlength=30 />
                        <SelectField name="gender" label=t.y_gender options=Gender::options(t) value=gender placeholder=t.choose />
                        <TextField name="phone" label=t.y_phone kind="tel" inputmode="numeric" value=phone required=true maxlength=13 />
                        <TextField name="birth_year" label=t.y_birth_year inputmode="numeric" value=birth_year maxlength=4 />
                        <SelectField name="birth_month" label=t.y_birth_month options=months value=birth_month placeholder=t.none_option />
                        <TextField name="wechat" label=t.y_wechat value=wechat maxlength=64 />
                        <SelectField name="org_id" label=t.y_org options=orgs value=org_id placeholder=t.none_option />
                        <TextField name="workplace" label=t.y_workplace value=workplace maxlength=100 />
                        <SelectField name="sector" label=t.y_sector options=Sector::options(t) value=sector placeholder=t.choose />
                        <SelectField name="political_status" label=t.y_political options=PoliticalStatus::options(t) value=political placeholder=t.choose />
                        <TextField name="tags" label=t.y_tags value=tags maxlength=200 />
                        <TextArea name="notes" label=t.y_notes value=notes maxlength=1000 />
                        <fieldset class="group" data-testid="guardian-fields">
                            <legend>{t.y_guardian}</legend>
                            <TextField name="guardian_name" label=t.y_guardian_name value=guardian_name maxlength=30 />
                            <SelectField name="guardian_relation" label=t.y_guardian_relation options=GuardianRelation::options(t) value=guardian_relation placeholder=t.choose />
                            <TextField name="guardian_consent_on" label=t.y_guardian_consent_on kind="date" value=guardian_consent_on />
                        </fieldset>
                        <SelectField name="basis" label=t.y_basis options=Basis::options(t) value=basis />
                        <Hidden name="notice_version" value=notice_version />
                        {notice}
                        <FieldMessage name="notice_version" />
                        <button type="submit" class="primary">{t.save}</button>
                    </CardForm>
                }
            })}
        </Suspense>
    }
}
