use super::*;

/// Each finding as its kind and the text it covers.
fn found(text: &str) -> Vec<(Kind, &str)> {
    let mut all = Vec::new();
    find(text.as_bytes(), |kind, range| {
        all.push((kind, &text[range]))
    });
    all
}

fn kinds(text: &str) -> Vec<Kind> {
    found(text).into_iter().map(|(k, _)| k).collect()
}

fn digits(text: &str) -> [u8; 19] {
    let mut d = [0; 19];
    for (slot, c) in d.iter_mut().zip(text.bytes()) {
        *slot = c - b'0';
    }
    d
}

#[test]
fn fodselsnummer_needs_both_check_digits_and_a_real_date() {
    // 1 January 1965, 15 May 1990, 31 December 1999, 22 March 2012.
    for valid in ["01016523409", "15059000060", "31129912319", "22031250084"] {
        assert!(national_id(&digits(valid)), "{valid}");
    }
    // The second check digit, then the first, one off.
    assert!(!national_id(&digits("15059000061")));
    assert!(!national_id(&digits("15059000070")));
    // Right check digits, impossible dates: 31 February, day 0, month 13.
    assert!(!national_id(&digits("31029012302")));
    assert!(!national_id(&digits("00019000044")));
    assert!(!national_id(&digits("01139000001")));
    // Individual number 750-899 gives no century for a year 40-99.
    assert!(!national_id(&digits("01016075015")));
}

#[test]
fn the_29th_of_february_only_in_leap_years() {
    assert!(national_id(&digits("29029623439")), "1996");
    assert!(national_id(&digits("29020412354")), "1904");
    assert!(national_id(&digits("29020050088")), "2000");
    assert!(!national_id(&digits("29020012380")), "1900 is no leap year");
    assert!(!national_id(&digits("29020151216")), "2001");
}

#[test]
fn d_nummer_adds_four_to_the_first_digit_of_the_day() {
    assert!(national_id(&digits("55059000054")), "15 May 1990");
    assert!(national_id(&digits("41016551218")), "1 January 1865");
    assert!(!national_id(&digits("72019000029")), "day 32");
    assert_eq!(kinds("D-nr 55059000054"), [Kind::NationalId]);
}

#[test]
fn national_ids_plain_or_with_a_space_after_the_date() {
    assert_eq!(
        found("fnr 15059000060, eller 150590 00060."),
        [
            (Kind::NationalId, "15059000060"),
            (Kind::NationalId, "150590 00060")
        ]
    );
    assert!(found("15059000061 150590 00061 310290 12302").is_empty());
    // The second check digit of a national id is an account number's
    // check digit: with an impossible date, it is an account number.
    assert_eq!(kinds("31029012302"), [Kind::BankAccount]);
}

#[test]
fn account_numbers_with_the_right_check_digit() {
    assert!(bank_account(&digits("12345678903")));
    assert!(!bank_account(&digits("12345678904")));
    assert_eq!(
        found("konto 1234.56.78903 / 1234 56 78903 / 12345678903"),
        [
            (Kind::BankAccount, "1234.56.78903"),
            (Kind::BankAccount, "1234 56 78903"),
            (Kind::BankAccount, "12345678903")
        ]
    );
    assert!(found("1234.56.78904 1234 56 78904 12345678904").is_empty());
    // Mixed separators are no account number.
    assert!(found("1234.56 78903").is_empty());
    // This account number's digits also pass no national id check.
    assert_eq!(kinds("15031234562"), [Kind::BankAccount]);
}

#[test]
fn eleven_digits_failing_both_checks_are_nothing() {
    for text in [
        "12345678901",
        "99999999999",
        "1234.56.78901",
        "010165 12345",
    ] {
        assert!(found(text).is_empty(), "{text}");
    }
}

#[test]
fn a_valid_national_id_is_not_also_a_bank_account() {
    // 01016523409 passes the account check too (its last digit is the
    // national id's second check digit, computed the same way).
    assert!(bank_account(&digits("01016523409")));
    assert_eq!(kinds("01016523409"), [Kind::NationalId]);
}

