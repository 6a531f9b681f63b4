import sys

from oncocohort.write.interrupt import Interrupted, ignore_interrupts, install_interrupt_handlers

install_interrupt_handlers()  # before the CLI's imports: Ctrl-C at any moment exits 130
try:
    from oncocohort.cli import run_main
except Interrupted as exc:
    ignore_interrupts()
    print("interrupted; nothing was written", file=sys.stderr)
    sys.exit(exc.exit_code)

run_main()
