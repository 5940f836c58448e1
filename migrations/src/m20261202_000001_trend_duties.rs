//! The trend draws one line per duty: besides the share on track and the 4+1 coverage, the
//! contact coverage (youths on the rosters not overdue for contact). The kept weeks gain the two
//! sums behind it; the weeks kept so far lack them and are forgotten, to be judged again at the
//! next view.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(
            Query::delete()
                .from_table(ComplianceWeeks::Table)
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        for col in [ComplianceWeeks::Roster, ComplianceWeeks::InTouch] {
            m.alter_table(
                Table::alter()
                    .table(ComplianceWeeks::Table)
                    .add_column(ColumnDef::new(col).integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [ComplianceWeeks::Roster, ComplianceWeeks::InTouch] {
            m.alter_table(
                Table::alter()
                    .table(ComplianceWeeks::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ComplianceWeeks {
    Table,
    Roster,
    InTouch,
}
