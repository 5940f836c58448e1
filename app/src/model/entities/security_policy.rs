use sea_orm::entity::prelude::*;

/// The security policy (one row, id 1): see `model::security`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "security_policy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub min_length: i32,
    pub char_classes: i32,
    pub expiry_days: i32,
    pub history: i32,
    pub lockout_attempts: i32,
    pub lockout_minutes: i32,
    pub idle_minutes_admin: i32,
    pub idle_minutes_supervisor: i32,
    pub idle_minutes_cadre: i32,
    pub totp_admins: bool,
    pub totp_supervisors: bool,
    pub totp_everyone: bool,
    pub updated_at: Option<DateTimeUtc>,
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
