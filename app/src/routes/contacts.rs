//! `/contacts/new` (pick a youth, log a contact) and `/contacts/:id/edit`; the contact widgets
//! the profile page shares.

use super::youth::RosterList;
use crate::components::form::{
    CardForm, ErrorNote, FieldMessage, Hidden, PostForm, RequestId, SelectField, TextArea,
    TextField,
};
use crate::components::islands::ConfirmSubmit;
use crate::components::layout::{Layout, NotFound};
use crate::contacts::api::{
    contact_for_edit, ContactRow, DeleteContact, LogContact, UpdateContact, UpdateRequest,
};
use crate::i18n::use_t;
use crate::page::{guard, record_page, today, CADRES};
use crate::types::{Channel, RequestStatus};
use crate::youth::api::{get_roster, get_youth};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The fields of a contact, empty for a new one.
#[component]
pub fn ContactFields(#[prop(optional)] existing: Option<ContactRow>) -> impl IntoView {
    let t = use_t();
    let today = today();
    let date = existing.as_ref().map_or(today, |c| c.date).to_string();
    let channel = existing
        .as_ref()
        .and_then(|c| c.channel)
        .unwrap_or(Channel::FaceToFace)
        .as_str()
        .to_string();
    let content = existing
        .as_ref()
        .map(|c| c.content.clone())
        .unwrap_or_default();
    let request = existing
        .as_ref()
        .and_then(|c| c.request.clone())
        .unwrap_or_default();
    let duration = existing
        .as_ref()
        .and_then(|c| c.duration_minutes)
        .map(|d| d.to_string())
        .unwrap_or_default();
    view! {
        <TextField name="contact_date" label=t.c_date kind="date" value=date required=true />
        <SelectField name="channel" label=t.c_channel options=Channel::options(t) value=channel />
        <TextArea name="content" label=t.c_content value=content required=true maxlength=1000 />
        <TextArea name="request" label=t.c_request value=request rows=2 maxlength=500 />
        <TextField name="duration_minutes" label=t.c_duration inputmode="numeric" value=duration maxlength=3 />
    }
}

