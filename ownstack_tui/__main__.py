import sys

from ownstack_tui.cli import main

sys.exit(main())
