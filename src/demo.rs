//! Realistic, deterministic demo data: Norwegian customers (names with æøå),
//! campaigns at different stages (one of them untouched for weeks), sellers,
//! outcomes with sales and comments that mention phone numbers, history, and
//! small call recording files named the way phone systems name them.
//!
//! The same `seed` and clock give the same data, cube ids included; the
//! public references are random, as they always are.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};

use crate::db::{CampaignStatus, Card, Db, NewHistory, NewIds, NewOutcome, NewSale, Stage};
use crate::ids::IdGen;

/// At most this many recording files are written, whatever the size.
const MAX_RECORDINGS: u64 = 300;

/// The demo campaigns: name, share of customers (percent), days since its last
/// activity, and whether it is archived.
pub const CAMPAIGNS: &[(&str, u64, i64, bool)] = &[
    ("Vårkampanje 2026", 35, 1, false),
    ("Høstsalg 2026", 25, 2, false),
    ("Julekampanje 2025", 20, 45, false),
    ("Bedriftsavtaler", 10, 5, false),
    ("Sommer 2025", 5, 120, true),
];

/// The campaign the demo leaves stale: the one to archive and anonymize.
pub const STALE_CAMPAIGN: &str = "Julekampanje 2025";

const FIRST: &[&str] = &[
    "Åse", "Øystein", "Bjørn", "Kåre", "Sølvi", "Jørgen", "Håkon", "Ingrid", "Marte", "Ola",
    "Kari", "Nils", "Siri", "Tor", "Ragnhild", "Ståle", "Gørild", "Pål", "Mette", "Even", "Live",
    "Åsmund", "Hege", "Frøydis",
];
const LAST: &[&str] = &[
    "Ødegård",
    "Bråthen",
    "Sæther",
    "Løvås",
    "Kvåle",
    "Bakke",
    "Hansen",
    "Johansen",
    "Næss",
    "Strøm",
    "Dahl",
    "Haugen",
    "Lie",
    "Berg",
    "Østby",
    "Fløysand",
    "Aasen",
    "Grønli",
    "Sørensen",
    "Håland",
];
const STREETS: &[&str] = &[
    "Storgata",
    "Kirkeveien",
    "Bjørnstjerne Bjørnsons gate",
    "Fjordveien",
    "Skoleveien",
    "Løkkeveien",
    "Sjøgata",
    "Åsveien",
];
const PLACES: &[(&str, &str)] = &[
    ("0150", "Oslo"),
    ("5003", "Bergen"),
    ("7010", "Trondheim"),
    ("4006", "Stavanger"),
    ("9008", "Tromsø"),
    ("1530", "Moss"),
    ("3015", "Drammen"),
    ("2317", "Hamar"),
    ("8006", "Bodø"),
    ("6002", "Ålesund"),
];
const COMPANIES: &[&str] = &[
    "",
    "",
    "",
    "Fjord Fisk AS",
    "Bøkeskog Regnskap",
    "Nordlys Bygg AS",
    "Sæter & Sønn",
];
const SELLERS: &[&str] = &[
    "kari.nilsen",
    "ola.hansen",
    "ingrid.berg",
    "per.johansen",
    "sofie.lie",
];
const PRODUCTS: &[(&str, i64)] = &[
    ("Fiber 500", 59900),
    ("Fiber 1000", 79900),
    ("Mobil Fri", 39900),
    ("TV Basis", 29900),
    ("Alarm Pluss", 44900),
];
const NOT_SOLD: &[&str] = &["Not interested", "Call back", "No answer", "Wrong number"];
const NOTES: &[&str] = &[
    "",
    "",
    "Foretrekker e-post",
    "Ring etter kl. 16",
    "Har hund, ring på",
    "Kunde siden 2019",
];

/// SplitMix64: small, fast and good enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn ascii(name: &str) -> String {
    name.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "o")
        .replace('å', "aa")
        .replace(' ', ".")
}

fn phone(rng: &mut Rng) -> String {
    let n = 90_000_000 + rng.below(9_999_999);
    format!(
        "+47 {:03} {:02} {:03}",
        n / 100_000,
        (n / 1000) % 100,
        n % 1000
    )
}

/// One made-up Norwegian customer (and the first name, for comments).
fn person(rng: &mut Rng, i: u64) -> (&'static str, Card) {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let (postal_code, city) = rng.pick(PLACES);
    let card = Card {
        customer_no: Some(format!("K{:07}", i + 1)),
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}{}@{}",
            ascii(first),
            ascii(last),
            rng.below(100),
            rng.pick(&["gmail.com", "online.no", "hotmail.com", "bøkeskog.no"])
        ),
        phone: phone(rng),
        address: format!("{} {}", rng.pick(STREETS), 1 + rng.below(120)),
        postal_code: postal_code.to_string(),
        city: city.to_string(),
        birth_date: format!(
            "{}-{:02}-{:02}",
            1940 + rng.below(65),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        company: rng.pick(COMPANIES).to_string(),
        notes: rng.pick(NOTES).to_string(),
        extra: serde_json::Map::new(),
    };
    (first, card)
}