/// A contact history, newest first.
#[component]
pub fn ContactList(contacts: Vec<ContactRow>) -> impl IntoView {
    let t = use_t();
    if contacts.is_empty() {
        return view! { <p class="hint">{t.no_contacts}</p> }.into_any();
    }
    view! {
        <ul class="list contacts" data-testid="contacts">
            {contacts
                .into_iter()
                .map(|c| {
                    view! {
                        <li class="contact">
                            <div class="contact-head">
                                <strong>{c.date.to_string()}</strong>
                                <span class="tag">{c.channel.map(|ch| ch.label(t)).unwrap_or("-")}</span>
                                <span class="tag">{if c.online { t.c_online } else { t.c_offline }}</span>
                                {c.duration_minutes.map(|d| view! { <span class="muted small">{format!("{d}′")}</span> })}
                                {c.editable.then(|| view! { <a class="small" href=format!("/contacts/{}/edit", c.id)>{t.edit}</a> })}
                            </div>
                            <p class="content">{c.content.clone()}</p>
                            {c.request.clone().map(|r| view! {
                                <p class="request">
                                    <span class="muted">{format!("{}：", t.c_request)}</span>
                                    {r}
                                    " "
                                    <span class="tag">{c.request_status.map(|s| s.label(t)).unwrap_or("-")}</span>
                                </p>
                            })}
                            {c.resolution.clone().map(|r| view! { <p class="muted small">{format!("{}：{r}", t.resolution)}</p> })}
                            <p class="muted small">{format!("{}：{}", t.c_by, c.cadre_name)}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// One status form per open request.
#[component]
pub fn RequestForms(contacts: Vec<ContactRow>) -> impl IntoView {
    let t = use_t();
    contacts
        .into_iter()
        .map(|c| {
            let id = c.id.to_string();
            view! {
                <div class="request-item">
                    <p>{c.request.clone().unwrap_or_default()} <span class="muted small">{format!(" {}", c.date)}</span></p>
                    <PostForm action=UpdateRequest::PATH id=format!("request-{id}") key=("id", id.clone()) class="row-form">
                        <Hidden name="id" value=id.clone() />
                        <SelectField
                            name="status"
                            label=t.request_status
                            options=RequestStatus::options(t)
                            value=c.request_status.unwrap_or(RequestStatus::Open).as_str().to_string()
                        />
                        <TextArea name="resolution" label=t.resolution value=c.resolution.clone().unwrap_or_default() rows=2 maxlength=500 />
                        <button type="submit">{t.update_status}</button>
                    </PostForm>
                </div>
            }
        })
        .collect_view()
}

/// `/contacts/new?youth=ID`: the form for that youth; without one, a picker over the roster.
#[component]
pub fn NewContactPage() -> impl IntoView {
    let t = use_t();
    let (youth, q) = use_query_map().with_untracked(|m| {
        (
            m.get("youth").and_then(|y| y.parse::<i64>().ok()),
            m.get("q").unwrap_or_default(),
        )
    });
    guard(CADRES, move |viewer| {
        view! {
            <Layout viewer=viewer title=t.contact_title>
                <Suspense>
                    {Suspend::new(async move {
                        match youth {
                            Some(id) => match get_youth(id.to_string()).await {
                                Ok(p) => {
                                    let recent: Vec<ContactRow> = p.contacts.into_iter().take(3).collect();
                                    view! {
                                        <p class="lead">
                                            <a href=format!("/youth/{}", p.youth.id)>{p.youth.name.clone()}</a>
                                            <span class="muted small">{format!(" {}", p.youth.workplace)}</span>
                                        </p>
                                        <CardForm action=LogContact::PATH id="contact">
                                            <RequestId />
                                            <Hidden name="youth_id" value=p.youth.id.to_string() />
                                            <ContactFields />
                                            <button type="submit" class="primary">{t.save}</button>
                                        </CardForm>
                                        <section class="card" data-live="recent-contacts">
                                            <h2>{t.contact_history}</h2>
                                            <ContactList contacts=recent />
                                        </section>
                                    }
                                        .into_any()
                                }
                                Err(_) => view! { <NotFound /> }.into_any(),
                            },
                            None => match get_roster(String::new(), q.clone()).await {
                                Ok(r) => view! {
                                    <h2>{t.pick_youth}</h2>
                                    <form method="get" action="/contacts/new" class="search" role="search">
                                        <input type="search" name="q" value=q.clone() placeholder=t.search_name aria-label=t.search_name />
                                        <button type="submit">{t.search}</button>
                                    </form>
                                    <p class="hint">{t.pick_hint}</p>
                                    <RosterList entries=r.entries link="/contacts/new?youth=" />
                                }
                                    .into_any(),
                                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            },
                        }
                    })}
                </Suspense>
            </Layout>
        }
    })
}

#[component]
pub fn EditContactPage() -> impl IntoView {
    let t = use_t();
    record_page(CADRES, contact_for_edit, move |viewer, edit| {
        let c = edit.contact.clone();
        let (cid, cid2) = (c.id.to_string(), c.id.to_string());
        view! {
            <Layout viewer=viewer title=t.edit_contact>
                <p class="lead">
                    <a href=format!("/youth/{}", c.youth_id)>{edit.youth_name.clone()}</a>
                </p>
                <CardForm action=UpdateContact::PATH id="contact-edit">
                    <Hidden name="id" value=cid />
                    <FieldMessage name="id" />
                    <ContactFields existing=c.clone() />
                    <button type="submit" class="primary">{t.save}</button>
                </CardForm>
                <section class="card">
                    <PostForm action=DeleteContact::PATH id="contact-delete">
                        <Hidden name="id" value=cid2 />
                        <FieldMessage name="id" />
                        <ConfirmSubmit label=t.delete.to_string() question=t.confirm_delete.to_string() class="danger".to_string() />
                    </PostForm>
                </section>
            </Layout>
        }
    })
}
