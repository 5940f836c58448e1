//! `/admin/pi-requests` (个人信息权利请求): record a youth's request to access and copy, correct
//! or delete their information or to withdraw consent, and act on it before its due date.

use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{Hidden, PostForm, RequestId, SelectField, TextArea, TextField};
use crate::components::pager::Pager;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::pirequests::api::{
    find_youths, list_pi_requests, ActOnPiRequest, CreatePiRequest, FoundYouth, PiPage, PiRow,
};
use crate::types::{Gender, PiAction, PiKind, PiStatus, Role};
use crate::youth::api::WithdrawYouth;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PiRequestsPage() -> impl IntoView {
    let t = use_t();
    let (status, page, q) = use_query_map().with_untracked(|m| {
        (
            m.get("status").unwrap_or_default(),
            m.get("page").unwrap_or_default(),
            m.get("q").unwrap_or_default(),
        )
    });
    data_page(
        Role::SYSADMINS,
        t.pi_title,
        move || async move {
            let list = list_pi_requests(status, page).await?;
            let found = if q.trim().is_empty() {
                Vec::new()
            } else {
                find_youths(q.clone()).await?
            };
            Ok((list, found, q))
        },
        |(list, found, q)| view! { <PiRequestsView list=list found=found q=q /> },
    )
}

