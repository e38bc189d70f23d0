//! `cube completions SHELL`: the completion script, as committed under
//! `completions/`. The static part is clap_complete's, from the CLI
//! definition; for bash, zsh and fish a short part is added that completes
//! campaign names from the database, by asking `cube campaign names` (see
//! `commands/campaign/names.rs`) what fits where the cursor is.

use std::io::Write;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::commands::CommandHelper;
use crate::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: Shell,
}

/// The completion script for `shell`, as committed under `completions/`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cube", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Bash => format!("{script}{BASH}"),
        // The file is autoloaded as the function `_cube`: the generated
        // function is renamed, and `_cube` asks for campaign names first.
        Shell::Zsh => script
            .replacen("\n_cube() {\n", "\n_cube_static() {\n", 1)
            .replacen(ZSH_TAIL, &format!("{ZSH}{ZSH_TAIL}"), 1),
        Shell::Fish => {
            // An option's value is completed only by the rules naming the
            // option: one for each option that takes a campaign.
            let mut longs = Vec::new();
            super::campaign::campaign_options(&Cli::command(), &mut longs);
            longs.sort();
            longs.dedup();
            let mut rules: String = longs
                .iter()
                .map(|long| format!("{FISH_RULE} -l {long} -r\n"))
                .collect();
            rules.insert_str(0, &format!("{FISH_RULE}\n"));
            format!("{script}{FISH}{rules}")
        }
        _ => script,
    }
    .into_bytes()
}

pub fn run(args: CompletionsArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let mut out = ui.stdout();
    out.write_all(&script(args.shell))?;
    out.flush()?;
    Ok(())
}

const BASH: &str = r#"
# Campaign names come from the database: `cube campaign names` prints those
# that fit where the cursor is, and exits 1 where no campaign name goes.
_cube_campaigns() {
    local out name quoted c i
    if out=$("$1" campaign names -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null); then
        COMPREPLY=()
        while IFS= read -r name; do
            [[ -n $name ]] || continue
            # Backslashes before what the shell would read otherwise; bytes
            # of letters such as å stay as they are, whatever the locale.
            quoted=""
            for ((i = 0; i < ${#name}; i++)); do
                c=${name:i:1}
                case $c in
                    [\ \'\"\\\$\`\(\)\&\;\|\<\>\*\?\[\]\!\#\~\{\}]) quoted+="\\$c" ;;
                    *) quoted+=$c ;;
                esac
            done
            COMPREPLY+=("$quoted")
        done <<<"$out"
        return 0
    fi
    _cube "$@"
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _cube_campaigns -o nosort -o bashdefault -o default cube
else
    complete -F _cube_campaigns -o bashdefault -o default cube
fi
"#;

const ZSH_TAIL: &str = "\nif [ \"$funcstack[1]\" = \"_cube\" ]; then\n";

const ZSH: &str = r#"
# Campaign names come from the database: `cube campaign names` prints those
# that fit where the cursor is, and exits 1 where no campaign name goes.
_cube() {
    local out
    local -a names
    if out=$("${words[1]}" campaign names -- "${(@)words[2,CURRENT]}" 2>/dev/null); then
        names=("${(@f)out}")
        [[ -n $out ]] && compadd -U -a names
        return 0
    fi
    _cube_static "$@"
}
"#;

const FISH: &str = r#"
# Campaign names come from the database: `cube campaign names` prints those
# that fit where the cursor is, and exits 1 where no campaign name goes.
function __fish_cube_campaign_names
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -g __fish_cube_campaigns (command cube campaign names -- $words 2>/dev/null)
end
"#;

const FISH_RULE: &str =
    "complete -c cube -n __fish_cube_campaign_names -f -a '$__fish_cube_campaigns'";
