//! The contact widgets: the form's fields, a youth's history, and the forms for open requests.

use crate::components::form::{Hidden, PostForm, SelectField, TextArea, TextField};
use crate::contacts::api::{ContactRow, UpdateRequest};
use crate::i18n::use_t;
use crate::page::today;
use crate::types::{Channel, RequestStatus};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

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
                                {c.late.then(|| view! { <span class="tag warn" data-testid="late-mark">{t.late_mark}</span> })}
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
