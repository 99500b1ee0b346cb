import sys

from simrisk.cli import main

sys.exit(main())