#[test]
fn payment_cards_pass_the_luhn_check() {
    assert!(luhn(&digits("4111111111111111")[..16]));
    assert!(!luhn(&digits("4111111111111112")[..16]));
    assert_eq!(
        found("kort 4111111111111111, 4111 1111 1111 1111 og 5500-0000-0000-0004"),
        [
            (Kind::PaymentCard, "4111111111111111"),
            (Kind::PaymentCard, "4111 1111 1111 1111"),
            (Kind::PaymentCard, "5500-0000-0000-0004")
        ]
    );
    // Amex in 4-6-5, Diners in 14 digits.
    assert_eq!(kinds("3782 822463 10005"), [Kind::PaymentCard]);
    assert_eq!(kinds("30569309025904"), [Kind::PaymentCard]);
    // One digit off: not a card, and not a phone number either.
    assert!(found("4111 1111 1111 1112 4111111111111112").is_empty());
    assert!(found("4111-1111 1111-1111").is_empty());
}

#[test]
fn phone_numbers_in_every_common_formatting() {
    for text in [
        "99887766",
        "998 87 766",
        "99 88 77 66",
        "+47 99887766",
        "+4799887766",
        "+47 998 87 766",
        "0047 99887766",
        "0047 99 88 77 66",
        "004799887766",
        "+46 70 123 45 67",
        "+1-555-123-4567",
        "+44 20 7946 0958",
        "22 33 44 55",
        "998\u{a0}87\u{a0}766",
    ] {
        assert_eq!(found(text), [(Kind::Phone, text)], "{text}");
    }
    assert_eq!(
        found("Ring tilbake på 998 87 766 eller (+47) 41234567 etter kl. 16."),
        [(Kind::Phone, "998 87 766"), (Kind::Phone, "41234567")]
    );
}

