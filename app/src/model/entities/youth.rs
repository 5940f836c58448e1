use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "youths")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    pub phone: String,
    pub wechat: Option<String>,
    pub org_id: Option<i64>,
    pub workplace: Option<String>,
    pub sector: String,
    pub political_status: String,
    pub tags: String,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The cadre the youth is assigned to now (the open assignment), kept with it.
    pub cadre_id: Option<i64>,
    pub assigned_on: Option<Date>,
    /// The last contact by anyone, and the last offline one: kept up to date by every write.
    pub last_contact_on: Option<Date>,
    pub last_offline_on: Option<Date>,
    /// The processing basis (`consent` or `duty`), the notice version shown, when and by whom.
    pub basis: String,
    pub notice_version: Option<i32>,
    pub basis_recorded_at: Option<DateTimeUtc>,
    pub basis_recorded_by: Option<i64>,
    pub birth_month: Option<i16>,
    /// A guardian's consent, for a youth under 14 when recorded.
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<String>,
    pub guardian_consent_on: Option<Date>,
    /// Consent withdrawn: on no roster, nothing new recorded.
    pub withdrawn_on: Option<Date>,
    /// Identifying fields erased (a deletion request, or the retention rule).
    pub anonymised_at: Option<DateTimeUtc>,
    /// A legal hold's reason: the retention rule leaves the youth alone while it is set.
    pub legal_hold: Option<String>,
    pub legal_hold_by: Option<i64>,
    pub legal_hold_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
