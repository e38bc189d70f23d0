//! The column headers an import recognises, and how a header is folded
//! before it is compared, so that files from other systems, in English or
//! Norwegian, import without a `--map` for every column.

/// A card field an import column can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    CustomerNo,
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Address,
    PostalCode,
    City,
    BirthDate,
    Company,
    Notes,
    /// Kept on the card under its header.
    Extra,
    /// Not imported at all (only by `--map`).
    Ignore,
}

impl Field {
    /// The names `--map` accepts.
    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("customer_no", Field::CustomerNo),
        ("name", Field::Name),
        ("first_name", Field::FirstName),
        ("last_name", Field::LastName),
        ("email", Field::Email),
        ("phone", Field::Phone),
        ("address", Field::Address),
        ("postal_code", Field::PostalCode),
        ("city", Field::City),
        ("birth_date", Field::BirthDate),
        ("company", Field::Company),
        ("notes", Field::Notes),
        ("extra", Field::Extra),
        ("ignore", Field::Ignore),
    ];

    /// Recognises a header by its normalized name, English or Norwegian.
    pub(super) fn from_header(normalized: &str) -> Option<Field> {
        Some(match normalized {
            "customerno" | "customernumber" | "customerid" | "kundenr" | "kundenummer"
            | "kundeid" | "custno" | "clientid" => Field::CustomerNo,
            "name" | "navn" | "fullname" | "fulltnavn" | "kundenavn" | "customername" => {
                Field::Name
            }
            "firstname" | "fornavn" | "givenname" => Field::FirstName,
            "lastname" | "etternavn" | "surname" | "familyname" => Field::LastName,
            "email" | "epost" | "mail" | "emailaddress" | "epostadresse" => Field::Email,
            "phone" | "phone1" | "telefon" | "telefonnummer" | "tlf" | "mobil" | "mobile"
            | "mobilnummer" | "phonenumber" | "telephone" | "cellphone" => Field::Phone,
            "address" | "adresse" | "streetaddress" | "gateadresse" | "street" => Field::Address,
            "postalcode" | "postnr" | "postnummer" | "zip" | "zipcode" | "postcode" => {
                Field::PostalCode
            }
            "city" | "poststed" | "sted" | "town" => Field::City,
            "birthdate" | "fodselsdato" | "dateofbirth" | "dob" | "born" | "fodt" => {
                Field::BirthDate
            }
            "company" | "firma" | "bedrift" | "selskap" | "organization" | "organisation" => {
                Field::Company
            }
            "notes" | "note" | "notat" | "notater" | "merknad" | "merknader" | "comment"
            | "kommentar" => Field::Notes,
            _ => return None,
        })
    }
}

/// Folds a header to compare it case- and accent-insensitively:
/// `Fødselsdato` → `fodselsdato`, `E-post` → `epost`, `Customer Id` → `customerid`.
pub fn normalize_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
    {
        match c {
            'æ' => out.push_str("ae"),
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

pub(super) const CUSTOMER_KEYS: &[(&str, &[&str])] = &[
    (
        "customer_no",
        &[
            "customerno",
            "customernumber",
            "customerid",
            "kundenr",
            "kundenummer",
        ],
    ),
    ("cube_id", &["cubeid"]),
];
pub(super) const OUTCOME_KEYS: &[(&str, &[&str])] = &[
    ("campaign", &["campaign", "kampanje", "oppdrag"]),
    ("seller", &["seller", "selger", "user", "username"]),
    ("date", &["date", "dato", "time", "tid", "registeredat"]),
    ("outcome", &["outcome", "utfall", "resultat", "result"]),
    ("comment", &["comment", "kommentar"]),
    ("product", &["product", "produkt"]),
    ("quantity", &["quantity", "antall", "qty"]),
    ("unit_price", &["unitprice", "price", "pris", "enhetspris"]),
    ("recording", &["recording", "opptak", "recordingpath"]),
];
pub(super) const HISTORY_KEYS: &[(&str, &[&str])] = &[
    ("date", &["date", "dato", "time", "tid", "at"]),
    ("kind", &["kind", "type", "art"]),
    ("text", &["text", "tekst", "note", "notat"]),
];

pub(super) fn keys(
    extra: &[(&'static str, &'static [&'static str])],
) -> Vec<(&'static str, &'static [&'static str])> {
    CUSTOMER_KEYS.iter().chain(extra).copied().collect()
}
