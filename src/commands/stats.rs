use anyhow::Result;

use crate::commands::CommandHelper;

pub fn run(cmd: &CommandHelper) -> Result<()> {
    cmd.print_stats(&cmd.store()?.db)
}
