//! Files as operators have them: dates in other forms.

use crate::Cube;

#[test]
fn dates_in_a_named_format_and_norwegian_times() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,birth_date\n1,Ola,12/24/1980\n2,Kari,1975-02-01\n",
        &["--date-format", "%m/%d/%Y"],
    )
    .ok();
    assert_eq!(cube.customer("1")["birth_date"], "1980-12-24");
    assert_eq!(cube.customer("2")["birth_date"], "1975-02-01");

    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høst,kari,01.10.2026 14:05,Call back\n",
        &[],
    )
    .ok();
    assert_eq!(
        cube.sql::<String>("SELECT registered_at FROM outcomes"),
        "2026-10-01T14:05:00Z"
    );
    cube.import(
        "history",
        "customer_no,date,kind,text\n1,10/02/2026 09:15,call,Ringte\n",
        &["--date-format", "%m/%d/%Y %H:%M"],
    )
    .ok();
    assert_eq!(
        cube.sql::<String>("SELECT at FROM history"),
        "2026-10-02T09:15:00Z"
    );

    let run = cube.import_customers("name,birth_date\nPer,24/12/1980\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains(
            r#"line 2, column "birth_date": "24/12/1980" is not a date (accepted: YYYY-MM-DD, DD.MM.YYYY); other forms with --date-format"#
        ),
        "{}",
        run.stderr
    );
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høst,kari,1st of May,Call back\n",
        &["--date-format", "%d/%m/%Y"],
    );
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains(
            r#""1st of May" is not a date or time (accepted: %d/%m/%Y, YYYY-MM-DD, DD.MM.YYYY, either with HH:MM or HH:MM:SS after it, or RFC 3339 such as 2026-10-01T10:30:00+02:00)"#
        ),
        "{}",
        run.stderr
    );
    let run = cube.import_customers("name\nPer\n", &["--date-format", "%Q"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("--date-format"), "{}", run.stderr);
}
