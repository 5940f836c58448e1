//! `/inbox`: every reminder, newest first, each linking to where the user acts on it.

use crate::components::form::{Hidden, PostForm};
use crate::components::pager::Pager;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::reminders::api::{list_inbox, Inbox, InboxItem, InboxQuery, LineStatus, MarkRead};
use crate::reminders::rules::local;
use crate::types::ReminderKind;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InboxPage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map().with_untracked(|m| InboxQuery {
        page: m.get("page").unwrap_or_default(),
    });
    data_page(
        Role::ANYONE,
        t.inbox_title,
        move || list_inbox(query),
        |inbox| view! { <InboxList inbox=inbox /> },
    )
}

#[component]
fn InboxList(inbox: Inbox) -> impl IntoView {
    let t = use_t();
    view! {
        <div class="actions-row">
            <p class="muted" data-testid="unread-count">{fill(t.unread_count, &[("n", &inbox.unread.to_string())])}</p>
            {(inbox.unread > 0).then(|| view! {
                <PostForm action=MarkRead::PATH id="read-all" class="inline">
                    <Hidden name="all" value="true" />
                    <button type="submit" class="small">{t.mark_all_read}</button>
                </PostForm>
            })}
        </div>
        {if inbox.items.is_empty() {
            view! { <p class="hint">{t.inbox_empty}</p> }.into_any()
        } else {
            view! {
                <ul class="list inbox" data-testid="inbox">
                    {inbox.items.into_iter().map(|item| view! { <Item item=item /> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <Pager page=inbox.page pages=inbox.pages link=|p| format!("/inbox?page={p}") />
    }
}

#[component]
fn Item(item: InboxItem) -> impl IntoView {
    let t = use_t();
    let unread = item.read_at.is_none();
    let kind = ReminderKind::parse(&item.kind)
        .map(|k| k.label(t))
        .unwrap_or("");
    let when = local(item.created_at).format("%m-%d %H:%M").to_string();
    let id = item.id.to_string();
    view! {
        <li class=if unread { "inbox-item unread" } else { "inbox-item" } data-kind=item.kind.clone() data-read=(!unread).to_string()>
            <div class="full">
                <span class="tag">{kind}</span>
                " "
                <span class="muted small">{when}</span>
            </div>
            <a class="full title" href=item.link.clone()>{item.title.clone()}</a>
            {item.status.map(|s| view! { <p class="full"><LineTag status=s /></p> })}
            {(!item.body.is_empty()).then(|| view! { <p class="small full">{item.body.clone()}</p> })}
            {(!item.lines.is_empty()).then(|| view! {
                <ul class="lines full">
                    {item.lines.iter().map(|l| {
                        let tag = l.status.map(|s| view! { " " <LineTag status=s /> });
                        let done = l.status.is_some_and(|s| s != LineStatus::Open);
                        match &l.link {
                            Some(href) => view! { <li class:done=done data-status=l.status.map(status_key)><a href=href.clone()>{l.text.clone()}</a>{tag}</li> }.into_any(),
                            None => view! { <li class:done=done data-status=l.status.map(status_key)>{l.text.clone()}{tag}</li> }.into_any(),
                        }
                    }).collect_view()}
                </ul>
            })}
            {unread.then(|| view! {
                <PostForm action=MarkRead::PATH id=format!("read-{id}") key=("id", id.clone()) class="inline">
                    <Hidden name="id" value=id.clone() />
                    <button type="submit" class="link small">{t.mark_read}</button>
                </PostForm>
            })}
        </li>
    }
}

fn status_key(s: LineStatus) -> &'static str {
    match s {
        LineStatus::Open => "open",
        LineStatus::Done => "done",
        LineStatus::Closed => "closed",
    }
}

/// Whether a line is still open, as read now.
#[component]
fn LineTag(status: LineStatus) -> impl IntoView {
    let t = use_t();
    let class = match status {
        LineStatus::Open => "light warn",
        LineStatus::Done => "light ok",
        LineStatus::Closed => "light muted",
    };
    view! { <span class=class>{status.label(t)}</span> }
}
