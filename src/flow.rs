//! The customer flow of campaigns: creating and reactivating campaigns, moving
//! customers between them, and handing available customers to sellers.
//!
//! Anonymized customers never move: their campaign link is part of the
//! statistics that must stay true.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{Campaign, CampaignStatus, CustomerRef, CustomerRow, Db, Stage, Tx};
use crate::{names, Failure};

/// How many unknown customers a failed move lists.
const MAX_LISTED: usize = 20;

/// The campaign named `name` (whatever the case), or a failure that says
/// there is none, with the names it may have been meant as.
pub fn campaign(db: &Db, name: &str) -> Result<Campaign> {
    if let Some(found) = db.campaign_by_name(name)? {
        return Ok(found);
    }
    let names = db.campaign_names()?;
    let close = names::suggestions(name, &names);
    let mut message = format!("no campaign is named {name:?}");
    if !close.is_empty() {
        message = format!("{message}; {}", names::did_you_mean(&close));
    }
    Err(Failure::failed(message)
        .hint("cube campaign list --all shows every campaign")
        .into())
}

/// The id of the campaign named by an optional `--campaign` filter.
pub fn campaign_filter(db: &Db, name: Option<&str>) -> Result<Option<i64>> {
    name.map(|name| campaign(db, name).map(|c| c.id))
        .transpose()
}

fn active_campaign(db: &Db, name: &str, doing: &str) -> Result<Campaign> {
    let found = campaign(db, name)?;
    if found.status == CampaignStatus::Archived {
        return Err(Failure::refused(format!(
            "campaign {:?} is archived: cannot {doing}",
            found.name
        ))
        .hint(format!(
            "reactivate it first: cube reactivate {:?}",
            found.name
        ))
        .into());
    }
    Ok(found)
}

/// A campaign made by `campaign create`, and the names of existing ones it
/// is close to (see [`crate::names`]), which the operator may have meant.
pub struct Created {
    pub campaign: Campaign,
    pub close_to: Vec<String>,
}

pub fn create_campaign(db: &Db, name: &str, now: DateTime<Utc>) -> Result<Created> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Failure::refused(format!("{name:?} is not a campaign name")).into());
    }
    let tx = db.begin()?;
    if let Some(existing) = tx.campaign_by_name(name)? {
        return Err(Failure::refused(format!(
            "a campaign named {:?} exists already",
            existing.name
        ))
        .into());
    }
    let names = tx.campaign_names()?;
    let close_to = names::suggestions(name, &names)
        .into_iter()
        .map(String::from)
        .collect();
    let campaign = tx.create_campaign(name, now)?;
    tx.commit()?;
    Ok(Created { campaign, close_to })
}

/// The campaign an import names, by [`import_campaign`].
pub enum Named {
    Found(Campaign),
    Created(Campaign),
    /// No campaign has the name, and these have a close one: most likely a
    /// typo, so none was created.
    Close(Vec<String>),
}

/// The campaign an import puts customers or outcomes in: the one with this
/// name whatever its case, else a new one, unless a campaign with a close
/// name exists and `new_campaign` (`--new-campaign`) is false.
pub fn import_campaign(
    tx: &Tx,
    name: &str,
    new_campaign: bool,
    now: DateTime<Utc>,
) -> Result<Named> {
    if let Some(found) = tx.campaign_by_name(name)? {
        return Ok(Named::Found(found));
    }
    if !new_campaign {
        let names = tx.campaign_names()?;
        let close = names::suggestions(name, &names);
        if !close.is_empty() {
            return Ok(Named::Close(close.into_iter().map(String::from).collect()));
        }
    }
    Ok(Named::Created(tx.create_campaign(name, now)?))
}

/// Makes an archived campaign active again. Anonymized customers stay so.
pub fn reactivate(db: &Db, name: &str, now: DateTime<Utc>) -> Result<Campaign> {
    let tx = db.begin()?;
    let mut found = campaign(&tx, name)?;
    if found.status == CampaignStatus::Active {
        return Err(
            Failure::refused(format!("campaign {:?} is active already", found.name)).into(),
        );
    }
    tx.set_campaign_status(found.id, CampaignStatus::Active, now)?;
    // Made active on purpose: not idle since it was archived.
    tx.touch_campaign(found.id, now)?;
    tx.commit()?;
    found.status = CampaignStatus::Active;
    found.archived_at = None;
    Ok(found)
}

