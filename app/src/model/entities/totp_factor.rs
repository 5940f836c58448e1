use sea_orm::entity::prelude::*;

/// An account's second factor; without `confirmed_at` an enrolment under way.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "totp_factors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// Base32 (RFC 4648, no padding), as the authenticator app was given it.
    pub secret: String,
    pub created_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    /// The time step of the last code accepted: codes of that step or earlier are refused.
    pub last_step: Option<i64>,
    /// The recovery codes, until the page that shows them once has done so.
    pub reveal: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
