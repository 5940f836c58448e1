//! `/contacts/new` (pick a youth, log a contact) and `/contacts/:id/edit`; the contact widgets
//! the profile page shares.

use crate::components::contacts::{ContactFields, ContactList};
use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{CardForm, ErrorNote, FieldMessage, Hidden, PostForm, RequestId};
use crate::components::layout::{Layout, NotFound};
use crate::components::roster::RosterList;
use crate::contacts::api::{
    contact_for_edit, ContactRow, DeleteContact, LogContact, UpdateContact,
};
use crate::i18n::use_t;
use crate::page::{guard, record_page};
use crate::types::Role;
use crate::youth::api::{get_roster, get_youth};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

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
    guard(Role::CADRES, move |viewer| {
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
                                            <crate::components::late::LateFields date_field="contact_date" />
                                            <button type="submit" class="primary">{t.save}</button>
                                        </CardForm>
                                        <div data-live="next-due">
                                            <NextDue after=p.youth.id />
                                        </div>
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

/// The youth to contact next: the longest without contact of those due or overdue, other than
/// `after` (the one on this page). One tap from a saved contact to the next form.
#[component]
fn NextDue(after: i64) -> impl IntoView {
    use crate::rules::{contact_words, ContactStatus};
    let t = use_t();
    let next = Suspend::new(async move {
        let next = get_roster(String::new(), String::new())
            .await
            .ok()
            .and_then(|r| {
                r.entries
                    .into_iter()
                    .find(|e| e.id != after && e.status != ContactStatus::Ok)
            });
        next.map(|e| {
            let words = contact_words(e.status, e.last_contact.is_none(), e.days, t);
            view! {
                <section class="card next-due" data-testid="next-due">
                    <p>
                        <span class="muted small">{t.next_due}</span>
                        <br />
                        <strong>{e.name.clone()}</strong>
                        " "
                        <span class=format!("light {}", e.status.class())>{format!("{} · {words}", e.status.label(t))}</span>
                    </p>
                    <a class="button primary" href=format!("/contacts/new?youth={}", e.id)>{t.next_due_action}</a>
                </section>
            }
        })
    });
    view! { <Suspense>{next}</Suspense> }
}

#[component]
pub fn EditContactPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, contact_for_edit, move |viewer, edit| {
        let c = edit.contact.clone();
        let (cid, cid2) = (c.id.to_string(), c.id.to_string());
        view! {
            <Layout viewer=viewer title=t.edit_contact>
                <p class="lead">
                    <a href=format!("/youth/{}", c.youth_id)>{edit.youth_name.clone()}</a>
                </p>
                <CardForm action=UpdateContact::PATH id="contact-edit">
                    <RequestId />
                    <Hidden name="id" value=cid />
                    <FieldMessage name="id" />
                    <ContactFields existing=c.clone() />
                    <crate::components::late::LateFields date_field="contact_date" />
                    <button type="submit" class="primary">{t.save}</button>
                </CardForm>
                <section class="card">
                    <PostForm action=DeleteContact::PATH id="contact-delete">
                        <RequestId />
                        <Hidden name="id" value=cid2 />
                        <FieldMessage name="id" />
                        <crate::components::late::LateFields date_field="id" />
                        <ConfirmSubmit label=t.delete.to_string() question=t.confirm_delete.to_string() class="danger".to_string() />
                    </PostForm>
                </section>
            </Layout>
        }
    })
}