/// Which customers to move.
#[derive(Debug, Clone)]
pub enum Selection {
    /// References or customer numbers.
    Customers(Vec<String>),
    /// Every customer of a campaign, optionally at one stage.
    From {
        campaign: String,
        stage: Option<Stage>,
    },
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct MoveSummary {
    pub moved: u64,
    /// Already in the target campaign: left at their stage.
    pub unchanged: u64,
}

/// Moves customers into `to` (an active campaign) as `available`, all or none.
pub fn move_customers(
    db: &Db,
    to: &str,
    selection: &Selection,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<MoveSummary> {
    let tx = db.begin()?;
    let target = active_campaign(&tx, to, "move customers into it")?;
    let customers = select(&tx, selection)?;
    let mut summary = MoveSummary::default();
    let mut sources = Vec::new();
    for customer in &customers {
        if customer.campaign_id == Some(target.id) {
            summary.unchanged += 1;
            continue;
        }
        tx.place_customer(
            customer.id,
            Some(target.id),
            Some(Stage::Available),
            None,
            now,
        )?;
        if let Some(from) = customer.campaign_id {
            if !sources.contains(&from) {
                sources.push(from);
            }
        }
        summary.moved += 1;
    }
    if summary.moved > 0 {
        tx.touch_campaign(target.id, now)?;
        for from in sources {
            tx.touch_campaign(from, now)?;
        }
    }
    if dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(summary)
}

/// Resolves a selection to customers, refusing unknown and anonymized ones.
fn select(tx: &Tx, selection: &Selection) -> Result<Vec<CustomerRef>> {
    let customers = match selection {
        Selection::From {
            campaign: name,
            stage,
        } => {
            let from = campaign(tx, name)?;
            tx.customers_in_campaign(from.id, *stage)?
        }
        Selection::Customers(keys) => {
            let mut found = Vec::with_capacity(keys.len());
            let mut unknown = Vec::new();
            for key in keys {
                match tx.find_customer(key.trim())? {
                    Some(c) => found.push(c),
                    None => unknown.push(key.trim()),
                }
            }
            if !unknown.is_empty() {
                let mut details: Vec<String> = unknown
                    .iter()
                    .take(MAX_LISTED)
                    .map(|k| format!("no customer has the reference or customer number {k:?}"))
                    .collect();
                if unknown.len() > MAX_LISTED {
                    details.push(format!("... and {} more", unknown.len() - MAX_LISTED));
                }
                return Err(Failure::failed(format!(
                    "{} of {} {} unknown; nothing was moved",
                    unknown.len(),
                    crate::commands::plural(keys.len() as u64, "customer", "customers"),
                    if unknown.len() == 1 { "is" } else { "are" }
                ))
                .details(details)
                .into());
            }
            found
        }
    };
    if let Some(anonymized) = customers.iter().find(|c| c.anonymized) {
        let count = customers.iter().filter(|c| c.anonymized).count();
        return Err(Failure::refused(format!(
            "customer {} is anonymized and cannot be moved ({count} of the selected {}); nothing was moved",
            anonymized.reference,
            if count == 1 { "is" } else { "are" }
        ))
        .into());
    }
    Ok(customers)
}

/// Hands the next `count` available customers of a campaign to a seller.
pub fn assign(
    db: &Db,
    name: &str,
    seller: &str,
    count: u64,
    now: DateTime<Utc>,
) -> Result<Vec<CustomerRow>> {
    let seller = seller.trim();
    if seller.is_empty() {
        return Err(Failure::refused("the seller's username is empty").into());
    }
    let tx = db.begin()?;
    let campaign = active_campaign(&tx, name, "hand out its customers")?;
    let seller_id = tx.seller_id(seller, now)?;
    let mut customers = tx.next_available(campaign.id, count)?;
    for customer in &mut customers {
        tx.place_customer(
            customer.id,
            Some(campaign.id),
            Some(Stage::Assigned),
            Some(seller_id),
            now,
        )?;
        customer.stage = Some(Stage::Assigned);
        customer.seller = Some(seller.to_string());
    }
    tx.commit()?;
    Ok(customers)
}