/// What the demo made.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoSummary {
    pub customers: u64,
    pub outcomes: u64,
    pub recordings: u64,
}

/// Fills `db` (expected empty) with `customers` customers; `progress` is
/// told how many are made so far.
pub fn fill(
    db: &Db,
    recordings: &Path,
    customers: u64,
    seed: u64,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<DemoSummary> {
    let mut rng = Rng(seed);
    let mut summary = DemoSummary::default();
    // The recordings are made there: the folder is this database's.
    crate::recordings::claim(db, recordings)?.write(db, recordings)?;
    let tx = db.begin()?;
    let mut campaign_ids = Vec::new();
    for &(name, _, idle_days, archived) in CAMPAIGNS {
        let created = now - Duration::days(idle_days + 60);
        let campaign = tx.create_campaign(name, created)?;
        if archived {
            tx.set_campaign_status(
                campaign.id,
                CampaignStatus::Archived,
                now - Duration::days(idle_days),
            )?;
        }
        campaign_ids.push(campaign.id);
    }
    let seller_ids: Vec<i64> = SELLERS
        .iter()
        .map(|s| tx.seller_id(s, now - Duration::days(400)))
        .collect::<Result<_>>()?;
    let mut ids = IdGen::with_seed(seed);
    for i in 0..customers {
        let (first, card) = person(&mut rng, i);
        // Which campaign: by share, the rest in none.
        let roll = rng.below(100);
        let mut acc = 0;
        let slot = CAMPAIGNS.iter().position(|c| {
            acc += c.1;
            roll < acc
        });
        let campaign_id = slot.map(|s| campaign_ids[s]);
        let idle_days = slot.map_or(30, |s| CAMPAIGNS[s].2);
        let created = now - Duration::days(idle_days + 30);
        // From the seeded generator: the same seed, the same ids.
        let cube_id = ids.cube_id().to_string();
        let mut reference = [0; crate::ids::REFERENCE_LEN];
        ids.reference(&mut reference);
        let new_ids = NewIds {
            cube_id: &cube_id,
            reference: std::str::from_utf8(&reference).unwrap_or_default(),
        };
        let id = tx
            .insert_customer(new_ids, &card, campaign_id, created)?
            .context("the demo data repeats a customer number")?;
        summary.customers += 1;

        if let Some(campaign_id) = campaign_id {
            let stage = match rng.below(10) {
                0..=3 => Stage::Available,
                4..=5 => Stage::Assigned,
                _ => Stage::Completed,
            };
            let seller_id = *rng.pick(&seller_ids);
            let outcomes = match stage {
                Stage::Available => 0,
                Stage::Assigned => rng.below(2),
                Stage::Completed => 1 + rng.below(3),
            };
            for k in 0..outcomes {
                let at = now
                    - Duration::days(idle_days + (outcomes - k) as i64 * 3)
                    - Duration::minutes(rng.below(600) as i64);
                let sold = k + 1 == outcomes && stage == Stage::Completed && rng.chance(45);
                let label = if sold { "Sale" } else { *rng.pick(NOT_SOLD) };
                let comment = match (sold, rng.below(4)) {
                    (true, _) => format!("Bestilte selv, bekreftelse sendt til {}", card.email),
                    (false, 0) => format!("Ring tilbake på {} etter kl. 16", card.phone),
                    (false, 1) => format!("{first} ønsker tilbud per e-post"),
                    (false, 2) => String::new(),
                    _ => "Ikke interessert nå, prøv igjen til våren".into(),
                };
                let outcome_id = tx.insert_outcome(&NewOutcome {
                    customer_id: id,
                    campaign_id,
                    seller_id,
                    registered_at: at,
                    label,
                    comment: &comment,
                })?;
                summary.outcomes += 1;
                if sold {
                    let (product, price) = rng.pick(PRODUCTS);
                    tx.insert_sale(&NewSale {
                        outcome_id: Some(outcome_id),
                        customer_id: id,
                        campaign_id: Some(campaign_id),
                        seller_id,
                        sold_at: at,
                        product,
                        quantity: 1 + rng.below(3) as i64,
                        unit_price: *price,
                    })?;
                }
                if summary.recordings < MAX_RECORDINGS && rng.chance(20) {
                    let digits: String = card.phone.chars().filter(char::is_ascii_digit).collect();
                    let path = format!(
                        "{}/{}_{digits}.wav",
                        at.format("%Y-%m"),
                        at.format("%Y-%m-%d")
                    );
                    write_recording(recordings, &path)?;
                    tx.insert_recording(id, Some(outcome_id), &path, at)?;
                    summary.recordings += 1;
                }
            }
            match stage {
                Stage::Available => {}
                _ => {
                    tx.place_customer(id, Some(campaign_id), Some(stage), Some(seller_id), created)?
                }
            }
        }
        if rng.chance(60) {
            let (kind, text) = match rng.below(3) {
                0 => (
                    "call",
                    format!("Ringte {} fra {}", card.phone, rng.pick(SELLERS)),
                ),
                1 => ("email", format!("Sendte tilbud til {}", card.email)),
                _ => ("note", format!("{} bor i {}", card.name, card.city)),
            };
            tx.insert_history(&NewHistory {
                customer_id: id,
                at: created + Duration::days(1),
                kind,
                text: &text,
            })?;
        }
        if i % 1024 == 0 {
            progress(i);
        }
    }
    for (&(_, _, idle_days, _), &id) in CAMPAIGNS.iter().zip(&campaign_ids) {
        tx.touch_campaign(id, now - Duration::days(idle_days))?;
    }
    tx.commit()?;
    Ok(summary)
}

/// A tiny but valid WAV file (a header and a moment of silence).
fn write_recording(folder: &Path, relative: &str) -> Result<()> {
    let path = folder.join(relative);
    if let Some(dir) = path.parent() {
        // Recordings are personal data: readable by their owner only.
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let samples = 800u32;
    let mut wav = Vec::with_capacity(44 + samples as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + samples).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&8u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&samples.to_le_bytes());
    wav.resize(44 + samples as usize, 128);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(&wav)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The campaign that the benchmark files put every customer and outcome in.
pub const BENCH_CAMPAIGN: &str = "Benchmark";

/// Writes `customers.csv` (the ten canonical card columns) and `outcomes.csv`
/// (two outcomes per customer, a third of them sales) into `dir`: the same
/// made-up people as the demo, as files to import, for benchmarks.
pub fn write_csv(
    dir: &Path,
    customers: u64,
    seed: u64,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let open = |name: &str| -> Result<csv::Writer<io::BufWriter<fs::File>>> {
        let path = dir.join(name);
        let file =
            fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(csv::Writer::from_writer(io::BufWriter::with_capacity(
            1 << 16,
            file,
        )))
    };
    let mut people = open("customers.csv")?;
    let mut outcomes = open("outcomes.csv")?;
    people.write_record([
        "customer_no",
        "name",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "birth_date",
        "company",
        "notes",
    ])?;
    outcomes.write_record([
        "customer_no",
        "campaign",
        "seller",
        "date",
        "outcome",
        "comment",
        "product",
        "quantity",
        "unit_price",
    ])?;
    let mut rng = Rng(seed);
    for i in 0..customers {
        let (first, card) = person(&mut rng, i);
        let number = card.customer_no.clone().unwrap_or_default();
        people.write_record([
            number.as_str(),
            &card.name,
            &card.email,
            &card.phone,
            &card.address,
            &card.postal_code,
            &card.city,
            &card.birth_date,
            &card.company,
            &card.notes,
        ])?;
        for k in 0..2u64 {
            let at = crate::db::timestamp(
                now - Duration::days(1 + rng.below(60) as i64) - Duration::minutes(k as i64),
            );
            let sold = rng.chance(33);
            let (product, price) = rng.pick(PRODUCTS);
            let comment = if sold {
                format!("Bekreftelse sendt til {}", card.email)
            } else {
                format!("{first} ønsker å bli ringt på {}", card.phone)
            };
            let (product, quantity, price) = if sold {
                (
                    *product,
                    (1 + rng.below(3)).to_string(),
                    format!("{}.{:02}", price / 100, price % 100),
                )
            } else {
                ("", String::new(), String::new())
            };
            let seller = *rng.pick(SELLERS);
            let label = if sold { "Sale" } else { *rng.pick(NOT_SOLD) };
            outcomes.write_record([
                number.as_str(),
                BENCH_CAMPAIGN,
                seller,
                &at,
                label,
                &comment,
                product,
                &quantity,
                &price,
            ])?;
        }
        if i % 4096 == 0 {
            progress(i);
        }
    }
    people.flush()?;
    outcomes.flush()?;
    Ok(())
}

/// Removes an earlier demo database, its side files, erasure journal and
/// recordings, before a new demo is made in its place.
pub fn remove(path: &Path) -> Result<()> {
    for file in crate::store::database_files(path) {
        match fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", file.display())),
        }
    }
    if let Some(dir) = path.parent() {
        let recordings = dir.join("recordings");
        if recordings.exists() {
            fs::remove_dir_all(&recordings)
                .with_context(|| format!("cannot remove {}", recordings.display()))?;
        }
    }
    Ok(())
}
