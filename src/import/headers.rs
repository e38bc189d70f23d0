//! The one header vocabulary of every import: which headers name which
//! field, in customers, outcomes and history files alike.
//!
//! Operators bring files from other systems, in English or Norwegian, so a
//! field is recognised by any of several headers, compared after
//! [`normalize_header`] folds case, accents, spaces, underscores and hyphens
//! away. Each field's headers are listed once, in [`Field::spec`]; a file kind
//! knows a subset of the fields ([`FileKind::fields`]), and a header naming
//! a field its kind does not know is no field there (a `Date` column is kept
//! as an extra field on a customer card). The same header may name two fields
//! only when no file kind knows both: `Comment` is a card's notes in a
//! customers file and an outcome's comment in an outcomes file.
//!
//! The common exports' headers are here too (HubSpot, Salesforce, Outlook),
//! so that their files import without `--map`. Two columns may name one
//! field (`Telefon` and `Mobil`): [`FileKind::columns`] gives it to both, in
//! order, and each import says what the second does ([`describe`] shows it).
//! A rejects file's own first columns, `line` and `error`, are no data and
//! are ignored, so that a fixed rejects file imports back as it is.
//!
//! What must not change: a header recognised today keeps its field, or files
//! that import now would import differently; and a field's name, which
//! `--map` takes and error messages show.

use std::collections::HashMap;

/// A field an import column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The operator's own id of the customer: on the card in a customers
    /// file, and how an outcomes or history row names its customer.
    CustomerNo,
    /// How an outcomes or history row names its customer, instead of the
    /// customer number.
    Ref,
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
    /// Kept on the card under its header (only by `--map`).
    Extra,
    /// Not imported at all (only by `--map`).
    Ignore,
    Campaign,
    Seller,
    /// When an outcome was registered or a history entry happened.
    Date,
    Outcome,
    Comment,
    Product,
    Quantity,
    UnitPrice,
    Recording,
    Kind,
    Text,
}

impl Field {
    /// The field's name, as `--map` takes it and error messages show it, and
    /// the headers that name it, normalized.
    fn spec(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Field::CustomerNo => (
                "customer_no",
                &[
                    "customerno",
                    "customernumber",
                    "customerid",
                    "kundenr",
                    "kundenummer",
                    "kundeid",
                    "custno",
                    "clientid",
                    // HubSpot, Salesforce
                    "recordid",
                    "contactid",
                ],
            ),
            Field::Ref => ("ref", &["ref", "reference", "referanse", "kundereferanse"]),
            Field::Name => (
                "name",
                &[
                    "name",
                    "navn",
                    "fullname",
                    "fulltnavn",
                    "kundenavn",
                    "customername",
                ],
            ),
            Field::FirstName => ("first_name", &["firstname", "fornavn", "givenname"]),
            Field::LastName => (
                "last_name",
                &["lastname", "etternavn", "surname", "familyname"],
            ),
            Field::Email => (
                "email",
                &["email", "epost", "mail", "emailaddress", "epostadresse"],
            ),
            Field::Phone => (
                "phone",
                &[
                    "phone",
                    "phone1",
                    "telefon",
                    "telefonnummer",
                    "tlf",
                    "mobil",
                    "mobile",
                    "mobilnummer",
                    "phonenumber",
                    "telephone",
                    "cellphone",
                    // HubSpot, Outlook
                    "mobilephonenumber",
                    "mobilephone",
                    "businessphone",
                    "homephone",
                ],
            ),
            Field::Address => (
                "address",
                &[
                    "address",
                    "adresse",
                    "streetaddress",
                    "gateadresse",
                    "street",
                    // Salesforce, Outlook
                    "mailingstreet",
                    "homestreet",
                ],
            ),
            Field::PostalCode => (
                "postal_code",
                &[
                    "postalcode",
                    "postnr",
                    "postnummer",
                    "zip",
                    "zipcode",
                    "postcode",
                    // Salesforce, Outlook
                    "zippostalcode",
                    "mailingzippostalcode",
                    "mailingpostalcode",
                    "mailingzip",
                    "homepostalcode",
                ],
            ),
            Field::City => (
                "city",
                &[
                    "city",
                    "poststed",
                    "sted",
                    "town",
                    // Salesforce, Outlook
                    "mailingcity",
                    "homecity",
                ],
            ),
            Field::BirthDate => (
                "birth_date",
                &[
                    "birthdate",
                    "fodselsdato",
                    "dateofbirth",
                    "dob",
                    "born",
                    "fodt",
                    "birthday",
                    "fodselsdag",
                ],
            ),
            Field::Company => (
                "company",
                &[
                    "company",
                    "firma",
                    "bedrift",
                    "selskap",
                    "organization",
                    "organisation",
                    // HubSpot, Salesforce
                    "companyname",
                    "accountname",
                ],
            ),
            Field::Notes => (
                "notes",
                &[
                    "notes",
                    "note",
                    "notat",
                    "notater",
                    "merknad",
                    "merknader",
                    "comment",
                    "kommentar",
                ],
            ),
            Field::Extra => ("extra", &[]),
            Field::Ignore => ("ignore", &[]),
            Field::Campaign => ("campaign", &["campaign", "kampanje", "oppdrag"]),
            Field::Seller => ("seller", &["seller", "selger", "user", "username"]),
            Field::Date => (
                "date",
                &["date", "dato", "time", "tid", "registeredat", "at"],
            ),
            Field::Outcome => ("outcome", &["outcome", "utfall", "resultat", "result"]),
            Field::Comment => ("comment", &["comment", "kommentar"]),
            Field::Product => ("product", &["product", "produkt"]),
            Field::Quantity => ("quantity", &["quantity", "antall", "qty"]),
            Field::UnitPrice => ("unit_price", &["unitprice", "price", "pris", "enhetspris"]),
            Field::Recording => ("recording", &["recording", "opptak", "recordingpath"]),
            Field::Kind => ("kind", &["kind", "type", "art"]),
            Field::Text => ("text", &["text", "tekst", "note", "notat"]),
        }
    }

    /// The field's name, as `--map` takes it and error messages show it.
    pub fn name(self) -> &'static str {
        self.spec().0
    }

    /// The headers that name the field, normalized.
    fn headers(self) -> &'static [&'static str] {
        self.spec().1
    }
}

