import sys

from gaerchen_gui.cli import main

sys.exit(main())
