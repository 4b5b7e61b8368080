import sys

from adapters.console.cli import main

sys.exit(main())