/// What a file holds, which decides the fields its columns can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Customers,
    Outcomes,
    History,
}

impl FileKind {
    /// The fields a file of this kind can hold; for customers, in the order
    /// `--map` lists them.
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            FileKind::Customers => &[
                CustomerNo, Name, FirstName, LastName, Email, Phone, Address, PostalCode, City,
                BirthDate, Company, Notes, Extra, Ignore,
            ],
            FileKind::Outcomes => &[
                CustomerNo, Ref, Campaign, Seller, Date, Outcome, Comment, Product, Quantity,
                UnitPrice, Recording,
            ],
            FileKind::History => &[CustomerNo, Ref, Date, Kind, Text],
        }
    }

    /// The field a header names in a file of this kind, if any.
    pub fn field(self, header: &str) -> Option<Field> {
        let normalized = normalize_header(header);
        self.fields()
            .iter()
            .copied()
            .find(|f| f.headers().contains(&normalized.as_str()))
    }

    /// The field each column of `header` holds. `fixed` columns hold what it
    /// gives them (`--map` says so); any other column holds the field its
    /// header names, unless a fixed column holds that already. Several
    /// columns may hold one field: the import decides what the ones after the
    /// first do. The first two columns of a rejects file (`line`, `error`)
    /// are [`Field::Ignore`].
    pub fn columns(self, header: &[String], fixed: &HashMap<usize, Field>) -> Vec<Option<Field>> {
        let own = rejects_columns(header);
        header
            .iter()
            .enumerate()
            .map(|(i, h)| match fixed.get(&i) {
                Some(&f) => Some(f),
                None if i < own => Some(Field::Ignore),
                None => self
                    .field(h)
                    .filter(|f| !fixed.values().any(|fixed| fixed == f)),
            })
            .collect()
    }
}

/// How many columns at the start of `header` are a rejects file's own (its
/// line and reason): 2 when the header starts `line,error`, else 0.
pub fn rejects_columns(header: &[String]) -> usize {
    match header {
        [line, error, ..]
            if normalize_header(line) == "line" && normalize_header(error) == "error" =>
        {
            2
        }
        _ => 0,
    }
}

/// What an import does with one column: the `--dry-run` mapping.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mapped {
    pub column: String,
    /// A field's name, `extra` (kept on the card) or `ignored`.
    pub field: &'static str,
    /// The columns before this one that hold the same field: this one holds
    /// it only in rows where they are empty, and is an extra field in the
    /// others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
}