#[component]
fn PiRequestsView(list: PiPage, found: Vec<FoundYouth>, q: String) -> impl IntoView {
    let t = use_t();
    let tabs = [
        ("", t.pi_filter_all),
        ("open", t.pis_open),
        ("overdue", t.pi_overdue),
        ("done", t.pis_done),
        ("refused", t.pis_refused),
    ];
    let status = list.status.clone();
    let link = move |page: usize| format!("/admin/pi-requests?status={status}&page={page}");
    let searched = !q.trim().is_empty();
    view! {
        <p class="muted" data-testid="pi-counts">
            {format!("{} {} · {} {}", t.pis_open, list.open, t.pi_overdue, list.overdue)}
        </p>
        <nav class="tabs">
            {tabs.into_iter().map(|(code, label)| view! {
                <a href=format!("/admin/pi-requests?status={code}") aria-current=(code == list.status).then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
        {if list.rows.is_empty() {
            view! { <p class="hint">{t.pi_none}</p> }.into_any()
        } else {
            view! {
                <ul class="list cards" data-testid="pi-requests">
                    {list.rows.into_iter().map(|r| view! { <RequestRow r=r /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <Pager page=list.page pages=list.pages link=link />
        <section class="card" id="new">
            <h2>{t.pi_new}</h2>
            <form method="get" action="/admin/pi-requests#new" class="search" role="search">
                <input type="search" name="q" value=q.clone() placeholder=t.pi_find aria-label=t.pi_find />
                <button type="submit">{t.pi_find_button}</button>
            </form>
            {(searched && found.is_empty()).then(|| view! { <p class="hint">{t.pi_found_none}</p> })}
            <ul class="list" data-testid="found-youths">
                {found.into_iter().map(|y| view! { <FoundRow y=y today=list.today /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn FoundRow(y: FoundYouth, today: chrono::NaiveDate) -> impl IntoView {
    let t = use_t();
    let id = y.id;
    view! {
        <li data-youth=id.to_string()>
            <span class="name">{format!("{} (#{id})", y.name)}</span>
            <span class="muted small">
                {format!("{} · {}", y.workplace, if y.cadre.is_empty() { "-".to_owned() } else { y.cadre.clone() })}
                {y.withdrawn.then(|| format!(" · {}", t.pik_withdraw))}
            </span>
            <crate::components::reveal::Reveal id=id phone=y.phone.clone() wechat=y.wechat.clone() />
            <details>
                <summary>{t.pi_new}</summary>
                <PostForm action=CreatePiRequest::PATH id=format!("pi-new-{id}") key=("youth_id", id.to_string())>
                    <RequestId />
                    <Hidden name="youth_id" value=id.to_string() />
                    <SelectField name="kind" label=t.pi_kind options=PiKind::options(t) placeholder=t.choose />
                    <TextField name="received_on" label=t.pi_received_on kind="date" value=today.to_string() required=true />
                    <TextArea name="note" label=t.pi_note maxlength=1000 />
                    <button type="submit" class="primary">{t.save}</button>
                </PostForm>
            </details>
        </li>
    }
}

#[component]
fn RequestRow(r: PiRow) -> impl IntoView {
    let t = use_t();
    let id = r.id;
    let due = if r.status != PiStatus::Open {
        view! { <span class="tag">{r.status.label(t)}</span> }.into_any()
    } else if r.overdue {
        view! { <span class="light overdue" data-testid="overdue">{t.pi_overdue}</span> }.into_any()
    } else {
        view! { <span class="light due">{fill(t.pi_due_in, &[("n", &r.days_left.to_string())])}</span> }.into_any()
    };
    let done = r.action.as_deref().map(|a| {
        let label = PiAction::parse(a)
            .map(|a| a.label(t))
            .or(PiKind::parse(a).map(|k| k.label(t)))
            .unwrap_or(a)
            .to_owned();
        view! {
            <p class="small" data-testid="pi-done">
                {fill(t.pi_acted, &[("action", &label)])}
                {r.comment.clone().map(|c| format!(" · {c}"))}
            </p>
        }
    });
    let open = r.status == PiStatus::Open;
    view! {
        <li id=format!("pi-{id}") data-testid="pi-request" data-status=r.status.as_str()>
            <p>
                <strong>{r.kind.label(t)}</strong>
                " · "
                <span class="name">{format!("{} (#{})", r.youth_name, r.youth_id)}</span>
                " "
                <span class="muted small">{r.phone.clone()}</span>
            </p>
            <p class="small">
                {format!("{} {} · {} {} ", t.pi_received_on, r.received_on, t.pi_due_on, r.due_on)}
                {due}
            </p>
            {(!r.note.is_empty()).then(|| view! { <p class="small prose">{r.note.clone()}</p> })}
            {done}
            {(open && !r.anonymised).then(|| view! { <Actions r=r.clone() /> })}
            {(open && r.anonymised).then(|| view! { <RefuseForm id=id /> })}
        </li>
    }
}

#[component]
fn Actions(r: PiRow) -> impl IntoView {
    let t = use_t();
    let id = r.id;
    let act = move |action: PiAction, label: &'static str, children: AnyView| {
        view! {
            <PostForm action=ActOnPiRequest::PATH id=format!("pi-{}-{id}", action.as_str()) key=("id", id.to_string())>
                <RequestId />
                <Hidden name="id" value=id.to_string() />
                <Hidden name="action" value=action.as_str() />
                {children}
                <TextField name="comment" label=t.pi_comment maxlength=1000 />
                <button type="submit" class="primary">{label}</button>
            </PostForm>
        }
    };
    let main = match r.kind {
        PiKind::Copy => view! {
            <p class="actions">
                <a href=format!("/pi-requests/{id}/copy?format=json") download="" data-testid="copy-json">{t.pi_copy_json}</a>
                " · "
                <a href=format!("/pi-requests/{id}/copy?format=xlsx") download="" data-testid="copy-xlsx">{t.pi_copy_xlsx}</a>
            </p>
            {act(PiAction::Copy, t.pia_copy, ().into_any())}
        }.into_any(),
        PiKind::Correct => act(
            PiAction::Correct,
            t.pia_correct,
            view! {
                <p class="hint">{t.pi_correct_hint}</p>
                <TextField name="name" label=t.y_name maxlength=30 />
                <SelectField name="gender" label=t.y_gender options=Gender::options(t) placeholder=t.none_option />
                <TextField name="birth_year" label=t.y_birth_year inputmode="numeric" maxlength=4 />
                <TextField name="birth_month" label=t.y_birth_month inputmode="numeric" maxlength=2 />
                <TextField name="phone" label=t.y_phone kind="tel" inputmode="numeric" maxlength=13 />
                <TextField name="wechat" label=t.y_wechat maxlength=64 />
                <TextField name="workplace" label=t.y_workplace maxlength=100 />
            }.into_any(),
        ).into_any(),
        PiKind::Delete => view! {
            <PostForm action=ActOnPiRequest::PATH id=format!("pi-anonymise-{id}") key=("id", id.to_string())>
                <RequestId />
                <Hidden name="id" value=id.to_string() />
                <Hidden name="action" value="anonymise" />
                <p class="hint">{t.pi_anonymise_hint}</p>
                <TextField name="comment" label=t.pi_comment maxlength=1000 />
                <ConfirmSubmit label=t.pia_anonymise.to_string() question=t.pi_anonymise_hint.to_string() class="danger".to_string() />
            </PostForm>
        }.into_any(),
        PiKind::Withdraw => view! {
            <PostForm action=WithdrawYouth::PATH id=format!("pi-withdraw-{id}") key=("id", r.youth_id.to_string())>
                <RequestId />
                <Hidden name="id" value=r.youth_id.to_string() />
                <p class="hint">{t.withdraw_hint}</p>
                <TextField name="withdrawn_on" label=t.withdraw_on kind="date" value=r.received_on.to_string() />
                <button type="submit" class="primary">{t.withdraw_button}</button>
            </PostForm>
        }.into_any(),
    };
    view! {
        <details class="act" data-testid="pi-act">
            <summary>{t.pi_act}</summary>
            {main}
            <RefuseForm id=id />
        </details>
    }
}

#[component]
fn RefuseForm(id: i64) -> impl IntoView {
    let t = use_t();
    view! {
        <PostForm action=ActOnPiRequest::PATH id=format!("pi-refuse-{id}") key=("id", id.to_string())>
            <RequestId />
            <Hidden name="id" value=id.to_string() />
            <Hidden name="action" value="refuse" />
            <TextField name="comment" label=t.pi_comment required=true maxlength=1000 />
            <button type="submit" class="danger">{t.pia_refuse}</button>
        </PostForm>
    }
}
