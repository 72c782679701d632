import sys

from guifan.cli import main

sys.exit(main())
