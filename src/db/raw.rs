//! A prepared statement that binds text without copying it.
//!
//! rusqlite binds every string with `SQLITE_TRANSIENT`: SQLite allocates,
//! copies, and frees a copy of each value. For the bulk INSERT of a customer
//! import that was a fifth of the writing thread's work, so this one statement
//! binds with `SQLITE_STATIC` instead: SQLite reads the caller's bytes where
//! they are. That is only sound while SQLite cannot read them after the
//! caller's borrow ends, which [`StaticStatement::execute`] makes sure of: it
//! binds, steps, resets and clears every binding before it returns, and takes
//! its values as one borrowed slice that lives across the whole call.
//!
//! This is the only `unsafe` code in cube; everything else goes through rusqlite.

use std::ffi::{c_int, CStr};
use std::ptr::NonNull;

use rusqlite::{ffi, Connection};

/// One value to bind.
#[derive(Clone, Copy)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

/// A statement prepared on `conn`, finalized when dropped (which the borrow
/// makes happen before the connection closes).
pub struct StaticStatement<'conn> {
    conn: &'conn Connection,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

impl<'conn> StaticStatement<'conn> {
    pub fn prepare(conn: &'conn Connection, sql: &str) -> rusqlite::Result<Self> {
        let len = c_int::try_from(sql.len()).map_err(|_| misuse("SQL too long"))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: the handle is open for as long as `conn` is borrowed; SQLite
        // reads `len` bytes of `sql` during the call and keeps no pointer to it.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                conn.handle(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        check(conn, rc)?;
        let stmt = NonNull::new(stmt).ok_or_else(|| misuse("no statement in the SQL"))?;
        Ok(StaticStatement { conn, stmt })
    }

    /// Binds `params` to ?1, ?2, ... in order, runs the statement to its end
    /// and returns how many rows it changed.
    pub fn execute(&mut self, params: &[Param<'_>]) -> rusqlite::Result<usize> {
        let result = self.bind_and_step(params);
        // SAFETY: the statement is valid until drop. After these two calls
        // SQLite holds no pointer into `params`: reset ends the run, and
        // clearing the bindings forgets the static pointers.
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
        result
    }

    fn bind_and_step(&mut self, params: &[Param<'_>]) -> rusqlite::Result<usize> {
        let stmt = self.stmt.as_ptr();
        for (i, param) in params.iter().enumerate() {
            let index = c_int::try_from(i + 1).map_err(|_| misuse("too many parameters"))?;
            // SAFETY: the statement is valid; a text pointer stays valid until
            // `execute` clears the bindings, since `params` outlives that call.
            let rc = unsafe {
                match *param {
                    Param::Null => ffi::sqlite3_bind_null(stmt, index),
                    Param::Int(value) => ffi::sqlite3_bind_int64(stmt, index, value),
                    Param::Text(text) => {
                        let len =
                            c_int::try_from(text.len()).map_err(|_| misuse("text too long"))?;
                        ffi::sqlite3_bind_text(
                            stmt,
                            index,
                            text.as_ptr().cast(),
                            len,
                            ffi::SQLITE_STATIC(),
                        )
                    }
                }
            };
            check(self.conn, rc)?;
        }
        // SAFETY: the statement is valid and fully bound.
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        if rc != ffi::SQLITE_DONE {
            return Err(error(self.conn, rc));
        }
        // SAFETY: the handle is open while `conn` is borrowed.
        let changes = unsafe { ffi::sqlite3_changes64(self.conn.handle()) };
        Ok(usize::try_from(changes).unwrap_or(0))
    }
}

impl Drop for StaticStatement<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `prepare` and is finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

fn check(conn: &Connection, rc: c_int) -> rusqlite::Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(error(conn, rc))
    }
}

/// The connection's error for `rc`, with SQLite's message.
fn error(conn: &Connection, rc: c_int) -> rusqlite::Error {
    // SAFETY: the handle is open; SQLite's message is a NUL-terminated string
    // that stays valid until the next call on the connection, and is copied here.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(conn.handle());
        (!text.is_null()).then(|| CStr::from_ptr(text).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

fn misuse(message: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_MISUSE), Some(message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_runs_and_reports_errors() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a TEXT NOT NULL, b INTEGER, c TEXT UNIQUE)")
            .unwrap();
        let mut insert = StaticStatement::prepare(
            &conn,
            "INSERT OR IGNORE INTO t VALUES (?1, ?2, ?3), (?1, ?2, ?4)",
        )
        .unwrap();
        for round in 0..3 {
            // Values made fresh for each run, and gone after it.
            let text = format!("æøå {round}");
            let keys = (format!("k{round}"), format!("k{}", round + 1));
            let changed = insert
                .execute(&[
                    Param::Text(&text),
                    Param::Int(round),
                    Param::Text(&keys.0),
                    Param::Text(&keys.1),
                ])
                .unwrap();
            // From the second round on, the first key is taken.
            assert_eq!(changed, if round == 0 { 2 } else { 1 });
        }
        let rows: Vec<(String, i64, String)> = conn
            .prepare("SELECT a, b, c FROM t ORDER BY c")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[3], ("æøå 2".to_string(), 2, "k3".to_string()));

        let mut bad = StaticStatement::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        let err = bad
            .execute(&[Param::Null, Param::Int(1), Param::Text("x")])
            .unwrap_err();
        assert!(err.to_string().contains("NOT NULL"), "{err}");
        // After an error the statement is reset and usable again.
        assert_eq!(
            bad.execute(&[Param::Text("a"), Param::Null, Param::Text("y")])
                .unwrap(),
            1
        );
        assert!(StaticStatement::prepare(&conn, "NOT SQL").is_err());
        assert!(StaticStatement::prepare(&conn, "").is_err());
    }
}