/// Says what a file of `kind` does with each column, given the field each
/// holds (from [`FileKind::columns`], or `--map`'s `extra`). A column that
/// holds no field is an extra field on a customer card and ignored
/// elsewhere; of several columns that hold one field, a card takes the first
/// that is not empty (the others are extra fields), outcomes and history the
/// first column.
pub fn describe(kind: FileKind, header: &[String], fields: &[Option<Field>]) -> Vec<Mapped> {
    let cards = kind == FileKind::Customers;
    header
        .iter()
        .zip(fields)
        .enumerate()
        .map(|(i, (column, field))| {
            let before: Vec<String> = header[..i]
                .iter()
                .zip(fields)
                .filter(|(_, f)| field.is_some() && *f == field)
                .map(|(h, _)| h.trim().to_string())
                .collect();
            let (field, unless) = match field {
                None | Some(Field::Extra) if cards => ("extra", Vec::new()),
                None | Some(Field::Extra) | Some(Field::Ignore) => ("ignored", Vec::new()),
                Some(_) if !before.is_empty() && !cards => ("ignored", Vec::new()),
                Some(f) => (f.name(), before),
            };
            Mapped {
                column: column.trim().to_string(),
                field,
                unless,
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [FileKind; 3] = [FileKind::Customers, FileKind::Outcomes, FileKind::History];

    #[test]
    fn every_header_names_its_field_in_every_kind_that_knows_it() {
        for kind in KINDS {
            for &field in kind.fields() {
                for &header in field.headers() {
                    assert_eq!(
                        normalize_header(header),
                        header,
                        "{field:?} lists {header:?} unnormalized: it could never match"
                    );
                    assert_eq!(
                        kind.field(header),
                        Some(field),
                        "{kind:?}: {header:?} should name {field:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_kind_knows_its_fields_and_no_others() {
        let cases: &[(&str, [Option<Field>; 3])] = &[
            // (header, [customers, outcomes, history])
            ("Customer No", [Some(Field::CustomerNo); 3]),
            ("Kunde-ID", [Some(Field::CustomerNo); 3]),
            ("Client ID", [Some(Field::CustomerNo); 3]),
            ("Cust. No", [Some(Field::CustomerNo); 3]),
            ("ref", [None, Some(Field::Ref), Some(Field::Ref)]),
            ("Referanse", [None, Some(Field::Ref), Some(Field::Ref)]),
            ("Date", [None, Some(Field::Date), Some(Field::Date)]),
            ("At", [None, Some(Field::Date), Some(Field::Date)]),
            (
                "Registered at",
                [None, Some(Field::Date), Some(Field::Date)],
            ),
            ("Comment", [Some(Field::Notes), Some(Field::Comment), None]),
            ("Notat", [Some(Field::Notes), None, Some(Field::Text)]),
            ("Navn", [Some(Field::Name), None, None]),
            ("Type", [None, None, Some(Field::Kind)]),
            ("Selger", [None, Some(Field::Seller), None]),
            ("Phone 2", [None, None, None]),
            ("extra", [None, None, None]),
            ("ignore", [None, None, None]),
        ];
        for (header, fields) in cases {
            for (kind, field) in KINDS.into_iter().zip(fields) {
                assert_eq!(kind.field(header), *field, "{kind:?}: {header:?}");
            }
        }
    }

    #[test]
    fn headers_fold_case_accents_and_separators() {
        for (header, normalized) in [
            ("Fødselsdato", "fodselsdato"),
            ("E-post", "epost"),
            ("Customer Id", "customerid"),
            ("customer_no", "customerno"),
            ("CUSTOMER-NUMBER", "customernumber"),
            ("  Post nr. ", "postnr"),
            ("\u{feff}Navn", "navn"),
            ("Ærfugl Åsen", "aerfuglasen"),
            ("Straße", "strasse"),
            ("Téléphone", "telephone"),
            ("Phone 1", "phone1"),
        ] {
            assert_eq!(normalize_header(header), normalized, "{header:?}");
        }
        assert_eq!(
            FileKind::Customers.field("Fødsels-Dato"),
            Some(Field::BirthDate)
        );
        assert_eq!(
            FileKind::History.field(" KUNDE_NUMMER "),
            Some(Field::CustomerNo)
        );
        assert_eq!(
            FileKind::Outcomes.field("Enhets Pris"),
            Some(Field::UnitPrice)
        );
    }

    fn strings(header: &[&str]) -> Vec<String> {
        header.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn every_column_naming_a_field_holds_it_unless_map_says_otherwise() {
        let header = strings(&["Navn", "Name", "Kunde", "E-post"]);
        assert_eq!(
            FileKind::Customers.columns(&header, &HashMap::new()),
            [
                Some(Field::Name),
                Some(Field::Name),
                None,
                Some(Field::Email)
            ]
        );
        let fixed = HashMap::from([(2, Field::Name)]);
        assert_eq!(
            FileKind::Customers.columns(&header, &fixed),
            [None, None, Some(Field::Name), Some(Field::Email)]
        );
    }

    #[test]
    fn the_common_exports_map_without_help() {
        use Field::*;
        let cases: &[(&[&str], &[Option<Field>])] = &[
            (
                // HubSpot
                &[
                    "Record ID",
                    "First Name",
                    "Last Name",
                    "Email",
                    "Phone Number",
                    "Mobile Phone Number",
                    "Company Name",
                    "Street Address",
                    "City",
                    "Postal Code",
                ],
                &[
                    Some(CustomerNo),
                    Some(FirstName),
                    Some(LastName),
                    Some(Email),
                    Some(Phone),
                    Some(Phone),
                    Some(Company),
                    Some(Address),
                    Some(City),
                    Some(PostalCode),
                ],
            ),
            (
                // Salesforce
                &[
                    "Contact ID",
                    "Account Name",
                    "Mailing Street",
                    "Mailing City",
                    "Mailing Zip/Postal Code",
                    "Mobile",
                    "Birthdate",
                    "Mailing Postal Code",
                    "Mailing Zip",
                ],
                &[
                    Some(CustomerNo),
                    Some(Company),
                    Some(Address),
                    Some(City),
                    Some(PostalCode),
                    Some(Phone),
                    Some(BirthDate),
                    Some(PostalCode),
                    Some(PostalCode),
                ],
            ),
            (
                // Outlook
                &[
                    "E-mail Address",
                    "Mobile Phone",
                    "Business Phone",
                    "Home Phone",
                    "Home Street",
                    "Home City",
                    "Home Postal Code",
                    "Birthday",
                    "E-mail 2 Address",
                ],
                &[
                    Some(Email),
                    Some(Phone),
                    Some(Phone),
                    Some(Phone),
                    Some(Address),
                    Some(City),
                    Some(PostalCode),
                    Some(BirthDate),
                    None,
                ],
            ),
        ];
        for (header, fields) in cases {
            assert_eq!(
                FileKind::Customers.columns(&strings(header), &HashMap::new()),
                *fields,
                "{header:?}"
            );
        }
    }

    #[test]
    fn a_rejects_files_own_columns_are_ignored() {
        let header = strings(&["line", "error", "name", "email"]);
        for kind in KINDS {
            assert_eq!(
                kind.columns(&header, &HashMap::new())[..2],
                [Some(Field::Ignore), Some(Field::Ignore)]
            );
        }
        assert_eq!(rejects_columns(&header), 2);
        // Only as a rejects file has them: first, and both.
        assert_eq!(rejects_columns(&strings(&["name", "line", "error"])), 0);
        assert_eq!(rejects_columns(&strings(&["line", "name"])), 0);
        assert_eq!(
            FileKind::Customers.columns(&strings(&["name", "error"]), &HashMap::new()),
            [Some(Field::Name), None]
        );
    }

    #[test]
    fn the_mapping_says_what_each_column_does() {
        let header = strings(&["line", "error", "Telefon", "Navn", "Mobil", "Hobby"]);
        let fields = FileKind::Customers.columns(&header, &HashMap::new());
        let described: Vec<String> = describe(FileKind::Customers, &header, &fields)
            .iter()
            .map(|m| format!("{}:{}:{}", m.column, m.field, m.unless.join("+")))
            .collect();
        assert_eq!(
            described,
            [
                "line:ignored:",
                "error:ignored:",
                "Telefon:phone:",
                "Navn:name:",
                "Mobil:phone:Telefon",
                "Hobby:extra:",
            ]
        );
        let header = strings(&["customer_no", "Date", "Dato", "Hobby"]);
        let fields = FileKind::History.columns(&header, &HashMap::new());
        let fields: Vec<&str> = describe(FileKind::History, &header, &fields)
            .iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(fields, ["customer_no", "date", "ignored", "ignored"]);
    }
}