#[test]
fn not_phone_numbers() {
    for text in [
        "09887766",          // no subscriber number starts with 0
        "12345678",          // or with 1
        "+47 1234",          // too short after +
        "+1234567890123456", // too long after +
        "9988 7766",         // not a Norwegian grouping
        "998-87-766",        // hyphens are not one either
        "998877665",         // nine digits
        "K99887766",         // glued to a letter
        "99887766kr",
        "ordre_99887766",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn no_false_positive_on_dates_prices_and_times() {
    for text in [
        "2026-11-01",
        "01.11.2026",
        "2026-11-29T10:00:00Z",
        "kl. 10:30, 14.45 og 16:00",
        "1198.00",
        "kr 1 198,00 og 299.00 per mnd",
        "20261101",
        "29022024",
        "1,5 GB og 99,90 kr",
        "Kunde siden 2019",
        "0047",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn digits_inside_longer_runs_or_words_do_not_count() {
    assert!(found("123456789012345678901234").is_empty());
    assert!(found("x15059000060").is_empty());
    assert!(found("15059000060ab").is_empty());
    assert!(found("Kunde15059000060").is_empty());
    assert!(
        found("bølge41234567").is_empty(),
        "a letter beyond ASCII glues too"
    );
    // Other punctuation is a boundary.
    assert_eq!(kinds("(15059000060)"), [Kind::NationalId]);
    assert_eq!(kinds("tlf:99887766."), [Kind::Phone]);
}

#[test]
fn email_addresses() {
    assert_eq!(
        found("skriv til Kari.Nordmann+crm@Online.NO. eller kåre@bøkeskog.no!"),
        [
            (Kind::Email, "Kari.Nordmann+crm@Online.NO"),
            (Kind::Email, "kåre@bøkeskog.no")
        ]
    );
    assert_eq!(found("<ola@x.no>"), [(Kind::Email, "ola@x.no")]);
    for text in [
        "@SUM(A1:A9)",
        "kari@",
        "kari@localhost",
        "kari@x.n",
        "kari@x.123",
        "a @ b.no",
        "kari@-x.no",
        "møte @ 10.30",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn the_digits_of_an_address_are_not_a_number_too() {
    assert_eq!(kinds("99887766@sms.example.no"), [Kind::Email]);
    assert_eq!(kinds("ola.99887766@x.no"), [Kind::Email]);
    assert_eq!(
        found("99887766 / ola@x.no / 41234567"),
        [
            (Kind::Phone, "99887766"),
            (Kind::Email, "ola@x.no"),
            (Kind::Phone, "41234567")
        ]
    );
}

#[test]
fn several_kinds_in_one_text_each_once() {
    assert_eq!(
        kinds(
            "Kari (15059000060) betaler fra 1234.56.78903 med 4111 1111 1111 1111, \
             tlf 998 87 766, kari@x.no"
        ),
        [
            Kind::NationalId,
            Kind::BankAccount,
            Kind::PaymentCard,
            Kind::Phone,
            Kind::Email
        ]
    );
}

#[test]
fn extra_fields_are_searched_as_their_text() {
    let json = |text: &str| {
        let mut all = Vec::new();
        find_in_json(text.as_bytes(), |k| all.push(k));
        all
    };
    assert!(json("{}").is_empty());
    assert_eq!(json(r#"{"Telefon 2":"99887766"}"#), [Kind::Phone]);
    let mut both = json(r#"{"Notat":"ring\n99887766","Fnr":"15059000060"}"#);
    both.sort_by_key(|k| k.as_str());
    assert_eq!(both, [Kind::NationalId, Kind::Phone]);
    assert_eq!(json("not json\\ 99887766"), [Kind::Phone]);
}

#[test]
fn any_text_is_read_without_panicking() {
    for text in [
        "", "+", "@", "+@", "@@", "9", "+9", "0047 ", "1234.", "1234 56 ", "ø9ø", "\u{a0}9",
        "9\u{a0}", "9\u{c2}", "x@y.zz@", "..@..", "a@b.c.",
    ] {
        found(text);
    }
    let long = "9 ".repeat(10_000) + &"1".repeat(100);
    assert!(found(&long).is_empty());
}

#[test]
fn bytes_that_are_not_utf8_count_as_punctuation() {
    let kinds = |text: &[u8]| {
        let mut all = Vec::new();
        find(text, |kind, _| all.push(kind));
        all
    };
    assert_eq!(kinds(b"\xff99887766\xc3"), [Kind::Phone]);
    assert_eq!(kinds(b"\xe6kari@x.no\x80"), [Kind::Email]);
    assert_eq!(kinds(b"kari@x\xff.no"), []);
    for text in [
        &b"\xc3"[..],
        b"\xf0\x9f",
        b"9\xf0\x9f",
        b"@\xc3\xa6",
        b"\x80@x.no",
    ] {
        kinds(text);
    }
}

#[test]
fn a_store_is_scanned_whole_and_in_order_across_many_chunks() {
    use crate::db::{Card, NewIds, BUSY_TIMEOUT};
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
    let tx = db.begin().unwrap();
    // Three chunks and a bit; an address in every 1,000th customer's notes.
    let customers = 3 * CHUNK_TEXTS + 7;
    for i in 0..customers {
        let notes = if i % 1000 == 0 {
            format!("skriv til kunde{i}@example.no")
        } else {
            format!("notat {i}")
        };
        let card = Card {
            name: "Åse".into(),
            notes,
            ..Card::default()
        };
        let (cube_id, reference) = (format!("id-{i}"), format!("{i:016x}"));
        let ids = NewIds {
            cube_id: &cube_id,
            reference: &reference,
        };
        tx.insert_customer(ids, &card, None, chrono::DateTime::UNIX_EPOCH)
            .unwrap();
    }
    tx.commit().unwrap();
    let mut found = Vec::new();
    let summary = scan_store(&db, None, &|_| {}, &mut |finding| {
        assert_eq!(finding.kind, Kind::Email);
        found.push(finding.customer.unwrap().to_string());
        Ok(())
    })
    .unwrap();
    assert_eq!(summary.texts, customers as u64);
    let expected: Vec<String> = (0..customers)
        .step_by(1000)
        .map(|i| format!("{i:016x}"))
        .collect();
    assert_eq!(found, expected);
    // A report that fails stops the scan, reader and all, with its error.
    let failed = scan_store(&db, None, &|_| {}, &mut |_| anyhow::bail!("broken pipe"));
    assert_eq!(failed.unwrap_err().to_string(), "broken pipe");
}
