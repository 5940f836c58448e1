use sea_orm::entity::prelude::*;

/// A cadre's activity (主题团日, 志愿服务, …). Its attendees are the contacts that name it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub cadre_id: i64,
    pub title: String,
    /// `theme_day`, `volunteer`, `lecture`, `social`, `training` or `other`.
    pub kind: String,
    pub activity_date: Date,
    /// `HH:MM`, Shanghai time; none: the activity has no set start.
    pub start_time: Option<String>,
    pub place: String,
    pub org_id: Option<i64>,
    /// The sign-in code (`/a/<code>`): long, random, unique.
    #[sea_orm(unique)]
    pub code: String,
    /// Sign-in closed early by the cadre.
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
