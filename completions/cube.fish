# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cube_global_optspecs
    string join \n db= recordings-dir= json q/quiet v/verbose busy-timeout= operator= no-progress h/help V/version
end

function __fish_cube_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cube_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cube_using_subcommand
    set -l cmd (__fish_cube_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cube -n "__fish_cube_needs_command" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_needs_command" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_needs_command" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_needs_command" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_needs_command" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_needs_command" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_needs_command" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_needs_command" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_needs_command" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_needs_command" -s V -l version -d 'Print version'
complete -c cube -n "__fish_cube_needs_command" -f -a "init" -d 'Create the database, or bring an existing one up to this version\'s schema'
complete -c cube -n "__fish_cube_needs_command" -f -a "demo" -d 'Fill a fresh database with realistic demo data'
complete -c cube -n "__fish_cube_needs_command" -f -a "import" -d 'Import customers, outcomes or history from CSV files or workbooks'
complete -c cube -n "__fish_cube_needs_command" -f -a "move" -d 'Move customers into another campaign'
complete -c cube -n "__fish_cube_needs_command" -f -a "assign" -d 'Hand the next available customers of a campaign to a seller'
complete -c cube -n "__fish_cube_needs_command" -f -a "archive" -d 'Archive campaigns, choosing whether their customers are anonymized'
complete -c cube -n "__fish_cube_needs_command" -f -a "anonymize" -d 'Archive a campaign and anonymize all its customers, in one step'
complete -c cube -n "__fish_cube_needs_command" -f -a "jobs" -d 'List anonymization jobs, or resume unfinished ones'
complete -c cube -n "__fish_cube_needs_command" -f -a "export" -d 'Export outcomes, sales or history to CSV or Excel'
complete -c cube -n "__fish_cube_needs_command" -f -a "backup" -d 'Back up the database, or restore a backup'
complete -c cube -n "__fish_cube_needs_command" -f -a "doctor" -d 'Check integrity, settings, jobs, the erasure journal, recording files and kept counts'
complete -c cube -n "__fish_cube_needs_command" -f -a "scan" -d 'Find personal data in free text, where it does not belong (exit 1 if any)'
complete -c cube -n "__fish_cube_needs_command" -f -a "audit" -d 'Who archived, anonymized, restored or replayed what, and when'
complete -c cube -n "__fish_cube_needs_command" -f -a "reactivate" -d 'Reactivate an archived campaign (anonymized customers stay anonymized)'
complete -c cube -n "__fish_cube_needs_command" -f -a "campaign" -d 'List, show and create campaigns'
complete -c cube -n "__fish_cube_needs_command" -f -a "customer" -d 'List, show, find, export and forget customers'
complete -c cube -n "__fish_cube_needs_command" -f -a "stats" -d 'Counts of customers, campaigns, outcomes, sales and recordings'
complete -c cube -n "__fish_cube_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c cube -n "__fish_cube_needs_command" -f -a "man" -d 'Write the manual pages into a folder (for packagers; see `scripts/man`)'
complete -c cube -n "__fish_cube_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand init" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand init" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand init" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand init" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand init" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand init" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand init" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand init" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand init" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand demo" -l customers -d 'How many customers' -r
complete -c cube -n "__fish_cube_using_subcommand demo" -l seed -d 'Seed of the generator: the same seed gives the same data' -r
complete -c cube -n "__fish_cube_using_subcommand demo" -l csv -d 'Write customers.csv and outcomes.csv (2 per customer) into DIR instead of filling a database: files to import, for benchmarks' -r -F
complete -c cube -n "__fish_cube_using_subcommand demo" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand demo" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand demo" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand demo" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand demo" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand demo" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand demo" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand demo" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand demo" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -f -a "customers" -d 'Import customer cards (English or Norwegian headers)'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -f -a "outcomes" -d 'Import outcomes, each with an optional sale and call recording'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -f -a "history" -d 'Import activity history entries'
complete -c cube -n "__fish_cube_using_subcommand import; and not __fish_seen_subcommand_from customers outcomes history help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l sheet -d 'A workbook\'s sheet to read [default: the first]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l header-row -d 'The line (a workbook\'s row) that holds the header, when a title or notes come first [default: the first line that is not blank]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l date-format -d 'How the file writes dates, as strftime (e.g. %m/%d/%Y); YYYY-MM-DD and DD.MM.YYYY are read too' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l tz -d 'The time zone of times the file writes without one (as a clock on the wall in Oslo shows them: Europe/Oslo) [default: UTC]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l delimiter -d 'The field delimiter of a CSV file [default: found from the header line: `,` `;` or tab]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l encoding -d 'The CSV file\'s encoding [default: UTF-8, else Windows-1252]' -r -f -a "utf-8\t''
windows-1252\t''"
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l rejects -d 'Where --skip-invalid writes the invalid rows, with line and reason' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l campaign -d 'Place the new customers in this campaign (whatever the case of its name; created if missing, unless an existing name is close to it), and move the ones --on-duplicate update updates into it' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l map -d 'Map a column to a card field: name, first_name, last_name, customer_no, email, phone, address, postal_code, city, birth_date, company, notes, extra or ignore (repeatable)' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l on-duplicate -d 'What to do with a row that is a customer already there: the same customer number, or without one the same e-mail, else phone' -r -f -a "error\t'The row is invalid'
skip\t'Leave the existing customer as it is'
update\t'Overwrite the existing customer\'s card'"
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l skip-invalid -d 'Import the valid rows and write the invalid ones to --rejects (a dry run needs no --rejects)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l dry-run -d 'Check and count everything, show what each column is read as, and change nothing (no file written)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l new-campaign -d 'Create the campaign even when an existing one has a close name'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from customers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l sheet -d 'A workbook\'s sheet to read [default: the first]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l header-row -d 'The line (a workbook\'s row) that holds the header, when a title or notes come first [default: the first line that is not blank]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l date-format -d 'How the file writes dates, as strftime (e.g. %m/%d/%Y); YYYY-MM-DD and DD.MM.YYYY are read too' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l tz -d 'The time zone of times the file writes without one (as a clock on the wall in Oslo shows them: Europe/Oslo) [default: UTC]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l delimiter -d 'The field delimiter of a CSV file [default: found from the header line: `,` `;` or tab]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l encoding -d 'The CSV file\'s encoding [default: UTF-8, else Windows-1252]' -r -f -a "utf-8\t''
windows-1252\t''"
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l rejects -d 'Where --skip-invalid writes the invalid rows, with line and reason' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l skip-invalid -d 'Import the valid rows and write the invalid ones to --rejects (a dry run needs no --rejects)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l dry-run -d 'Check and count everything, show what each column is read as, and change nothing (no file written)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l allow-duplicates -d 'Import rows the same as ones already stored (by default they are skipped, so that a file imported twice doubles nothing)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l new-campaign -d 'Create the campaigns the file names even where an existing campaign has a close name (otherwise such a row is an error: a typo, most likely)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from outcomes" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l sheet -d 'A workbook\'s sheet to read [default: the first]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l header-row -d 'The line (a workbook\'s row) that holds the header, when a title or notes come first [default: the first line that is not blank]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l date-format -d 'How the file writes dates, as strftime (e.g. %m/%d/%Y); YYYY-MM-DD and DD.MM.YYYY are read too' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l tz -d 'The time zone of times the file writes without one (as a clock on the wall in Oslo shows them: Europe/Oslo) [default: UTC]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l delimiter -d 'The field delimiter of a CSV file [default: found from the header line: `,` `;` or tab]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l encoding -d 'The CSV file\'s encoding [default: UTF-8, else Windows-1252]' -r -f -a "utf-8\t''
windows-1252\t''"
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l rejects -d 'Where --skip-invalid writes the invalid rows, with line and reason' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l skip-invalid -d 'Import the valid rows and write the invalid ones to --rejects (a dry run needs no --rejects)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l dry-run -d 'Check and count everything, show what each column is read as, and change nothing (no file written)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l allow-duplicates -d 'Import rows the same as ones already stored (by default they are skipped, so that a file imported twice doubles nothing)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "customers" -d 'Import customer cards (English or Norwegian headers)'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "outcomes" -d 'Import outcomes, each with an optional sale and call recording'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "history" -d 'Import activity history entries'
complete -c cube -n "__fish_cube_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand move" -l to -d 'The campaign to move the customers into (must be active)' -r
complete -c cube -n "__fish_cube_using_subcommand move" -l customer -d 'Customers, by reference or customer number (one or more; repeatable)' -r
complete -c cube -n "__fish_cube_using_subcommand move" -l file -d 'A file with one reference or customer number per line (`-` for stdin)' -r -F
complete -c cube -n "__fish_cube_using_subcommand move" -l from -d 'Every customer of this campaign' -r
complete -c cube -n "__fish_cube_using_subcommand move" -l stage -d 'With --from: only customers at this stage' -r -f -a "available\t'Free for sellers to pick'
assigned\t'A seller has it'
completed\t'An outcome was registered'"
complete -c cube -n "__fish_cube_using_subcommand move" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand move" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand move" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand move" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand move" -l dry-run -d 'Say what would be moved, and change nothing'
complete -c cube -n "__fish_cube_using_subcommand move" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand move" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand move" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand move" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand move" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cube -n "__fish_cube_using_subcommand assign" -l seller -d 'The seller\'s username (created on first use)' -r
complete -c cube -n "__fish_cube_using_subcommand assign" -l count -d 'How many customers (1 or more)' -r
complete -c cube -n "__fish_cube_using_subcommand assign" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand assign" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand assign" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand assign" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand assign" -l new-seller -d 'Add the seller even though an existing one has a close name'
complete -c cube -n "__fish_cube_using_subcommand assign" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand assign" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand assign" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand assign" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand assign" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand archive" -l inactive-days -d 'Instead of naming campaigns: every active campaign with no outcome, sale, move, new customers or reactivation for this many days' -r
complete -c cube -n "__fish_cube_using_subcommand archive" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand archive" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand archive" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand archive" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand archive" -l anonymize -d 'Anonymize all the customers of the campaigns (irreversible)'
complete -c cube -n "__fish_cube_using_subcommand archive" -l keep-customers -d 'Keep the customers as they are'
complete -c cube -n "__fish_cube_using_subcommand archive" -l yes -d 'Do not ask for the campaign name to be typed back'
complete -c cube -n "__fish_cube_using_subcommand archive" -l dry-run -d 'Say what would happen, with counts, and change nothing'
complete -c cube -n "__fish_cube_using_subcommand archive" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand archive" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand archive" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand archive" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand archive" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l archived-for -d 'Instead of naming a campaign (retention, for cron): every campaign archived with its customers kept more than DAYS ago' -r
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l yes -d 'Go ahead without asking (needed without a terminal)'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l dry-run -d 'Say what would be removed, with counts, and change nothing'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand anonymize" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -f -a "list" -d 'List anonymization jobs, oldest first (the default)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -f -a "show" -d 'The receipt of a job: what was erased and kept, the scrub, and which backups still hold the erased data (never personal data)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -f -a "resume" -d 'Finish unfinished jobs (all of them, or the one named)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and not __fish_seen_subcommand_from list show resume help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "list" -d 'List anonymization jobs, oldest first (the default)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "show" -d 'The receipt of a job: what was erased and kept, the scrub, and which backups still hold the erased data (never personal data)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Finish unfinished jobs (all of them, or the one named)'
complete -c cube -n "__fish_cube_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand export" -l campaign -d 'Only this campaign' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l seller -d 'Only this seller (outcomes and sales)' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l from -d 'From this date (YYYY-MM-DD or DD.MM.YYYY), inclusive' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l to -d 'To this date, inclusive' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l format -d 'csv, or xlsx for an Excel workbook' -r -f -a "csv\t''
xlsx\t''"
complete -c cube -n "__fish_cube_using_subcommand export" -l locale -d 'Write for a spreadsheet in this locale: nb-NO gives a BOM, `;`, `1198,00` and `02.10.2026 14:30` in the --tz time zone' -r -f -a "nb-NO\t'Norwegian (bokmål): `;`, decimal comma, `dd.mm.yyyy hh:mm`'"
complete -c cube -n "__fish_cube_using_subcommand export" -l tz -d 'The time zone of the times a person reads (with --locale, and in a workbook) [default: $TZ, else the system\'s]' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l delimiter -d 'The CSV field delimiter [default: `,`; `;` with --locale nb-NO]' -r
complete -c cube -n "__fish_cube_using_subcommand export" -s o -l output -d 'Write to this file (complete or not at all) instead of stdout' -r -F
complete -c cube -n "__fish_cube_using_subcommand export" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand export" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand export" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand export" -l bom -d 'Start the CSV with a byte order mark, so Excel reads it as UTF-8 (always with --locale)'
complete -c cube -n "__fish_cube_using_subcommand export" -l raw -d 'Leave cells that look like formulas as they are (for programs, not spreadsheets)'
complete -c cube -n "__fish_cube_using_subcommand export" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand export" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand export" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand export" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -f -a "create" -d 'Write a consistent snapshot of the database (mode 0600)'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -f -a "restore" -d 'Restore a snapshot, re-applying every anonymization recorded since'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -f -a "replay" -d 'Re-apply the anonymizations the erasure journal has and the database lacks'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -f -a "list" -d 'List the backups that are still there: those cube wrote, and the other snapshots in their rolling sets\' folders'
complete -c cube -n "__fish_cube_using_subcommand backup; and not __fish_seen_subcommand_from create restore replay list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l dir -d 'Instead: write `cube-<time>.db` into this folder (for cron)' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l keep -d 'With --dir: keep only the newest N snapshots there (1 or more)' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l undo-job -d 'An anonymization job that was a mistake: its customers come back from the snapshot (repeatable; `cube jobs list` shows the ids)' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l no-journal -d 'Restore even though no erasure journal and no live database can say who was anonymized after the snapshot (they would come back)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "create" -d 'Write a consistent snapshot of the database (mode 0600)'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Restore a snapshot, re-applying every anonymization recorded since'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Re-apply the anonymizations the erasure journal has and the database lacks'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the backups that are still there: those cube wrote, and the other snapshots in their rolling sets\' folders'
complete -c cube -n "__fish_cube_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand doctor" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand doctor" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand doctor" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand doctor" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand doctor" -l scrub -d 'First rewrite the whole database file without free space (VACUUM), for a file another program wrote to or an older cube made: from then on the scrub of each anonymization covers only the pages it wrote'
complete -c cube -n "__fish_cube_using_subcommand doctor" -l repair -d 'Repair the counts that stats and the campaign list keep, where they differ from the data, by counting again (the other findings say what to do about them)'
complete -c cube -n "__fish_cube_using_subcommand doctor" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand doctor" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand doctor" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand doctor" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand scan" -l campaign -d 'Only the customers of this campaign, their outcomes, sales and history' -r
complete -c cube -n "__fish_cube_using_subcommand scan" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand scan" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand scan" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand scan" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand scan" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand scan" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand scan" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand scan" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cube -n "__fish_cube_using_subcommand audit" -l since -d 'Only entries from this date (YYYY-MM-DD or DD.MM.YYYY) on' -r
complete -c cube -n "__fish_cube_using_subcommand audit" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand audit" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand audit" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand audit" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand audit" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand audit" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand audit" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand audit" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand audit" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand reactivate" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand reactivate" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand reactivate" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand reactivate" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -f -a "list" -d 'List campaigns with their customer counts (active ones unless told)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -f -a "show" -d 'Show one campaign: status and customers per stage'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -f -a "create" -d 'Create an empty campaign'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -f -a "names" -d 'Campaign names, for the shell completions'
complete -c cube -n "__fish_cube_using_subcommand campaign; and not __fish_seen_subcommand_from list show create names help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l format -d 'table, or csv for scripts' -r -f -a "table\t''
csv\t''"
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l archived -d 'Only archived campaigns'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l all -d 'Active and archived campaigns'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from names" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "list" -d 'List campaigns with their customer counts (active ones unless told)'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one campaign: status and customers per stage'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an empty campaign'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "names" -d 'Campaign names, for the shell completions'
complete -c cube -n "__fish_cube_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "list" -d 'List customers, oldest first'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "show" -d 'Show one customer\'s card, by reference or customer number'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "find" -d 'Find customers by name, e-mail, phone, customer number or reference'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "export" -d 'Everything cube holds about one person, as JSON (the right of access)'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "forget" -d 'Anonymize exactly these customers, wherever they are (the right to erasure)'
complete -c cube -n "__fish_cube_using_subcommand customer; and not __fish_seen_subcommand_from list show find export forget help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l campaign -d 'Only customers in this campaign' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l stage -d 'Only customers at this stage' -r -f -a "available\t'Free for sellers to pick'
assigned\t'A seller has it'
completed\t'An outcome was registered'"
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l limit -d 'At most this many' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l format -d 'table, or csv for scripts' -r -f -a "table\t''
csv\t''"
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l anonymized -d 'Only anonymized customers'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l not-anonymized -d 'Only customers that are not anonymized'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l limit -d 'At most this many' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from find" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file (mode 0600, complete or not at all) instead of stdout' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l recordings -d 'Also copy the customer\'s call recordings into this folder' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l file -d 'Also every reference or customer number in this file, one per line (`-` for stdin)' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l reason -d 'Why, for the audit log: a case number or "erasure request". Never a name: the audit log must hold no personal data' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l dry-run -d 'Say who and what would be erased, and change nothing'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l yes -d 'Do not ask (needed without a terminal)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "list" -d 'List customers, oldest first'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one customer\'s card, by reference or customer number'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "find" -d 'Find customers by name, e-mail, phone, customer number or reference'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "export" -d 'Everything cube holds about one person, as JSON (the right of access)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Anonymize exactly these customers, wherever they are (the right to erasure)'
complete -c cube -n "__fish_cube_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand stats" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand stats" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand stats" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand stats" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand stats" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand stats" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand stats" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand stats" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand stats" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand completions" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand completions" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand completions" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand completions" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand completions" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand completions" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand completions" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand completions" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand completions" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand man" -l db -d 'The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]' -r -F
complete -c cube -n "__fish_cube_using_subcommand man" -l recordings-dir -d 'The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]' -r -F
complete -c cube -n "__fish_cube_using_subcommand man" -l busy-timeout -d 'Seconds to wait for another cube\'s write lock before exiting with 75' -r
complete -c cube -n "__fish_cube_using_subcommand man" -l operator -d 'Who is doing this, for the audit log [default: $USER, else $LOGNAME]' -r
complete -c cube -n "__fish_cube_using_subcommand man" -l json -d 'Print machine-readable JSON on stdout'
complete -c cube -n "__fish_cube_using_subcommand man" -s q -l quiet -d 'Say nothing unless something fails'
complete -c cube -n "__fish_cube_using_subcommand man" -s v -l verbose -d 'Say more about what is done'
complete -c cube -n "__fish_cube_using_subcommand man" -l no-progress -d 'Never draw progress bars (they only appear on a terminal anyway)'
complete -c cube -n "__fish_cube_using_subcommand man" -s h -l help -d 'Print help'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "init" -d 'Create the database, or bring an existing one up to this version\'s schema'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "demo" -d 'Fill a fresh database with realistic demo data'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "import" -d 'Import customers, outcomes or history from CSV files or workbooks'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "move" -d 'Move customers into another campaign'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "assign" -d 'Hand the next available customers of a campaign to a seller'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "archive" -d 'Archive campaigns, choosing whether their customers are anonymized'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "anonymize" -d 'Archive a campaign and anonymize all its customers, in one step'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "jobs" -d 'List anonymization jobs, or resume unfinished ones'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "export" -d 'Export outcomes, sales or history to CSV or Excel'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "backup" -d 'Back up the database, or restore a backup'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "doctor" -d 'Check integrity, settings, jobs, the erasure journal, recording files and kept counts'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "scan" -d 'Find personal data in free text, where it does not belong (exit 1 if any)'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "audit" -d 'Who archived, anonymized, restored or replayed what, and when'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "reactivate" -d 'Reactivate an archived campaign (anonymized customers stay anonymized)'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "campaign" -d 'List, show and create campaigns'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "customer" -d 'List, show, find, export and forget customers'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "stats" -d 'Counts of customers, campaigns, outcomes, sales and recordings'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "man" -d 'Write the manual pages into a folder (for packagers; see `scripts/man`)'
complete -c cube -n "__fish_cube_using_subcommand help; and not __fish_seen_subcommand_from init demo import move assign archive anonymize jobs export backup doctor scan audit reactivate campaign customer stats completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "customers" -d 'Import customer cards (English or Norwegian headers)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "outcomes" -d 'Import outcomes, each with an optional sale and call recording'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "history" -d 'Import activity history entries'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from jobs" -f -a "list" -d 'List anonymization jobs, oldest first (the default)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from jobs" -f -a "show" -d 'The receipt of a job: what was erased and kept, the scrub, and which backups still hold the erased data (never personal data)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from jobs" -f -a "resume" -d 'Finish unfinished jobs (all of them, or the one named)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "create" -d 'Write a consistent snapshot of the database (mode 0600)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "restore" -d 'Restore a snapshot, re-applying every anonymization recorded since'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "replay" -d 'Re-apply the anonymizations the erasure journal has and the database lacks'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "list" -d 'List the backups that are still there: those cube wrote, and the other snapshots in their rolling sets\' folders'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "list" -d 'List campaigns with their customer counts (active ones unless told)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "show" -d 'Show one campaign: status and customers per stage'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "create" -d 'Create an empty campaign'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "names" -d 'Campaign names, for the shell completions'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "list" -d 'List customers, oldest first'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "show" -d 'Show one customer\'s card, by reference or customer number'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "find" -d 'Find customers by name, e-mail, phone, customer number or reference'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "export" -d 'Everything cube holds about one person, as JSON (the right of access)'
complete -c cube -n "__fish_cube_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "forget" -d 'Anonymize exactly these customers, wherever they are (the right to erasure)'

# Campaign names come from the database: `cube campaign names` prints those
# that fit where the cursor is, and exits 1 where no campaign name goes.
function __fish_cube_campaign_names
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -g __fish_cube_campaigns (command cube campaign names -- $words 2>/dev/null)
end
complete -c cube -n __fish_cube_campaign_names -f -a '$__fish_cube_campaigns'
complete -c cube -n __fish_cube_campaign_names -f -a '$__fish_cube_campaigns' -l campaign -r
complete -c cube -n __fish_cube_campaign_names -f -a '$__fish_cube_campaigns' -l from -r
complete -c cube -n __fish_cube_campaign_names -f -a '$__fish_cube_campaigns' -l to -r
