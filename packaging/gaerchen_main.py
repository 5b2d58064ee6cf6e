"""Entry point of the PyInstaller bundle: the same ``gaerchen`` command as the installed package."""

import sys

from gaerchen_gui.cli import main

if __name__ == "__main__":
    sys.exit(main())
